using System.Text;
using System.Text.Json;
using Azure;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Formats;
using EventRouter.Routing;
using EventRouter.Testing;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;

namespace EventRouter.Tests;

public sealed class RoutingPipelineTests : IDisposable
{
    private const string Notifications = RoutingDefaults.NotificationsTopic;
    private const string Prices = RoutingDefaults.PricesTopic;
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Timestamp = new(2024, 5, 1, 11, 59, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;
    private readonly EventRouterTelemetry _telemetry;
    private readonly MetricRecorder _metrics;
    private readonly Mock<IQueueDispatcher> _dispatcher = new(MockBehavior.Strict);
    private readonly List<Call> _calls = [];

    public RoutingPipelineTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _telemetry = new EventRouterTelemetry(_services.GetRequiredService<IMeterFactory>());
        _metrics = new MetricRecorder(_telemetry.Meter);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }

    private sealed record Call(string Kind, string Name, byte[] Content)
    {
        public JsonElement Json() => JsonDocument.Parse(Content).RootElement.Clone();
    }

    // ---- routing outcomes ------------------------------------------------------------------

    [Fact]
    public async Task RouteBatchAsync_MixedBatch_EachRecordLandsInItsQueue()
    {
        AcceptAllWrites();
        var userId = Guid.NewGuid();
        var groupId = Guid.NewGuid();
        var unknownId = Guid.NewGuid();
        var priceId = Guid.NewGuid();
        var records = new[]
        {
            Inbound(Notifications, 10, EventJson.Valid("USER.CREATED", userId)),
            Inbound(Notifications, 11, EventJson.Valid("ACCOUNT_GROUP.CREATED", groupId)),
            Inbound(Notifications, 12, EventJson.Valid("SOMETHING_NEW.HAPPENED", unknownId)),
            Inbound(Notifications, 13, "{not json"u8.ToArray()),
            Inbound(Notifications, 14, null),
            Inbound(Prices, 15, EventJson.Valid("PRICE.UPDATED", priceId)),
            Inbound(Prices, 16, EventJson.Utf8(EventJson.Build(id: "\"nope\""))),
            Inbound(Notifications, 17, EventJson.Valid("user.created", Guid.NewGuid())),
        };

        var result = await CreatePipeline().RouteBatchAsync(records);

        Assert.Equal(records.Length, result.Count);
        Assert.Equal(
            [
                (10L, OutcomeKind.Routed, "events-user", (PoisonReason?)null),
                (11L, OutcomeKind.Routed, "events-account-group", null),
                (12L, OutcomeKind.Unrouted, "events-unrouted", null),
                (13L, OutcomeKind.Poisoned, "events-poison", PoisonReason.InvalidJson),
                (14L, OutcomeKind.Poisoned, "events-poison", PoisonReason.EmptyValue),
                (15L, OutcomeKind.Routed, "prices", null),
                (16L, OutcomeKind.Poisoned, "events-poison", PoisonReason.InvalidId),
                (17L, OutcomeKind.Unrouted, "events-unrouted", null),
            ],
            result.Outcomes.Select(o => (o.Offset, o.Kind, o.Queue, o.Reason)));
        Assert.All(result.Outcomes, o => Assert.Equal(records[(int)(o.Offset - 10)].Topic, o.Topic));
        Assert.All(result.Outcomes, o => Assert.False(o.Offloaded));
        Assert.Equal((3, 2, 3, 0), (result.Routed, result.Unrouted, result.Poisoned, result.Duplicates));

        // Exactly one message per record, each in the queue its outcome names, carrying that record.
        var sends = Sends();
        Assert.Equal(records.Length, sends.Count);
        Assert.DoesNotContain(_calls, c => c.Kind == "upload");
        foreach (var outcome in result.Outcomes)
        {
            var send = Assert.Single(sends, s => s.Json().GetProperty("source").GetProperty("offset").GetInt64() == outcome.Offset);
            Assert.Equal(outcome.Queue, send.Name);
            var record = records[(int)(outcome.Offset - 10)];
            var message = send.Json();
            if (outcome.Kind == OutcomeKind.Poisoned)
            {
                Assert.Equal(outcome.Reason!.Value.ToCode(), message.GetProperty("reason").GetString());
                Assert.Equal(record.Value?.ToArray(), message.GetProperty("value").ValueKind == JsonValueKind.Null ? null : message.GetProperty("value").GetBytesFromBase64());
            }
            else
            {
                Assert.Equal(Encoding.UTF8.GetString(record.Value!.Value.Span), message.GetProperty("event").GetRawText());
                Assert.Equal(Now, message.GetProperty("routedAt").GetDateTimeOffset());
                Assert.Equal(Timestamp, message.GetProperty("source").GetProperty("timestamp").GetDateTimeOffset());
            }
            Assert.Equal(record.Topic, message.GetProperty("source").GetProperty("topic").GetString());
        }
    }

    [Fact]
    public async Task RouteBatchAsync_EmptyValueAndTombstone_PoisonedWithDistinctErrors()
    {
        AcceptAllWrites();

        var result = await CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, null), Inbound(Notifications, 2, [])]);

        Assert.All(result.Outcomes, o => Assert.Equal(PoisonReason.EmptyValue, o.Reason));
        var errors = Sends().OrderBy(s => s.Json().GetProperty("source").GetProperty("offset").GetInt64())
            .Select(s => s.Json().GetProperty("error").GetString()).ToArray();
        Assert.Contains("null", errors[0]);
        Assert.Contains("empty", errors[1]);
        Assert.Equal(JsonValueKind.Null, Sends().Single(s => s.Json().GetProperty("source").GetProperty("offset").GetInt64() == 1).Json().GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task RouteBatchAsync_OverridesFromOptions_AreUsed()
    {
        AcceptAllWrites();
        var options = new RoutingOptions();
        options.Overrides["ORDER.FILLED"] = "orders-filled";
        options.Overrides["LOAN.*"] = "loans";

        var result = await CreatePipeline(options).RouteBatchAsync([
            Inbound(Notifications, 1, EventJson.Valid("ORDER.FILLED", Guid.NewGuid())),
            Inbound(Notifications, 2, EventJson.Valid("LOAN.GRANTED", Guid.NewGuid())),
            Inbound(Notifications, 3, EventJson.Valid("ORDER.CREATED", Guid.NewGuid())),
        ]);

        Assert.Equal(["orders-filled", "loans", "events-order"], result.Outcomes.Select(o => o.Queue));
        Assert.Equal(["events-order", "loans", "orders-filled"], Sends().Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RouteBatchAsync_EscapedType_RoutesByUnescapedType()
    {
        AcceptAllWrites();
        var value = EventJson.Utf8(EventJson.Build(type: "\"ACCOUNT_GROUP\\u002ECREATED\""));

        var result = await CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, value)]);

        Assert.Equal("events-account-group", Assert.Single(result.Outcomes).Queue);
        Assert.Equal("events-account-group", Assert.Single(Sends()).Name);
    }

    [Fact]
    public async Task RouteBatchAsync_EmptyBatch_WritesNothing()
    {
        var result = await CreatePipeline().RouteBatchAsync([]);

        Assert.Equal(0, result.Count);
        Assert.Empty(_calls);
        _dispatcher.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task RouteBatchAsync_NullRecords_Throws()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => CreatePipeline().RouteBatchAsync(null!));
    }

    [Fact]
    public async Task RouteBatchAsync_ManyRecordsWithLowConcurrency_WritesEveryRecordOnce()
    {
        AcceptAllWrites();
        var records = Enumerable.Range(0, 200)
            .Select(i => Inbound(Notifications, i, i % 10 == 0 ? "x"u8.ToArray() : EventJson.Valid("USER.CREATED", Guid.NewGuid())))
            .ToArray();

        var result = await CreatePipeline(delivery: new DeliveryOptions { MaxConcurrency = 3 }).RouteBatchAsync(records);

        Assert.Equal((180, 20), (result.Routed, result.Poisoned));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), Sends().Select(s => s.Json().GetProperty("source").GetProperty("offset").GetInt64()).Order());
    }

    // ---- duplicates ------------------------------------------------------------------------

    [Fact]
    public async Task RouteBatchAsync_DuplicateEventIds_WritesFirstCopyOnce()
    {
        AcceptAllWrites();
        var id = Guid.NewGuid();
        var other = Guid.NewGuid();
        var first = EventJson.Valid("USER.CREATED", id, """{"copy":1}""");
        var records = new[]
        {
            Inbound(Notifications, 1, first),
            Inbound(Notifications, 2, EventJson.Valid("USER.CREATED", other)),
            Inbound(Notifications, 3, EventJson.Valid("USER.CREATED", id, """{"copy":2}""")),
            // Same id, different type: still the same event, still written once, to the first copy's queue.
            Inbound(Notifications, 4, EventJson.Valid("ORDER.CREATED", id, """{"copy":3}""")),
        };

        var result = await CreatePipeline().RouteBatchAsync(records);

        Assert.Equal(
            [OutcomeKind.Routed, OutcomeKind.Routed, OutcomeKind.Duplicate, OutcomeKind.Duplicate],
            result.Outcomes.Select(o => o.Kind));
        Assert.Equal("events-user", result.Outcomes[2].Queue);
        Assert.Equal("events-user", result.Outcomes[3].Queue);
        Assert.Equal(2, result.Duplicates);
        var sends = Sends();
        Assert.Equal(2, sends.Count);
        var written = Assert.Single(sends, s => s.Json().GetProperty("event").GetProperty("id").GetGuid() == id);
        Assert.Equal(Encoding.UTF8.GetString(first), written.Json().GetProperty("event").GetRawText());
        Assert.Equal(2, _metrics.Sum(TelemetryNames.EventsDeduplicated));
    }

    [Fact]
    public async Task RouteBatchAsync_DuplicateIdsDifferingInCase_AreOneEvent()
    {
        AcceptAllWrites();
        var id = Guid.NewGuid();
        var upper = EventJson.Utf8(EventJson.Build(id: EventJson.Quote(id.ToString().ToUpperInvariant())));

        var result = await CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, EventJson.Valid(id: id)), Inbound(Notifications, 2, upper)]);

        Assert.Equal([OutcomeKind.Routed, OutcomeKind.Duplicate], result.Outcomes.Select(o => o.Kind));
        Assert.Single(Sends());
    }

    [Fact]
    public async Task RouteBatchAsync_SameIdInSeparateBatches_IsWrittenEachTime()
    {
        AcceptAllWrites();
        var pipeline = CreatePipeline();
        var value = EventJson.Valid();

        await pipeline.RouteBatchAsync([Inbound(Notifications, 1, value)]);
        var second = await pipeline.RouteBatchAsync([Inbound(Notifications, 1, value)]);

        Assert.Equal(OutcomeKind.Routed, Assert.Single(second.Outcomes).Kind);
        Assert.Equal(2, Sends().Count);
    }

    // ---- oversized payloads ----------------------------------------------------------------

    [Fact]
    public async Task RouteBatchAsync_OversizedEvent_UploadsBlobBeforeSendingReference()
    {
        var id = Guid.NewGuid();
        var value = LargeEvent("ORDER.FILLED", id, 60_000);
        var record = Inbound(Notifications, 7, value);
        var blobName = RoutedMessage.BlobName(record);
        var sequence = new MockSequence();
        byte[]? uploaded = null;
        byte[]? sent = null;
        _dispatcher.InSequence(sequence)
            .Setup(d => d.UploadPayloadAsync(blobName, It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Callback<string, ReadOnlyMemory<byte>, CancellationToken>((_, content, _) => uploaded = content.ToArray())
            .Returns(Task.CompletedTask);
        _dispatcher.InSequence(sequence)
            .Setup(d => d.SendAsync("events-order", It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Callback<string, ReadOnlyMemory<byte>, CancellationToken>((_, message, _) => sent = message.ToArray())
            .Returns(Task.CompletedTask);

        var result = await CreatePipeline().RouteBatchAsync([record]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal((OutcomeKind.Routed, "events-order", true), (outcome.Kind, outcome.Queue, outcome.Offloaded));
        _dispatcher.Verify(d => d.UploadPayloadAsync(blobName, It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()), Times.Once);
        _dispatcher.Verify(d => d.SendAsync("events-order", It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(value, uploaded);
        Assert.NotNull(sent);
        Assert.True(QueueMessageLimits.Fits(sent.Length));
        using var message = JsonDocument.Parse(sent);
        Assert.Equal(blobName, message.RootElement.GetProperty("eventBlob").GetString());
        Assert.Equal(id, message.RootElement.GetProperty("eventId").GetGuid());
        Assert.Equal("ORDER.FILLED", message.RootElement.GetProperty("eventType").GetString());
        Assert.Equal(7, message.RootElement.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.False(message.RootElement.TryGetProperty("event", out _));
        Assert.Equal(1, _metrics.Sum(TelemetryNames.PayloadsOffloaded, TelemetryNames.PayloadKind, "event"));
    }

    [Fact]
    public async Task RouteBatchAsync_RoutedMessageAtExactLimit_StaysInline()
    {
        AcceptAllWrites();
        // Envelopes carry the current span's traceparent, and a test running in parallel may be
        // listening to the pipeline's spans: with a span current in both, the overhead is the same.
        using var trace = new System.Diagnostics.Activity("test").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        var record = Inbound(Notifications, 1, EventJson.Valid());
        var overhead = RoutedMessage.Create(record.Value!.Value.Span, record, Now).Length - record.Value.Value.Length;
        var atLimit = EventWithLength(QueueMessageLimits.MaxMessageBytes - overhead);
        var overLimit = EventWithLength(QueueMessageLimits.MaxMessageBytes - overhead + 1);

        var result = await CreatePipeline().RouteBatchAsync([record with { Value = atLimit }, record with { Offset = 2, Value = overLimit }]);

        Assert.Equal([false, true], result.Outcomes.Select(o => o.Offloaded));
        var inline = Sends().Single(s => s.Json().GetProperty("source").GetProperty("offset").GetInt64() == 1);
        Assert.Equal(QueueMessageLimits.MaxMessageBytes, inline.Content.Length);
        Assert.Equal("events/Notifications/0/2.json", Assert.Single(_calls, c => c.Kind == "upload").Name);
    }

    [Fact]
    public async Task RouteBatchAsync_SeveralOversizedRecords_EveryBlobPrecedesItsMessage()
    {
        AcceptAllWrites(sendDelay: true);
        var records = Enumerable.Range(0, 8)
            .Select(i => Inbound(i % 2 == 0 ? Notifications : Prices, i, i % 3 == 0 ? new byte[50_000] : LargeEvent("USER.UPDATED", Guid.NewGuid(), 50_000)))
            .ToArray();

        var result = await CreatePipeline().RouteBatchAsync(records);

        Assert.All(result.Outcomes, o => Assert.True(o.Offloaded));
        Call[] calls;
        lock (_calls) calls = [.. _calls];
        foreach (var (send, index) in calls.Select((c, i) => (c, i)).Where(x => x.c.Kind == "send"))
        {
            var message = send.Json();
            var blob = message.TryGetProperty("eventBlob", out var eventBlob) ? eventBlob.GetString() : message.GetProperty("valueBlob").GetString();
            var uploadIndex = Array.FindIndex(calls, c => c.Kind == "upload" && c.Name == blob);
            Assert.InRange(uploadIndex, 0, index - 1);
        }
    }

    [Fact]
    public async Task RouteBatchAsync_OversizedPoisonValue_GoesToBlobFirst()
    {
        var value = Enumerable.Repeat((byte)'x', 60_000).ToArray();
        var record = Inbound(Notifications, 3, value, RecordHeader.FromString("trace", "t-1"));
        var blobName = PoisonMessage.ValueBlobName(record);
        var sequence = new MockSequence();
        byte[]? uploaded = null;
        byte[]? sent = null;
        _dispatcher.InSequence(sequence)
            .Setup(d => d.UploadPayloadAsync(blobName, It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Callback<string, ReadOnlyMemory<byte>, CancellationToken>((_, content, _) => uploaded = content.ToArray())
            .Returns(Task.CompletedTask);
        _dispatcher.InSequence(sequence)
            .Setup(d => d.SendAsync(RoutingDefaults.PoisonQueue, It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Callback<string, ReadOnlyMemory<byte>, CancellationToken>((_, message, _) => sent = message.ToArray())
            .Returns(Task.CompletedTask);

        var result = await CreatePipeline().RouteBatchAsync([record]);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal((OutcomeKind.Poisoned, PoisonReason.InvalidJson, true), (outcome.Kind, outcome.Reason, outcome.Offloaded));
        Assert.Equal(value, uploaded);
        Assert.NotNull(sent);
        Assert.True(QueueMessageLimits.Fits(sent.Length));
        using var message = JsonDocument.Parse(sent);
        Assert.Equal(blobName, message.RootElement.GetProperty("valueBlob").GetString());
        Assert.False(message.RootElement.TryGetProperty("value", out _));
        Assert.Equal("invalid-json", message.RootElement.GetProperty("reason").GetString());
        Assert.Equal("t-1", message.RootElement.GetProperty("headers").GetProperty("trace").GetString());
        Assert.Equal(1, _metrics.Sum(TelemetryNames.PayloadsOffloaded, TelemetryNames.PayloadKind, "poison"));
    }

    [Fact]
    public async Task RouteBatchAsync_PoisonWithHugeHeaders_OffloadsValueAndHeaders()
    {
        AcceptAllWrites();
        var big = new string('h', 40_000);
        var value = "not json"u8.ToArray();
        var record = Inbound(Notifications, 4, value, RecordHeader.FromString("a", big), RecordHeader.FromString("b", big));

        var result = await CreatePipeline().RouteBatchAsync([record]);

        Assert.True(Assert.Single(result.Outcomes).Offloaded);
        var uploads = _calls.Where(c => c.Kind == "upload").ToDictionary(c => c.Name, c => c.Content);
        Assert.Equal(value, uploads[PoisonMessage.ValueBlobName(record)]);
        using var headers = JsonDocument.Parse(uploads[PoisonMessage.HeadersBlobName(record)]);
        Assert.Equal(big, headers.RootElement.GetProperty("headers").GetProperty("b").GetString());
        var message = Assert.Single(Sends()).Json();
        Assert.Equal(PoisonMessage.HeadersBlobName(record), message.GetProperty("headersBlob").GetString());
        Assert.Equal(PoisonMessage.ValueBlobName(record), message.GetProperty("valueBlob").GetString());
        Assert.True(QueueMessageLimits.Fits(Sends()[0].Content.Length));
    }

    [Fact]
    public async Task RouteBatchAsync_PoisonWithHugeKey_OffloadsKeySoTheMessageFits()
    {
        AcceptAllWrites();
        var key = new byte[60_000];
        new Random(7).NextBytes(key);
        var record = new InboundRecord(Notifications, 6, 60, null, key, "[1]"u8.ToArray(), []);

        await CreatePipeline().RouteBatchAsync([record]);

        var message = Assert.Single(Sends());
        Assert.True(QueueMessageLimits.Fits(message.Content.Length));
        var json = message.Json();
        Assert.Equal(PoisonMessage.KeyBlobName(record), json.GetProperty("keyBlob").GetString());
        Assert.False(json.TryGetProperty("key", out _));
        var uploads = _calls.Where(c => c.Kind == "upload").ToDictionary(c => c.Name, c => c.Content);
        Assert.Equal(key, uploads[PoisonMessage.KeyBlobName(record)]);
    }

    [Fact]
    public async Task RouteBatchAsync_TombstoneWithHugeHeaders_DoesNotReferenceAMissingValueBlob()
    {
        AcceptAllWrites();
        var big = new string('h', 60_000);
        var record = Inbound(Notifications, 5, null, RecordHeader.FromString("a", big));

        var result = await CreatePipeline().RouteBatchAsync([record]);

        Assert.Equal(PoisonReason.EmptyValue, Assert.Single(result.Outcomes).Reason);
        var uploads = _calls.Where(c => c.Kind == "upload").Select(c => c.Name).ToArray();
        var message = Assert.Single(Sends()).Json();
        // Every blob the message names must have been uploaded; a tombstone has no value to upload.
        foreach (var property in message.EnumerateObject().Where(p => p.Name.EndsWith("Blob", StringComparison.Ordinal)))
        {
            Assert.Contains(property.Value.GetString(), uploads);
        }
        Assert.Equal(JsonValueKind.Null, message.GetProperty("value").ValueKind);
        Assert.Equal(PoisonMessage.HeadersBlobName(record), message.GetProperty("headersBlob").GetString());
    }

    // ---- storage failures and cancellation -------------------------------------------------

    [Theory]
    [InlineData(503, true)]
    [InlineData(500, true)]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(400, false)]
    [InlineData(413, false)]
    public async Task RouteBatchAsync_SendFailsWithStatus_ThrowsDeliveryExceptionClassified(int status, bool transient)
    {
        var failure = new RequestFailedException(status, $"storage said {status}");
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);

        var exception = await Assert.ThrowsAsync<EventDeliveryException>(
            () => CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, EventJson.Valid())]));

        Assert.Equal(transient, exception.IsTransient);
        Assert.Same(failure, exception.InnerException);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Message);
        Assert.Equal(1, _metrics.Sum(TelemetryNames.BatchFailures, TelemetryNames.ErrorType, nameof(RequestFailedException)));
        Assert.Equal(0, _metrics.Sum(TelemetryNames.EventsRouted));
    }

    [Fact]
    public async Task RouteBatchAsync_UploadFails_ThrowsDeliveryExceptionAndSendsNothing()
    {
        _dispatcher.Setup(d => d.UploadPayloadAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "busy"));

        var exception = await Assert.ThrowsAsync<EventDeliveryException>(
            () => CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, LargeEvent("USER.CREATED", Guid.NewGuid(), 60_000))]));

        Assert.True(exception.IsTransient);
        _dispatcher.Verify(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData(typeof(TimeoutException), true)]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    public async Task RouteBatchAsync_SendThrowsOtherException_ClassifiesIt(Type exceptionType, bool transient)
    {
        var failure = (Exception)Activator.CreateInstance(exceptionType, "boom")!;
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);

        var exception = await Assert.ThrowsAsync<EventDeliveryException>(
            () => CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, EventJson.Valid())]));

        Assert.Equal(transient, exception.IsTransient);
        Assert.Same(failure, exception.InnerException);
    }

    [Fact]
    public async Task RouteBatchAsync_OneOfManyWritesFails_WholeBatchFails()
    {
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        _dispatcher.Setup(d => d.SendAsync(RoutingDefaults.PoisonQueue, It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(403, "forbidden"));
        var records = Enumerable.Range(0, 20).Select(i => Inbound(Notifications, i, i == 13 ? "bad"u8.ToArray() : EventJson.Valid(id: Guid.NewGuid()))).ToArray();

        var exception = await Assert.ThrowsAsync<EventDeliveryException>(() => CreatePipeline().RouteBatchAsync(records));

        Assert.False(exception.IsTransient);
        Assert.Contains("20 records", exception.Message);
    }

    [Fact]
    public async Task RouteBatchAsync_CancelledBeforeStart_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, EventJson.Valid())], cancellation.Token));

        _dispatcher.Verify(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task RouteBatchAsync_CancelledWhileSending_ThrowsOperationCanceledNotDeliveryException()
    {
        using var cancellation = new CancellationTokenSource();
        var sendStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Returns<string, ReadOnlyMemory<byte>, CancellationToken>(async (_, _, token) =>
            {
                sendStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            });

        var routing = CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, EventJson.Valid())], cancellation.Token);
        await sendStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();

        var exception = await Record.ExceptionAsync(() => routing.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsAssignableFrom<OperationCanceledException>(exception);
        Assert.Equal(0, _metrics.Sum(TelemetryNames.BatchFailures));
    }

    [Fact]
    public async Task RouteBatchAsync_SdkTimeoutWithoutCallerCancellation_IsTransientDeliveryFailure()
    {
        // The SDK reports a per-attempt network timeout as TaskCanceledException; the caller did not cancel.
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TaskCanceledException("network timeout"));

        var exception = await Assert.ThrowsAsync<EventDeliveryException>(
            () => CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, EventJson.Valid())], CancellationToken.None));

        Assert.True(exception.IsTransient);
    }

    // ---- telemetry -------------------------------------------------------------------------

    [Fact]
    public async Task RouteBatchAsync_EventTypeHeaderDisagrees_RoutesByBodyAndCountsMismatch()
    {
        AcceptAllWrites();
        var records = new[]
        {
            Inbound(Notifications, 1, EventJson.Valid("USER.CREATED", Guid.NewGuid()), RecordHeader.FromString("event-type", "ORDER.CREATED")),
            Inbound(Notifications, 2, EventJson.Valid("USER.CREATED", Guid.NewGuid()), RecordHeader.FromString("event-type", "USER.CREATED")),
            Inbound(Notifications, 3, EventJson.Valid("USER.CREATED", Guid.NewGuid()), new RecordHeader("event-type", null)),
            Inbound(Notifications, 4, EventJson.Valid("USER.CREATED", Guid.NewGuid()), RecordHeader.FromString("other", "ORDER.CREATED")),
        };

        var result = await CreatePipeline().RouteBatchAsync(records);

        Assert.All(result.Outcomes, o => Assert.Equal(("events-user", OutcomeKind.Routed), (o.Queue, o.Kind)));
        Assert.All(Sends(), s => Assert.Equal("events-user", s.Name));
        Assert.Equal(1, _metrics.Sum(TelemetryNames.TypeHeaderMismatches));
    }

    [Theory]
    [InlineData("USER.CREATED", 0)]
    [InlineData("ORDER.CREATED", 1)]
    public async Task RouteBatchAsync_EscapedTypeAndHeader_ComparesUnescapedType(string header, int mismatches)
    {
        AcceptAllWrites();
        var value = EventJson.Utf8(EventJson.Build(type: "\"USER\\u002ECREATED\""));

        await CreatePipeline().RouteBatchAsync([Inbound(Notifications, 1, value, RecordHeader.FromString("event-type", header))]);

        Assert.Equal("events-user", Assert.Single(Sends()).Name);
        Assert.Equal(mismatches, _metrics.Sum(TelemetryNames.TypeHeaderMismatches));
    }

    [Fact]
    public async Task RouteBatchAsync_PoisonedRecords_CountedPerReasonTag()
    {
        AcceptAllWrites();
        var records = new[]
        {
            Inbound(Notifications, 1, "{"u8.ToArray()),
            Inbound(Notifications, 2, "[1,]"u8.ToArray()),
            Inbound(Notifications, 3, EventJson.Utf8(EventJson.Build(type: null))),
            Inbound(Notifications, 4, null),
            Inbound(Notifications, 5, [0xC0, 0xAF]),
            Inbound(Notifications, 6, EventJson.Valid()),
        };

        await CreatePipeline().RouteBatchAsync(records);

        var poisoned = _metrics.Get(TelemetryNames.EventsPoisoned);
        Assert.Equal(5, poisoned.Sum(m => m.Value));
        Assert.Equal(2, _metrics.Sum(TelemetryNames.EventsPoisoned, TelemetryNames.PoisonReason, "invalid-json"));
        Assert.Equal(1, _metrics.Sum(TelemetryNames.EventsPoisoned, TelemetryNames.PoisonReason, "missing-field"));
        Assert.Equal(1, _metrics.Sum(TelemetryNames.EventsPoisoned, TelemetryNames.PoisonReason, "empty-value"));
        Assert.Equal(1, _metrics.Sum(TelemetryNames.EventsPoisoned, TelemetryNames.PoisonReason, "not-utf8"));
        Assert.All(poisoned, m => Assert.Equal([TelemetryNames.PoisonReason], m.Tags.Keys));
    }

    [Fact]
    public async Task RouteBatchAsync_RoutedRecords_CountedPerQueueAndKind()
    {
        AcceptAllWrites();

        await CreatePipeline().RouteBatchAsync([
            Inbound(Notifications, 1, EventJson.Valid("USER.CREATED", Guid.NewGuid())),
            Inbound(Notifications, 2, EventJson.Valid("USER.UPDATED", Guid.NewGuid())),
            Inbound(Notifications, 3, EventJson.Valid("NOPE.NOPE", Guid.NewGuid())),
        ]);

        Assert.Equal(2, _metrics.Sum(TelemetryNames.EventsRouted, TelemetryNames.DestinationName, "events-user"));
        Assert.Equal(1, _metrics.Sum(TelemetryNames.EventsRouted, TelemetryNames.RouteKind, "unrouted"));
        Assert.Equal(2, _metrics.Sum(TelemetryNames.EventsRouted, TelemetryNames.RouteKind, "routed"));
        Assert.Equal(3, _metrics.Sum(TelemetryNames.BatchSize));
        Assert.Single(_metrics.Get(TelemetryNames.BatchDuration));
    }

    // ---- helpers ---------------------------------------------------------------------------

    private RoutingPipeline CreatePipeline(RoutingOptions? routing = null, DeliveryOptions? delivery = null)
        => new(new RouteTable(routing ?? new RoutingOptions()), EventRouter.Validation.EventFieldMapping.Default, _dispatcher.Object, _telemetry,
            Options.Create(delivery ?? new DeliveryOptions()), NullLogger<RoutingPipeline>.Instance, new FixedTimeProvider(Now));

    /// <summary>Every write succeeds and is recorded, in call order.</summary>
    private void AcceptAllWrites(bool sendDelay = false)
    {
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Returns<string, ReadOnlyMemory<byte>, CancellationToken>(async (queue, message, _) =>
            {
                lock (_calls) _calls.Add(new Call("send", queue, message.ToArray()));
                if (sendDelay) await Task.Yield();
            });
        _dispatcher.Setup(d => d.UploadPayloadAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Returns<string, ReadOnlyMemory<byte>, CancellationToken>(async (name, content, _) =>
            {
                // Let other writes run between this upload and its send, as real I/O would.
                await Task.Yield();
                lock (_calls) _calls.Add(new Call("upload", name, content.ToArray()));
            });
    }

    private List<Call> Sends()
    {
        lock (_calls) return _calls.Where(c => c.Kind == "send").ToList();
    }

    private static InboundRecord Inbound(string topic, long offset, byte[]? value, params RecordHeader[] headers)
        => new(topic, 0, offset, Timestamp, "key"u8.ToArray(), InboundRecord.ValueOrNull(value), headers);

    private static byte[] LargeEvent(string type, Guid id, int padding)
        => EventJson.Valid(type, id, "{\"blob\":\"" + new string('x', padding) + "\"}");

    /// <summary>A valid USER.CREATED event of exactly <paramref name="length"/> bytes.</summary>
    private static byte[] EventWithLength(int length)
    {
        var empty = LargeEvent("USER.CREATED", Guid.NewGuid(), 0);
        var value = LargeEvent("USER.CREATED", Guid.NewGuid(), length - empty.Length);
        Assert.Equal(length, value.Length);
        return value;
    }
}

using System.Text;
using System.Text.Json;
using Azure;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Functions.Hosting;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using System.Diagnostics.Metrics;

namespace EventRouter.Functions.Hosting.Tests;

/// <summary>
/// What the Kafka-triggered functions do with a batch: map each <c>KafkaRecord</c>'s parts with
/// <see cref="InboundRecordFactory"/> and call <see cref="IRecordBatchRouter.RouteBatchAsync"/>.
/// Poison completes the execution (the batch is committed); a storage failure throws, which is a
/// failed execution (retried, not committed).
/// </summary>
public sealed class KafkaBatchRoutingTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Mock<IQueueDispatcher> _dispatcher = new(MockBehavior.Strict);
    private readonly List<(string Queue, byte[] Message)> _sent = [];

    public void Dispose() => _services.Dispose();

    private RoutingPipeline CreatePipeline() => new(
        new RouteTable(new RoutingOptions()),
        EventRouter.Validation.EventFieldMapping.Default,
        _dispatcher.Object,
        new EventRouterTelemetry(_services.GetRequiredService<IMeterFactory>()),
        Options.Create(new DeliveryOptions()),
        NullLogger<RoutingPipeline>.Instance);

    private void AcceptWrites() =>
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .Callback<string, ReadOnlyMemory<byte>, CancellationToken>((queue, message, _) => { lock (_sent) _sent.Add((queue, message.ToArray())); })
            .Returns(Task.CompletedTask);

    private static byte[] Event(string type, Guid id) =>
        Encoding.UTF8.GetBytes($$$"""{"id":"{{{id}}}","created_at":"2026-11-22T10:00:00Z","type":"{{{type}}}","object":{"id":"o1"}}""");

    [Fact]
    public async Task RouteBatchAsync_BatchWithPoison_CompletesAndPoisonsOnlyTheBadRecords()
    {
        AcceptWrites();
        var good = Guid.NewGuid();
        var records = new[]
        {
            InboundRecordFactory.Create("Notifications", 2, 10, 1_763_800_000_000, Encoding.UTF8.GetBytes("user-1"), Event("USER.CREATED", good),
                [("event-type", Encoding.UTF8.GetBytes("USER.CREATED"))]),
            InboundRecordFactory.Create("Notifications", 2, 11, null, Encoding.UTF8.GetBytes("user-2"), Encoding.UTF8.GetBytes("not json"),
                [("trace-id", Encoding.UTF8.GetBytes("abc")), ("binary", [0xFF])]),
            InboundRecordFactory.Create("Notifications", 2, 12, null, null, null, null),
        };

        var result = await CreatePipeline().RouteBatchAsync(records);

        Assert.Equal(1, result.Routed);
        Assert.Equal(2, result.Poisoned);
        Assert.Equal([OutcomeKind.Routed, OutcomeKind.Poisoned, OutcomeKind.Poisoned], result.Outcomes.Select(o => o.Kind));
        Assert.Equal([PoisonReason.InvalidJson, PoisonReason.EmptyValue], result.Outcomes.Skip(1).Select(o => o.Reason!.Value));

        var routed = Assert.Single(_sent, s => s.Queue == "events-user");
        using (var envelope = JsonDocument.Parse(routed.Message))
        {
            var source = envelope.RootElement.GetProperty("source");
            Assert.Equal(2, source.GetProperty("partition").GetInt32());
            Assert.Equal(10, source.GetProperty("offset").GetInt64());
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_763_800_000_000), source.GetProperty("timestamp").GetDateTimeOffset());
            Assert.Equal(good, envelope.RootElement.GetProperty("event").GetProperty("id").GetGuid());
        }

        var poison = _sent.Where(s => s.Queue == RoutingDefaults.PoisonQueue).Select(s => JsonDocument.Parse(s.Message)).ToList();
        Assert.Equal(2, poison.Count);
        var invalid = poison.Single(p => p.RootElement.GetProperty("reason").GetString() == "invalid-json").RootElement;
        Assert.Equal(11, invalid.GetProperty("source").GetProperty("offset").GetInt64());
        Assert.Equal("user-2", Encoding.UTF8.GetString(invalid.GetProperty("key").GetBytesFromBase64()));
        Assert.Equal("not json", Encoding.UTF8.GetString(invalid.GetProperty("value").GetBytesFromBase64()));
        Assert.Equal("abc", invalid.GetProperty("headers").GetProperty("trace-id").GetString());
        Assert.Equal([0xFF], invalid.GetProperty("headers").GetProperty("binary").GetProperty("base64").GetBytesFromBase64());
        var tombstone = poison.Single(p => p.RootElement.GetProperty("reason").GetString() == "empty-value").RootElement;
        Assert.Equal(JsonValueKind.Null, tombstone.GetProperty("value").ValueKind);
        poison.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task RouteBatchAsync_QueueWriteFails503_ThrowsSoTheExecutionFailsAndIsNotCommitted()
    {
        _dispatcher.Setup(d => d.SendAsync(It.IsAny<string>(), It.IsAny<ReadOnlyMemory<byte>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "The server is busy.", "ServerBusy", null));
        var records = new[]
        {
            InboundRecordFactory.Create("Notifications", 0, 1, null, null, Event("ORDER.FILLED", Guid.NewGuid()), null),
            InboundRecordFactory.Create("Notifications", 0, 2, null, null, Encoding.UTF8.GetBytes("{"), null),
        };

        var failure = await Assert.ThrowsAsync<EventDeliveryException>(() => CreatePipeline().RouteBatchAsync(records));

        Assert.True(failure.IsTransient);
        var inner = Assert.IsType<RequestFailedException>(failure.InnerException);
        Assert.Equal(503, inner.Status);
        Assert.Contains("nothing of it may be committed", failure.Message);
    }

    [Fact]
    public async Task RouteBatchAsync_PricesTopic_RoutesEveryEventToThePricesQueue()
    {
        AcceptWrites();
        var records = new[] { InboundRecordFactory.Create("Prices", 0, 7, null, Encoding.UTF8.GetBytes("DE0001"), Event("PRICE.UPDATED", Guid.NewGuid()), null) };

        var result = await CreatePipeline().RouteBatchAsync(records);

        Assert.Equal(RoutingDefaults.PricesQueue, Assert.Single(result.Outcomes).Queue);
        Assert.Equal(RoutingDefaults.PricesQueue, Assert.Single(_sent).Queue);
    }
}

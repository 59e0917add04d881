using Azure.Storage.Blobs;
using EventRouter.Processing;
using EventRouter.Testing;
using EventRouter.Validation;

namespace EventRouter.Tests.Processing;

public sealed class RoutedEventReaderTests : IDisposable
{
    private readonly PipelineFactory _factory = new();

    // The router accepts events nested up to EventValidator.MaxDepth; the envelope adds one level,
    // so the queue stage must read one level deeper or such an event dies as an invalid envelope.
    [Fact]
    public async Task ReadAsync_EventNestedToTheValidatorsMaximum_IsReadBack()
    {
        // The event object is level 1, "object" level 2, so MaxDepth - 2 more arrays reach the maximum.
        var depth = EventValidator.MaxDepth - 2;
        var value = EventJson.Valid(obj: "{\"a\":" + new string('[', depth) + new string(']', depth) + "}");
        Assert.True(EventValidator.Validate(value).IsValid);
        var dispatcher = new RecordingQueueDispatcher();
        await _factory.Create(dispatcher).RouteBatchAsync([InboundRecord.Create("Notifications", 0, 7, value)]);
        var (queue, message) = Assert.Single(dispatcher.Sends);
        Assert.Equal("events-user", queue);

        var reader = new RoutedEventReader(new BlobServiceClient("UseDevelopmentStorage=true"), EventFieldMapping.Default);
        var (routed, error) = await reader.ReadAsync(queue, new QueueDelivery("m-1", 1, BinaryData.FromBytes(message)), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(value, routed!.Json.ToArray());
    }

    // Unknown fields are kept unchanged, even a member name that is an escaped unpaired surrogate;
    // JsonElement.GetProperty throws on such a name, which failed the message until <queue>-poison.
    [Fact]
    public async Task ReadAsync_UnknownMemberNameWithUnpairedSurrogate_IsReadBack()
    {
        var value = EventJson.Utf8(EventJson.WithMember(EventJson.Build(), "\"creat\\ud800ed_at\":true"));
        var dispatcher = new RecordingQueueDispatcher();
        await _factory.Create(dispatcher).RouteBatchAsync([InboundRecord.Create("Notifications", 0, 7, value)]);
        var (queue, message) = Assert.Single(dispatcher.Sends);
        Assert.Equal("events-user", queue);

        var reader = new RoutedEventReader(new BlobServiceClient("UseDevelopmentStorage=true"), EventFieldMapping.Default);
        var (routed, error) = await reader.ReadAsync(queue, new QueueDelivery("m-1", 1, BinaryData.FromBytes(message)), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(value, routed!.Json.ToArray());
        Assert.Equal(DateTimeOffset.Parse(EventJson.CreatedAt), routed.CreatedAt);
    }

    // Envelopes written before they carried a trace context, and those that carry one, read alike.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_EnvelopeWithOrWithoutTraceContext_IsReadBack(bool withTraceContext)
    {
        var value = EventJson.Valid();
        var record = InboundRecord.Create("Notifications", 0, 7, value);
        var context = withTraceContext
            ? new System.Diagnostics.ActivityContext(System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom(),
                System.Diagnostics.ActivityTraceFlags.Recorded, "k=v")
            : default;
        var message = EventRouter.Formats.RoutedMessage.Create(value, record, PipelineFactory.Now, context);
        Assert.Equal(withTraceContext, message.AsSpan().IndexOf("\"traceparent\""u8) >= 0);

        var reader = new RoutedEventReader(new BlobServiceClient("UseDevelopmentStorage=true"), EventFieldMapping.Default);
        var (routed, error) = await reader.ReadAsync("events-user", new QueueDelivery("m-1", 1, BinaryData.FromBytes(message)), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(value, routed!.Json.ToArray());
        Assert.Equal(new EventOrigin("Notifications", 0, 7, null), routed.Origin);
        Assert.Equal(PipelineFactory.Now, routed.RoutedAt);
    }

    public void Dispose() => _factory.Dispose();
}

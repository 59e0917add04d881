using Azure.Storage.Blobs;
using EventRouter.Processing;
using EventRouter.Tests.Support;
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

    public void Dispose() => _factory.Dispose();
}

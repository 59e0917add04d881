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

        var reader = new RoutedEventReader(new BlobServiceClient("UseDevelopmentStorage=true"));
        var (routed, error) = await reader.ReadAsync(queue, new QueueDelivery("m-1", 1, BinaryData.FromBytes(message)), CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(value, routed!.Json.ToArray());
    }

    public void Dispose() => _factory.Dispose();
}

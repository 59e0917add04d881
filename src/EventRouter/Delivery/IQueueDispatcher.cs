namespace EventRouter.Delivery;

/// <summary>
/// The seam between routing and storage: send a message to a queue, store an oversized payload.
/// <see cref="AzureQueueDispatcher"/> is the product implementation; tests may substitute it.
/// Implementations create queues and containers on first use and may throw on failure; the
/// pipeline classifies the exception.
/// </summary>
public interface IQueueDispatcher
{
    /// <summary>Sends <paramref name="message"/> (UTF-8 JSON) to <paramref name="queueName"/>.</summary>
    Task SendAsync(string queueName, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="content"/> as blob <paramref name="blobName"/> in the payload container, overwriting.</summary>
    Task UploadPayloadAsync(string blobName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}

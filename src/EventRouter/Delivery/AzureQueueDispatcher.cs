using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using EventRouter.Routing;

namespace EventRouter.Delivery;

/// <summary>
/// Writes to Azure Storage queues and the payload blob container. One client per queue, created
/// (with its queue) on first use and cached, never per message; each queue in the account
/// <see cref="StorageAccounts"/> names for it (a shard may live in another account than
/// <c>EventStorage</c>; blobs always live in <c>EventStorage</c>). Messages are sent Base64-encoded
/// (<see cref="QueueMessageEncoding.Base64"/> on the service client), which is what Azure Functions
/// queue triggers expect by default.
/// </summary>
public sealed class AzureQueueDispatcher : IQueueDispatcher
{
    private readonly StorageAccounts _queues;
    private readonly BlobContainerClient _payloads;
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queueClients = new(StringComparer.Ordinal);
    private readonly CreateOnce _payloadContainer;

    /// <summary>Every queue in the one account of <paramref name="queues"/>.</summary>
    public AzureQueueDispatcher(QueueServiceClient queues, BlobServiceClient blobs)
        : this(StorageAccounts.Single(queues), blobs)
    {
    }

    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public AzureQueueDispatcher(StorageAccounts queues, BlobServiceClient blobs)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(blobs);
        _queues = queues;
        _payloads = blobs.GetBlobContainerClient(RoutingDefaults.PayloadContainer);
        _payloadContainer = new CreateOnce(() => _payloads.CreateIfNotExistsAsync());
    }

    public async Task SendAsync(string queueName, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var queue = await GetQueueAsync(queueName, cancellationToken).ConfigureAwait(false);
        try
        {
            await queue.SendMessageAsync(new BinaryData(message), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Someone deleted the queue after we created it: create it again, once.
            _queueClients.TryRemove(queueName, out _);
            queue = await GetQueueAsync(queueName, cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(new BinaryData(message), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task UploadPayloadAsync(string blobName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await _payloadContainer.EnsureAsync().ConfigureAwait(false);
        await _payloads.GetBlobClient(blobName).UploadAsync(new BinaryData(content), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueueClient> GetQueueAsync(string queueName, CancellationToken cancellationToken)
    {
        var lazy = _queueClients.GetOrAdd(queueName, name => new Lazy<Task<QueueClient>>(() => CreateQueueAsync(name)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            // A failed creation must not be cached: the next caller tries again.
            _queueClients.TryRemove(new KeyValuePair<string, Lazy<Task<QueueClient>>>(queueName, lazy));
            throw;
        }
    }

    private async Task<QueueClient> CreateQueueAsync(string queueName)
    {
        var client = _queues.GetQueueClient(queueName);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }

}

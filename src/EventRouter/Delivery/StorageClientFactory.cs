using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace EventRouter.Delivery;

/// <summary>
/// Creates the Azure Storage service clients for the <c>EventStorage</c> connection, with the
/// retry policy from <see cref="DeliveryOptions"/> and Base64 queue messages (what Azure Functions
/// queue triggers decode by default). Both hosts use this one place.
/// </summary>
public static class StorageClientFactory
{
    /// <param name="configure">Further client options, after ours (the sandbox adds a request-counting policy).</param>
    public static QueueServiceClient CreateQueueServiceClient(EventStorageOptions storage, DeliveryOptions delivery, Action<ClientOptions>? configure = null)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        ConfigureRetry(options.Retry, delivery);
        configure?.Invoke(options);
        return storage.ConnectionString is { Length: > 0 } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(storage.QueueServiceUri, CreateCredential(storage), options);
    }

    /// <param name="configure">Further client options, after ours (the sandbox adds a request-counting policy).</param>
    public static BlobServiceClient CreateBlobServiceClient(EventStorageOptions storage, DeliveryOptions delivery, Action<ClientOptions>? configure = null)
    {
        var options = new BlobClientOptions();
        ConfigureRetry(options.Retry, delivery);
        configure?.Invoke(options);
        return storage.ConnectionString is { Length: > 0 } connectionString
            ? new BlobServiceClient(connectionString, options)
            : new BlobServiceClient(storage.BlobServiceUri, CreateCredential(storage), options);
    }

    private static void ConfigureRetry(RetryOptions retry, DeliveryOptions delivery)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = delivery.MaxRetries;
        retry.Delay = delivery.RetryDelay;
        retry.MaxDelay = delivery.MaxRetryDelay;
        retry.NetworkTimeout = delivery.NetworkTimeout;
    }

    private static TokenCredential CreateCredential(EventStorageOptions storage) =>
        string.IsNullOrEmpty(storage.ClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(storage.ClientId));
}

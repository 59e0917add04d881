namespace EventRouter.Delivery;

/// <summary>
/// Where the queues and payload blobs live, read from the <c>EventStorage</c> connection the way
/// Azure Functions reads connections: <c>EventStorage</c> holds a connection string
/// (<c>UseDevelopmentStorage=true</c> for Azurite), or <c>EventStorage__queueServiceUri</c> and
/// <c>EventStorage__blobServiceUri</c> select managed identity (DefaultAzureCredential, or the
/// user-assigned identity in <c>EventStorage__clientId</c>).
/// </summary>
public sealed class EventStorageOptions
{
    public const string ConnectionName = "EventStorage";
    // The identity form's keys, as app settings write them (the binder reads them case-insensitively).
    public const string QueueServiceUriSetting = ConnectionName + "__queueServiceUri";
    public const string BlobServiceUriSetting = ConnectionName + "__blobServiceUri";

    /// <summary>A storage connection string. Never logged.</summary>
    public string? ConnectionString { get; set; }
    public Uri? QueueServiceUri { get; set; }
    public Uri? BlobServiceUri { get; set; }
    /// <summary>Client id of a user-assigned managed identity.</summary>
    public string? ClientId { get; set; }

    public override string ToString() => ConnectionString is not null
        ? $"{ConnectionName} (connection string)"
        : $"{ConnectionName} (identity: queues {QueueServiceUri}, blobs {BlobServiceUri})";
}

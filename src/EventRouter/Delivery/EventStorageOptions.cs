using EventRouter.Routing;
using Microsoft.Extensions.Configuration;

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
    public const string ConnectionName = RoutingOptions.DefaultConnection;
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

    /// <summary>
    /// Reads storage connection <paramref name="name"/> (<c>EventStorage</c>, or one of
    /// <c>Routing:ShardConnections</c>) the way Azure Functions reads a connection: a value (connection
    /// string) or <c>__queueServiceUri</c>/<c>__blobServiceUri</c>/<c>__clientId</c> children.
    /// </summary>
    internal static void Read(IConfiguration configuration, string name, EventStorageOptions options)
    {
        var section = configuration.GetSection(name);
        options.ConnectionString = section.Value ?? configuration.GetConnectionString(name);
        options.QueueServiceUri = ParseUri(section["queueServiceUri"]);
        options.BlobServiceUri = ParseUri(section["blobServiceUri"]) ?? DeriveBlobUri(options.QueueServiceUri);
        options.ClientId = section["clientId"];
    }

    private static Uri? ParseUri(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : new Uri("invalid:" + Uri.EscapeDataString(value));

    // https://<account>.queue.core.windows.net -> https://<account>.blob.core.windows.net
    private static Uri? DeriveBlobUri(Uri? queueUri) =>
        queueUri is { Host: var host } && host.Contains(".queue.", StringComparison.OrdinalIgnoreCase)
            ? new UriBuilder(queueUri) { Host = host.Replace(".queue.", ".blob.", StringComparison.OrdinalIgnoreCase) }.Uri
            : null;
}

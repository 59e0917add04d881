using Azure.Storage.Queues;
using EventRouter.Delivery;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>
/// Start-up checks of the <c>EventStorage</c> connection (and, through <see cref="Check"/>, of each
/// connection in <c>Routing:ShardConnections</c>). Messages name the setting and never repeat its
/// value: a connection string holds an account key.
/// </summary>
public sealed class EventStorageOptionsValidator : IValidateOptions<EventStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, EventStorageOptions options) =>
        Check(EventStorageOptions.ConnectionName, options, requireBlobs: true) is { Count: > 0 } failures
            ? ValidateOptionsResult.Fail(failures)
            : ValidateOptionsResult.Success;

    /// <summary>What is wrong with connection <paramref name="connection"/>; empty when nothing is.</summary>
    /// <param name="requireBlobs">Whether the connection must reach blobs too (<c>EventStorage</c>: payloads, archive); shard connections hold queues only.</param>
    internal static IReadOnlyList<string> Check(string connection, EventStorageOptions options, bool requireBlobs)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new QueueServiceClient(options.ConnectionString);
                return [];
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return [$"{connection}: the value is not a valid storage connection string (value not shown: it may contain an account key)."];
            }
        }
        if (options.QueueServiceUri is null)
        {
            return [requireBlobs
                ? $"{connection} is not set: give a connection string in {connection} (UseDevelopmentStorage=true for Azurite), or {connection}__queueServiceUri and {connection}__blobServiceUri for managed identity."
                : $"{connection} is not set: give a connection string in {connection}, or {connection}__queueServiceUri for managed identity."];
        }
        var failures = new List<string>();
        if (!options.QueueServiceUri.IsAbsoluteUri || options.QueueServiceUri.Scheme != Uri.UriSchemeHttps)
            failures.Add($"{connection}__queueServiceUri must be an absolute https URI.");
        if (!requireBlobs) return failures;
        if (options.BlobServiceUri is null)
            failures.Add($"{connection}__blobServiceUri is required with {connection}__queueServiceUri (oversized events are stored as blobs).");
        else if (!options.BlobServiceUri.IsAbsoluteUri || options.BlobServiceUri.Scheme != Uri.UriSchemeHttps)
            failures.Add($"{connection}__blobServiceUri must be an absolute https URI.");
        return failures;
    }
}

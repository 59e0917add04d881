using Azure.Storage.Queues;
using EventRouter.Delivery;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>
/// Start-up checks of the <c>EventStorage</c> connection. Messages name the setting and never
/// repeat its value: a connection string holds an account key.
/// </summary>
public sealed class EventStorageOptionsValidator : IValidateOptions<EventStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, EventStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new QueueServiceClient(options.ConnectionString);
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail($"{EventStorageOptions.ConnectionName}: the value is not a valid storage connection string (value not shown: it may contain an account key).");
            }
        }
        if (options.QueueServiceUri is null)
        {
            return ValidateOptionsResult.Fail($"{EventStorageOptions.ConnectionName} is not set: give a connection string in {EventStorageOptions.ConnectionName} (UseDevelopmentStorage=true for Azurite), or {EventStorageOptions.QueueServiceUriSetting} and {EventStorageOptions.BlobServiceUriSetting} for managed identity.");
        }
        var failures = new List<string>();
        if (!options.QueueServiceUri.IsAbsoluteUri || options.QueueServiceUri.Scheme != Uri.UriSchemeHttps)
            failures.Add($"{EventStorageOptions.QueueServiceUriSetting} must be an absolute https URI.");
        if (options.BlobServiceUri is null)
            failures.Add($"{EventStorageOptions.BlobServiceUriSetting} is required with {EventStorageOptions.QueueServiceUriSetting} (oversized events are stored as blobs).");
        else if (!options.BlobServiceUri.IsAbsoluteUri || options.BlobServiceUri.Scheme != Uri.UriSchemeHttps)
            failures.Add($"{EventStorageOptions.BlobServiceUriSetting} must be an absolute https URI.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using EventRouter.Delivery;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace EventRouter.Processing;

/// <summary>
/// Keeps the event log the provider recommends: every event, once, in container
/// <c>event-archive</c> at <c>yyyy/MM/dd/&lt;type&gt;/&lt;event id&gt;.json</c> (the event's <c>created_at</c> date in UTC,
/// so every redelivery maps to the same blob; the routing date when created_at is a leap second). The
/// blob is created with <c>If-None-Match: *</c>, so a redelivery never rewrites it. Only a type of
/// the provider's shape (<c>CATEGORY.ACTION</c>, capitals, digits, underscores) becomes a path
/// segment; anything else is archived under <c>_other</c>.
/// </summary>
public sealed partial class EventArchiveHandler(BlobServiceClient blobs) : IEventHandler
{
    public const string ContainerName = "event-archive";

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(ContainerName);
    private readonly CreateOnce _created = new(() => blobs.GetBlobContainerClient(ContainerName).CreateIfNotExistsAsync());

    public string Name => "archive";

    public bool CanHandle(string queueName) => true;

    public async Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync().ConfigureAwait(false);

        try
        {
            await _container.GetBlobClient(BlobName(routedEvent)).UploadAsync(new BinaryData(routedEvent.Json), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Already archived by an earlier delivery: the archive holds each event once.
        }
    }

    public static string BlobName(RoutedEvent routedEvent)
    {
        var typeSegment = SafeType().IsMatch(routedEvent.Type) ? routedEvent.Type : "_other";
        return $"{(routedEvent.CreatedAt ?? routedEvent.RoutedAt).UtcDateTime:yyyy/MM/dd}/{typeSegment}/{routedEvent.Id:D}.json";
    }

    [GeneratedRegex("^[A-Z0-9_]{1,64}\\.[A-Z0-9_]{1,64}$")]
    private static partial Regex SafeType();
}

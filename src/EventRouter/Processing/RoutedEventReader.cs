using System.Text.Json;
using Azure.Storage.Blobs;
using EventRouter.Routing;
using EventRouter.Validation;

namespace EventRouter.Processing;

/// <summary>
/// Reads a routed queue message back into a <see cref="RoutedEvent"/>: the inline form, or the
/// offloaded form whose event is fetched from the payload container. A message that is not a
/// routed envelope, or whose event no longer validates, is reported, not thrown. The event is
/// validated with the field names of the topic it was routed from (<c>source.topic</c>), the same
/// names the router used.
/// </summary>
public sealed class RoutedEventReader(BlobServiceClient blobs, EventFieldMapping fieldMapping)
{
    // The router accepts events nested EventValidator.MaxDepth deep and the envelope adds a level;
    // JsonDocument's default (64) would turn such an event into an invalid envelope.
    private static readonly JsonDocumentOptions EnvelopeOptions = new() { MaxDepth = EventValidator.MaxDepth + 1 };
    private static readonly JsonDocumentOptions EventOptions = new() { MaxDepth = EventValidator.MaxDepth };

    private readonly BlobContainerClient _payloads = blobs.GetBlobContainerClient(RoutingDefaults.PayloadContainer);

    public async Task<(RoutedEvent? Event, string? Error)> ReadAsync(string queueName, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        JsonDocument envelope;
        try
        {
            envelope = JsonDocument.Parse(delivery.Body.ToMemory(), EnvelopeOptions);
        }
        catch (JsonException ex)
        {
            return (null, "message is not JSON: " + ex.Message);
        }

        using (envelope)
        {
            var root = envelope.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "message is not a JSON object");
            if (!TryReadOrigin(root, out var origin)) return (null, "message has no valid 'source'");
            if (!root.TryGetProperty("routedAt", out var routedAtElement) || routedAtElement.ValueKind != JsonValueKind.String || !routedAtElement.TryGetDateTimeOffset(out var routedAt))
                return (null, "message has no valid 'routedAt'");

            ReadOnlyMemory<byte> json;
            if (root.TryGetProperty("event", out var inline))
            {
                // The raw text of the element: the original event, unchanged.
                json = System.Text.Encoding.UTF8.GetBytes(inline.GetRawText());
            }
            else if (root.TryGetProperty("eventBlob", out var blobName) && blobName.ValueKind == JsonValueKind.String
                     && IsPayloadBlobName(blobName.GetString()!))
            {
                var download = await _payloads.GetBlobClient(blobName.GetString()).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                json = download.Value.Content.ToMemory();
            }
            else
            {
                return (null, "message has neither 'event' nor a valid 'eventBlob'");
            }

            var fields = fieldMapping.For(origin.Topic);
            var validation = EventValidator.Validate(json.Span, fields);
            if (!validation.IsValid) return (null, $"event is not valid: {validation.Reason.ToCode()}: {validation.Error}");

            DateTimeOffset? createdAt = null;
            using (var parsed = JsonDocument.Parse(json, EventOptions))
            {
                // Not GetProperty: it unescapes every member name it passes and throws on an escaped
                // unpaired surrogate ("\uD800"), which an unknown field of a valid event may hold.
                foreach (var member in parsed.RootElement.EnumerateObject())
                {
                    if (!NameIs(member, fields.CreatedAtUtf8)) continue;
                    if (member.Value.TryGetDateTimeOffset(out var value)) createdAt = value;
                    break;
                }
            }

            return (new RoutedEvent
            {
                CreatedAt = createdAt,
                Queue = queueName,
                Id = validation.Id,
                Type = validation.GetEventType(json.Span),
                Json = json,
                Fields = fields,
                Origin = origin,
                RoutedAt = routedAt,
                Delivery = delivery,
            }, null);
        }
    }

    private static bool NameIs(JsonProperty member, ReadOnlySpan<byte> name)
    {
        try
        {
            return member.NameEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false; // an escaped unpaired surrogate: not one of our names
        }
    }

    // Only names our own router writes (events/<topic>/<partition>/<offset>.json) are followed.
    private static bool IsPayloadBlobName(string name) =>
        name.StartsWith("events/", StringComparison.Ordinal) && !name.Contains("..", StringComparison.Ordinal) && name.Length < 1024;

    private static bool TryReadOrigin(JsonElement root, out EventOrigin origin)
    {
        origin = default;
        if (!root.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object) return false;
        if (!source.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String) return false;
        if (!source.TryGetProperty("partition", out var partition) || !partition.TryGetInt32(out var p)) return false;
        if (!source.TryGetProperty("offset", out var offset) || !offset.TryGetInt64(out var o)) return false;
        DateTimeOffset? timestamp = source.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.String && ts.TryGetDateTimeOffset(out var t) ? t : null;
        origin = new EventOrigin(topic.GetString()!, p, o, timestamp);
        return true;
    }
}

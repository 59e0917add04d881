using System.Text.Json;
using Azure.Storage.Blobs;
using EventRouter.Formats;
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
    private static readonly JsonDocumentOptions EventOptions = new() { MaxDepth = EventValidator.MaxDepth };

    private readonly BlobContainerClient _payloads = blobs.GetBlobContainerClient(RoutingDefaults.PayloadContainer);

    /// <summary>Reads the envelope (<see cref="RoutedMessage.Read"/>) and then the event.</summary>
    public Task<(RoutedEvent? Event, string? Error)> ReadAsync(string queueName, QueueDelivery delivery, CancellationToken cancellationToken) =>
        ReadAsync(queueName, delivery, RoutedMessage.Read(delivery.Body.ToMemory()), cancellationToken);

    /// <summary>The event of an envelope already read: fetched from its blob when offloaded, then validated.</summary>
    public async Task<(RoutedEvent? Event, string? Error)> ReadAsync(string queueName, QueueDelivery delivery, RoutedEnvelope envelope,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Error is { } envelopeError) return (null, envelopeError);

        ReadOnlyMemory<byte> json;
        if (envelope.InlineEvent is { } inline)
        {
            json = inline;
        }
        else
        {
            var download = await _payloads.GetBlobClient(envelope.EventBlob).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            json = download.Value.Content.ToMemory();
        }

        var source = envelope.Source;
        var fields = fieldMapping.For(source.Topic);
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
            Origin = new EventOrigin(source.Topic, source.Partition, source.Offset, source.Timestamp),
            RoutedAt = envelope.RoutedAt,
            Delivery = delivery,
        }, null);
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
}

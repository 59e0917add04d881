using System.Text.Json;
using EventRouter.Validation;

namespace EventRouter.Processing;

/// <summary>One routed event as a handler receives it: the original event and where it came from.</summary>
public sealed class RoutedEvent
{
    public required string Queue { get; init; }
    public required Guid Id { get; init; }
    /// <summary>The event's type (its <see cref="EventFieldNames.Type"/> field). Untrusted text: never build resource names from it.</summary>
    public required string Type { get; init; }
    /// <summary>The original event JSON, exactly as it was on Kafka.</summary>
    public required ReadOnlyMemory<byte> Json { get; init; }
    /// <summary>
    /// Which fields of <see cref="Json"/> hold id, type, creation time and object on this event's
    /// topic: read the object as <c>root.GetProperty(routedEvent.Fields.Object)</c>, not <c>"object"</c>.
    /// </summary>
    public EventFieldNames Fields { get; init; } = EventFieldNames.Default;
    /// <summary>The event's creation time (its <see cref="EventFieldNames.CreatedAt"/> field), when .NET can represent it (a leap second cannot be).</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    public required EventOrigin Origin { get; init; }
    public required DateTimeOffset RoutedAt { get; init; }
    /// <summary>The queue message carrying it (id and how often it was dequeued).</summary>
    public required QueueDelivery Delivery { get; init; }

    /// <summary>Parses the event; the caller disposes the document.</summary>
    public JsonDocument Parse() => JsonDocument.Parse(Json);
}

/// <summary>Kafka coordinates of a routed event.</summary>
public readonly record struct EventOrigin(string Topic, int Partition, long Offset, DateTimeOffset? Timestamp);

/// <summary>A queue message as a host received it (Functions' <c>QueueMessage</c> or our own pump's).</summary>
/// <param name="MessageId">The queue message id.</param>
/// <param name="DequeueCount">How many times it has been dequeued, this time included.</param>
/// <param name="Body">The decoded message body (UTF-8 JSON).</param>
/// <param name="InsertedOn">When it was enqueued, when known.</param>
public readonly record struct QueueDelivery(string MessageId, long DequeueCount, BinaryData Body, DateTimeOffset? InsertedOn = null);

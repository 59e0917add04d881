using System.Text;
using System.Text.Json;
using EventRouter.Formats;
using EventRouter.Routing;
using EventRouter.Validation;

namespace EventRouter.Cli.Operations;

/// <summary>Which poison messages an operation applies to. Every set criterion must match.</summary>
internal sealed record PoisonFilter(string? Reason = null, string? Type = null, TimeSpan? OlderThan = null, int? Limit = null)
{
    public bool Matches(PoisonEntry entry, DateTimeOffset now)
    {
        if (Reason is { Length: > 0 } reason && !string.Equals(entry.Reason, reason, StringComparison.OrdinalIgnoreCase)) return false;
        if (Type is { Length: > 0 } type)
        {
            if (entry.EventType is null) return false;
            var matches = type.EndsWith(".*", StringComparison.Ordinal)
                ? entry.EventType.StartsWith(type[..^1], StringComparison.OrdinalIgnoreCase)
                : string.Equals(entry.EventType, type, StringComparison.OrdinalIgnoreCase);
            if (!matches) return false;
        }
        if (OlderThan is { } olderThan && entry.Age(now) < olderThan) return false;
        return true;
    }
}

/// <summary>What kind of poison message: where it came from decides how it is re-driven.</summary>
internal enum PoisonKind
{
    /// <summary><c>events-poison</c>: a Kafka record the router rejected (<see cref="Formats.PoisonMessage"/>).</summary>
    Kafka,
    /// <summary><c>&lt;queue&gt;-poison</c> written by the self-hosted worker (<see cref="Formats.QueuePoisonMessage"/>).</summary>
    Queue,
    /// <summary><c>&lt;queue&gt;-poison</c> written by the Azure Functions runtime: the original body, no reason.</summary>
    RawCopy,
}

/// <summary>One poison message, parsed. Tolerant: anything missing stays null.</summary>
internal sealed record PoisonEntry
{
    /// <summary>The reason shown for a Functions-runtime copy, which carries none.</summary>
    public const string RawCopyReason = "raw-copy";

    public required string PoisonQueue { get; init; }
    public required string MessageId { get; init; }
    public required PoisonKind Kind { get; init; }
    public required string Reason { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? PoisonedAt { get; init; }
    public DateTimeOffset? InsertedOn { get; init; }
    public string? Topic { get; init; }
    public int? Partition { get; init; }
    public long? Offset { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    /// <summary>Queue-stage poison: the queue the message failed in (also for a raw copy: the poison queue's twin).</summary>
    public string? OriginQueue { get; init; }
    public string? OriginMessageId { get; init; }
    public string? EventId { get; init; }
    public string? EventType { get; init; }
    public string? ValueBlob { get; init; }
    public string? KeyBlob { get; init; }
    public string? HeadersBlob { get; init; }
    /// <summary>Every <c>event-payloads</c> blob the message names.</summary>
    public IEnumerable<string> Blobs => new[] { ValueBlob, KeyBlob, HeadersBlob }.OfType<string>();
    /// <summary>The message body as stored (UTF-8 JSON, or anything for a raw copy).</summary>
    public required BinaryData Body { get; init; }

    public TimeSpan Age(DateTimeOffset now) => now - (PoisonedAt ?? InsertedOn ?? now);

    /// <summary>"Notifications/3@1042" or "queue events-user, message …".</summary>
    public string SourceText => Kind == PoisonKind.Kafka
        ? $"{Topic}/{Partition}@{Offset}"
        : $"{OriginQueue} {OriginMessageId}".Trim();

    /// <summary>The Kafka poison message as read, for <see cref="PoisonKind.Kafka"/>.</summary>
    public PoisonEnvelope? KafkaPoison { get; init; }
    /// <summary>The queue-stage poison message as read, for <see cref="PoisonKind.Queue"/>.</summary>
    public QueuePoisonEnvelope? QueuePoison { get; init; }

    public static PoisonEntry Parse(string poisonQueue, string messageId, DateTimeOffset? insertedOn, BinaryData body)
    {
        JsonDocument? document = null;
        try { document = JsonDocument.Parse(body.ToMemory()); } catch (JsonException) { }
        var origin = poisonQueue.EndsWith(RoutingDefaults.PoisonQueueSuffix, StringComparison.Ordinal) ? poisonQueue[..^RoutingDefaults.PoisonQueueSuffix.Length] : null;
        using (document)
        {
            if (document is not null && QueuePoisonMessage.TryRead(document.RootElement, out var queuePoison))
            {
                var (id, type) = queuePoison.Value is null ? (null, null) : EventIdentity(queuePoison.Value);
                return new PoisonEntry
                {
                    PoisonQueue = poisonQueue, MessageId = messageId, InsertedOn = insertedOn, Body = body, Kind = PoisonKind.Queue,
                    Reason = queuePoison.Reason, Error = queuePoison.Error, PoisonedAt = queuePoison.PoisonedAt, OriginQueue = queuePoison.Source.Queue,
                    OriginMessageId = queuePoison.Source.MessageId, EventId = id, EventType = type, ValueBlob = queuePoison.ValueBlob,
                    QueuePoison = queuePoison,
                };
            }
            if (document is not null && PoisonMessage.TryRead(document.RootElement, out var poison))
            {
                var (eventId, eventType) = poison.Value is null ? (null, null) : EventIdentity(poison.Value);
                eventId ??= poison.HeaderText("event-id");
                eventType ??= poison.HeaderText("event-type");
                return new PoisonEntry
                {
                    PoisonQueue = poisonQueue, MessageId = messageId, InsertedOn = insertedOn, Body = body, Kind = PoisonKind.Kafka,
                    Reason = poison.Reason, Error = poison.Error, PoisonedAt = poison.PoisonedAt,
                    Topic = poison.Source?.Topic, Partition = poison.Source?.Partition, Offset = poison.Source?.Offset,
                    Timestamp = poison.Source?.Timestamp, EventId = eventId, EventType = eventType,
                    ValueBlob = poison.ValueBlob, KeyBlob = poison.KeyBlob, HeadersBlob = poison.HeadersBlob,
                    KafkaPoison = poison,
                };
            }
        }

        // The Functions runtime's copy: the routed envelope itself (or whatever the body was).
        var (rawId, rawType) = EventIdentity(body.ToArray());
        return new PoisonEntry
        {
            PoisonQueue = poisonQueue, MessageId = messageId, InsertedOn = insertedOn, Body = body, Kind = PoisonKind.RawCopy,
            Reason = RawCopyReason, OriginQueue = origin, EventId = rawId, EventType = rawType,
        };
    }

    /// <summary>The event id and type of an event (the provider's field names) or of a routed envelope, when the bytes are such JSON.</summary>
    internal static (string? Id, string? Type) EventIdentity(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            if (RoutedMessage.TryGetInlineEvent(root, out var inner))
            {
                root = inner;
            }
            else if (RoutedMessage.ReadOffloadedIdentity(root) is { Id: { } offloadedId } offloaded)
            {
                return (offloadedId, offloaded.Type);
            }
            return (Text(root, EventFieldNames.Default.Id), Text(root, EventFieldNames.Default.Type));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The bytes as text when they are valid UTF-8, otherwise null.</summary>
    internal static string? Utf8Text(byte[]? bytes)
    {
        if (bytes is null || !System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        return Encoding.UTF8.GetString(bytes);
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    public static PoisonEntry Parse(string poisonQueue, string messageId, DateTimeOffset? insertedOn, BinaryData body)
    {
        JsonNode? root = null;
        try { root = JsonNode.Parse(body.ToMemory().Span.ToArray()); } catch (JsonException) { }
        var origin = poisonQueue.EndsWith("-poison", StringComparison.Ordinal) ? poisonQueue[..^"-poison".Length] : null;

        if (root is JsonObject obj && Str(obj, "reason") is { } reason && obj["source"] is JsonObject source)
        {
            var poisonedAt = Time(Str(obj, "poisonedAt"));
            if (Str(source, "queue") is { } queue)
            {
                var value = Bytes(Str(obj, "value"));
                var (id, type) = value is null ? (null, null) : EventIdentity(value);
                return new PoisonEntry
                {
                    PoisonQueue = poisonQueue, MessageId = messageId, InsertedOn = insertedOn, Body = body, Kind = PoisonKind.Queue,
                    Reason = reason, Error = Str(obj, "error"), PoisonedAt = poisonedAt, OriginQueue = queue,
                    OriginMessageId = Str(source, "messageId"), EventId = id, EventType = type, ValueBlob = Str(obj, "valueBlob"),
                };
            }
            var kafkaValue = Bytes(Str(obj, "value"));
            var (eventId, eventType) = kafkaValue is null ? (null, null) : EventIdentity(kafkaValue);
            if (obj["headers"] is JsonObject headers)
            {
                eventId ??= Str(headers, "event-id");
                eventType ??= Str(headers, "event-type");
            }
            return new PoisonEntry
            {
                PoisonQueue = poisonQueue, MessageId = messageId, InsertedOn = insertedOn, Body = body, Kind = PoisonKind.Kafka,
                Reason = reason, Error = Str(obj, "error"), PoisonedAt = poisonedAt,
                Topic = Str(source, "topic"), Partition = Int(source, "partition"), Offset = Long(source, "offset"),
                Timestamp = Time(Str(source, "timestamp")), EventId = eventId, EventType = eventType,
                ValueBlob = Str(obj, "valueBlob"), KeyBlob = Str(obj, "keyBlob"), HeadersBlob = Str(obj, "headersBlob"),
            };
        }

        // The Functions runtime's copy: the routed envelope itself (or whatever the body was).
        var (rawId, rawType) = EventIdentity(body.ToArray());
        return new PoisonEntry
        {
            PoisonQueue = poisonQueue, MessageId = messageId, InsertedOn = insertedOn, Body = body, Kind = PoisonKind.RawCopy,
            Reason = RawCopyReason, OriginQueue = origin, EventId = rawId, EventType = rawType,
        };
    }

    /// <summary>The event id and type of an event or a routed envelope, when the bytes are such JSON.</summary>
    internal static (string? Id, string? Type) EventIdentity(byte[] bytes)
    {
        try
        {
            if (JsonNode.Parse(bytes) is not JsonObject obj) return (null, null);
            if (obj["event"] is JsonObject inner) obj = inner;
            else if (Str(obj, "eventId") is { } offloadedId) return (offloadedId, Str(obj, "eventType"));
            return (Str(obj, "id"), Str(obj, "type"));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return (null, null);
        }
    }

    /// <summary>The bytes as text when they are valid UTF-8, otherwise null.</summary>
    internal static string? Utf8Text(byte[]? bytes)
    {
        if (bytes is null || !System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        return Encoding.UTF8.GetString(bytes);
    }

    internal static string? Str(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static int? Int(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
    private static long? Long(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<long>(out var i) ? i : null;
    private static DateTimeOffset? Time(string? text) => DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
        System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    internal static byte[]? Bytes(string? base64)
    {
        if (base64 is null) return null;
        try { return Convert.FromBase64String(base64); } catch (FormatException) { return null; }
    }
}

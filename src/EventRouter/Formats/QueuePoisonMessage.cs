using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace EventRouter.Formats;

/// <summary>Which queue message a queue-stage poison message was, as its <c>"source"</c> object carries it.</summary>
/// <param name="Queue">The queue the message failed in.</param>
/// <param name="MessageId">Its queue message id.</param>
/// <param name="DequeueCount">How often it had been dequeued.</param>
/// <param name="InsertedOn">When it was enqueued, when known.</param>
public readonly record struct QueueMessageSource(string Queue, string MessageId, long DequeueCount, DateTimeOffset? InsertedOn = null);

/// <summary>
/// The message a queue-stage failure becomes in <c>&lt;queue&gt;-poison</c>:
/// <c>{"reason", "error", "source": {"queue", "messageId", "dequeueCount", "insertedOn"}, "value", "poisonedAt", "routerVersion"}</c>,
/// <c>value</c> being the original message body in Base64 (or <c>valueBlob</c> naming a blob in
/// <c>event-payloads</c> when it would not fit). Azure Functions' own poison handling, by contrast,
/// copies the body unchanged; tools accept both shapes. Written and read only here.
/// </summary>
public static class QueuePoisonMessage
{
    private static readonly JsonEncodedText QueueName = JsonEncodedText.Encode("queue");
    private static readonly JsonEncodedText MessageIdName = JsonEncodedText.Encode("messageId");
    private static readonly JsonEncodedText DequeueCountName = JsonEncodedText.Encode("dequeueCount");
    private static readonly JsonEncodedText InsertedOnName = JsonEncodedText.Encode("insertedOn");

    /// <summary>The longest error text a message keeps.</summary>
    public const int MaxErrorLength = 2048;

    public static byte[] Create(QueueMessageSource source, ReadOnlyMemory<byte> body, PoisonReason reason, string error, DateTimeOffset poisonedAt,
        string? valueBlob = null)
    {
        var buffer = new ArrayBufferWriter<byte>(body.Length * 4 / 3 + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(PoisonFields.Reason, reason.ToCode());
            writer.WriteString(PoisonFields.Error, error.Length > MaxErrorLength ? error[..MaxErrorLength] : error);
            writer.WriteStartObject(RecordSource.Source);
            writer.WriteString(QueueName, source.Queue);
            writer.WriteString(MessageIdName, source.MessageId);
            writer.WriteNumber(DequeueCountName, source.DequeueCount);
            if (source.InsertedOn is { } inserted) writer.WriteString(InsertedOnName, inserted.UtcDateTime);
            writer.WriteEndObject();
            if (valueBlob is not null) writer.WriteString(PoisonFields.ValueBlob, valueBlob);
            else writer.WriteBase64String(PoisonFields.Value, body.Span);
            writer.WriteString(PoisonFields.PoisonedAt, poisonedAt.UtcDateTime);
            writer.WriteString(PoisonFields.RouterVersion, PoisonFields.Version);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string ValueBlobName(QueueMessageSource source) => $"poison/queues/{source.Queue}/{source.MessageId}.value";

    /// <summary>
    /// Reads a queue-stage poison message: true when it has a <c>reason</c> and a <c>source</c> naming a
    /// queue. Tolerant of the rest: what is missing or mistyped stays null.
    /// </summary>
    public static bool TryRead(JsonElement message, [NotNullWhen(true)] out QueuePoisonEnvelope? envelope)
    {
        envelope = null;
        if (FormatReading.String(message, PoisonFields.Reason) is not { } reason
            || !message.TryGetProperty(RecordSource.Source.EncodedUtf8Bytes, out var source)
            || FormatReading.String(source, QueueName) is not { } queue)
        {
            return false;
        }
        var dequeueCount = source.TryGetProperty(DequeueCountName.EncodedUtf8Bytes, out var count) && count.TryGetInt64(out var c) ? c : 0;
        envelope = new QueuePoisonEnvelope
        {
            Reason = reason,
            Error = FormatReading.String(message, PoisonFields.Error),
            Source = new QueueMessageSource(queue, FormatReading.String(source, MessageIdName) ?? "", dequeueCount, FormatReading.Time(source, InsertedOnName)),
            Value = FormatReading.Base64(message, PoisonFields.Value),
            ValueBlob = FormatReading.String(message, PoisonFields.ValueBlob),
            PoisonedAt = FormatReading.Time(message, PoisonFields.PoisonedAt),
        };
        return true;
    }
}

/// <summary>A queue-stage poison message as <see cref="QueuePoisonMessage.TryRead"/> found it.</summary>
public sealed record QueuePoisonEnvelope
{
    /// <summary>The reason code (<see cref="PoisonReasonCodes"/>), as written.</summary>
    public required string Reason { get; init; }
    public string? Error { get; init; }
    public required QueueMessageSource Source { get; init; }
    /// <summary>The original message body; null when it is in <see cref="ValueBlob"/>.</summary>
    public byte[]? Value { get; init; }
    public string? ValueBlob { get; init; }
    public DateTimeOffset? PoisonedAt { get; init; }
}

/// <summary>The member names both poison messages share, and the version they carry.</summary>
internal static class PoisonFields
{
    public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    public static readonly JsonEncodedText ValueBlob = JsonEncodedText.Encode("valueBlob");
    public static readonly JsonEncodedText PoisonedAt = JsonEncodedText.Encode("poisonedAt");
    public static readonly JsonEncodedText RouterVersion = JsonEncodedText.Encode("routerVersion");

    /// <summary>The EventRouter version written into every poison message.</summary>
    public static readonly string Version = typeof(PoisonFields).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}

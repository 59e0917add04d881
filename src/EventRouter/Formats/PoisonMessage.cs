using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;

namespace EventRouter.Formats;

/// <summary>
/// Builds the message a rejected record becomes, so that nothing is lost and the reason travels
/// with it: <c>{"reason", "error", "source", "headers": {name: value}, "key", "value", "poisonedAt", "routerVersion"}</c>.
/// <c>value</c> and <c>key</c> are the original bytes in Base64 (null when absent). A header value
/// that is not UTF-8 is written as <c>{"base64": "..."}</c>; a repeated header name as an array.
/// When the message would not fit a queue, the value goes to a blob and <c>valueBlob</c> names it
/// instead of <c>value</c>; if the headers are still too large, they go to <c>headersBlob</c>, and
/// then the key to <c>keyBlob</c>. Every part that is left is bounded, so the message always fits.
/// </summary>
public static class PoisonMessage
{
    private static readonly JsonEncodedText HeadersField = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText HeadersBlobField = JsonEncodedText.Encode("headersBlob");
    private static readonly JsonEncodedText KeyField = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText KeyBlobField = JsonEncodedText.Encode("keyBlob");
    private static readonly JsonEncodedText Base64Field = JsonEncodedText.Encode("base64");

    public static byte[] Create(InboundRecord record, PoisonReason reason, string error, DateTimeOffset poisonedAt,
        string? valueBlob = null, string? headersBlob = null, string? keyBlob = null)
    {
        var buffer = new ArrayBufferWriter<byte>((record.Value?.Length ?? 0) * 4 / 3 + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(PoisonFields.Reason, reason.ToCode());
            writer.WriteString(PoisonFields.Error, error);
            RecordSource.Write(writer, record);
            if (headersBlob is not null) writer.WriteString(HeadersBlobField, headersBlob);
            else WriteHeaders(writer, record.Headers);
            if (keyBlob is not null) writer.WriteString(KeyBlobField, keyBlob);
            else WriteBytes(writer, KeyField, record.Key);
            if (valueBlob is not null) writer.WriteString(PoisonFields.ValueBlob, valueBlob);
            else WriteBytes(writer, PoisonFields.Value, record.Value);
            writer.WriteString(PoisonFields.PoisonedAt, poisonedAt.UtcDateTime);
            writer.WriteString(PoisonFields.RouterVersion, PoisonFields.Version);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The headers object alone, as stored in a headers blob.</summary>
    public static byte[] CreateHeadersDocument(IReadOnlyList<RecordHeader> headers)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteHeaders(writer, headers);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string ValueBlobName(InboundRecord record) => $"poison/{record.Topic}/{record.Partition}/{record.Offset}.value";
    public static string KeyBlobName(InboundRecord record) => $"poison/{record.Topic}/{record.Partition}/{record.Offset}.key";
    public static string HeadersBlobName(InboundRecord record) => $"poison/{record.Topic}/{record.Partition}/{record.Offset}.headers.json";

    private static void WriteHeaders(Utf8JsonWriter writer, IReadOnlyList<RecordHeader> headers)
    {
        writer.WriteStartObject(HeadersField);
        var written = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers[i].Name;
            if (!written.Add(name)) continue;
            var repeats = 0;
            for (var j = i + 1; j < headers.Count; j++) if (headers[j].Name == name) repeats++;
            writer.WritePropertyName(name);
            if (repeats == 0)
            {
                WriteHeaderValue(writer, headers[i].Value);
                continue;
            }
            writer.WriteStartArray();
            for (var j = i; j < headers.Count; j++) if (headers[j].Name == name) WriteHeaderValue(writer, headers[j].Value);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static void WriteHeaderValue(Utf8JsonWriter writer, ReadOnlyMemory<byte>? value)
    {
        if (value is not { } bytes) writer.WriteNullValue();
        else if (Utf8.IsValid(bytes.Span)) writer.WriteStringValue(bytes.Span);
        else
        {
            writer.WriteStartObject();
            writer.WriteBase64String(Base64Field, bytes.Span);
            writer.WriteEndObject();
        }
    }

    private static void WriteBytes(Utf8JsonWriter writer, JsonEncodedText name, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is { } b) writer.WriteBase64String(name, b.Span);
        else writer.WriteNull(name);
    }

    /// <summary>
    /// Reads a poison message of a Kafka record: true when it has a <c>reason</c> and a <c>source</c>
    /// object that names no queue (that is a <see cref="QueuePoisonMessage"/>). Tolerant of the rest:
    /// what is missing or mistyped stays null; the source is null unless topic, partition and offset are all there.
    /// </summary>
    public static bool TryRead(JsonElement message, [NotNullWhen(true)] out PoisonEnvelope? envelope)
    {
        envelope = null;
        if (FormatReading.String(message, PoisonFields.Reason) is not { } reason
            || !message.TryGetProperty(RecordSource.Source.EncodedUtf8Bytes, out var source) || source.ValueKind != JsonValueKind.Object
            || QueuePoisonMessage.TryRead(message, out _))
        {
            return false;
        }
        var hasHeaders = message.TryGetProperty(HeadersField.EncodedUtf8Bytes, out var headers) && headers.ValueKind == JsonValueKind.Object;
        envelope = new PoisonEnvelope
        {
            Reason = reason,
            Error = FormatReading.String(message, PoisonFields.Error),
            Source = RecordSource.TryRead(message, out var kafka) ? kafka : null,
            Headers = hasHeaders ? ReadHeaders(headers) : [],
            HeadersJson = hasHeaders ? headers.GetRawText() : null,
            Key = FormatReading.Base64(message, KeyField),
            Value = FormatReading.Base64(message, PoisonFields.Value),
            HeadersBlob = FormatReading.String(message, HeadersBlobField),
            KeyBlob = FormatReading.String(message, KeyBlobField),
            ValueBlob = FormatReading.String(message, PoisonFields.ValueBlob),
            PoisonedAt = FormatReading.Time(message, PoisonFields.PoisonedAt),
        };
        return true;
    }

    /// <summary>Reads a headers blob (<see cref="CreateHeadersDocument"/>): the headers in wire order, and their JSON.</summary>
    /// <exception cref="JsonException">The blob is not JSON.</exception>
    public static (IReadOnlyList<RecordHeader> Headers, string? Json) ReadHeadersDocument(ReadOnlyMemory<byte> document)
    {
        using var parsed = JsonDocument.Parse(document);
        return parsed.RootElement.ValueKind == JsonValueKind.Object && parsed.RootElement.TryGetProperty(HeadersField.EncodedUtf8Bytes, out var headers)
            && headers.ValueKind == JsonValueKind.Object
            ? (ReadHeaders(headers), headers.GetRawText())
            : ([], null);
    }

    /// <summary>The inverse of <c>WriteHeaders</c>: a repeated name was written as an array of its values.</summary>
    private static List<RecordHeader> ReadHeaders(JsonElement headers)
    {
        var list = new List<RecordHeader>();
        foreach (var header in headers.EnumerateObject())
        {
            if (header.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var value in header.Value.EnumerateArray()) list.Add(new RecordHeader(header.Name, ReadHeaderValue(value)));
            }
            else
            {
                list.Add(new RecordHeader(header.Name, ReadHeaderValue(header.Value)));
            }
        }
        return list;
    }

    // Not a switch expression: its arms' common type would be byte[], and a null byte[] converts to
    // empty memory, not to null, so a null header would come back as an empty one.
    private static ReadOnlyMemory<byte>? ReadHeaderValue(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return System.Text.Encoding.UTF8.GetBytes(value.GetString()!);
        if (value.ValueKind == JsonValueKind.Object && FormatReading.Base64(value, Base64Field) is { } bytes) return bytes;
        return System.Text.Encoding.UTF8.GetBytes(value.GetRawText());
    }
}

/// <summary>A poison message of a Kafka record as <see cref="PoisonMessage.TryRead"/> found it.</summary>
public sealed record PoisonEnvelope
{
    /// <summary>The reason code (<see cref="PoisonReasonCodes"/>), as written.</summary>
    public required string Reason { get; init; }
    public string? Error { get; init; }
    /// <summary>Where in Kafka the record was; null when the message does not say in full.</summary>
    public KafkaSource? Source { get; init; }
    /// <summary>The record's headers in wire order (empty when they are in <see cref="HeadersBlob"/>).</summary>
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];
    /// <summary>The <c>headers</c> object as written, for display; null when absent.</summary>
    public string? HeadersJson { get; init; }
    /// <summary>The record's key; null when it had none or it is in <see cref="KeyBlob"/>.</summary>
    public byte[]? Key { get; init; }
    /// <summary>The record's value; null for a tombstone or when it is in <see cref="ValueBlob"/>.</summary>
    public byte[]? Value { get; init; }
    public string? HeadersBlob { get; init; }
    public string? KeyBlob { get; init; }
    public string? ValueBlob { get; init; }
    public DateTimeOffset? PoisonedAt { get; init; }

    /// <summary>The first value of header <paramref name="name"/> as text, when it is UTF-8.</summary>
    public string? HeaderText(string name)
    {
        foreach (var header in Headers)
        {
            if (header.Name == name && header.Value is { } value && System.Text.Unicode.Utf8.IsValid(value.Span)) return System.Text.Encoding.UTF8.GetString(value.Span);
        }
        return null;
    }
}

using System.Buffers;
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
    private static readonly string RouterVersion = typeof(PoisonMessage).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static byte[] Create(InboundRecord record, PoisonReason reason, string error, DateTimeOffset poisonedAt,
        string? valueBlob = null, string? headersBlob = null, string? keyBlob = null)
    {
        var buffer = new ArrayBufferWriter<byte>((record.Value?.Length ?? 0) * 4 / 3 + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("reason"u8, reason.ToCode());
            writer.WriteString("error"u8, error);
            RecordSource.Write(writer, record);
            if (headersBlob is not null) writer.WriteString("headersBlob"u8, headersBlob);
            else WriteHeaders(writer, record.Headers);
            if (keyBlob is not null) writer.WriteString("keyBlob"u8, keyBlob);
            else WriteBytes(writer, "key"u8, record.Key);
            if (valueBlob is not null) writer.WriteString("valueBlob"u8, valueBlob);
            else WriteBytes(writer, "value"u8, record.Value);
            writer.WriteString("poisonedAt"u8, poisonedAt.UtcDateTime);
            writer.WriteString("routerVersion"u8, RouterVersion);
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
        writer.WriteStartObject("headers"u8);
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
            writer.WriteBase64String("base64"u8, bytes.Span);
            writer.WriteEndObject();
        }
    }

    private static void WriteBytes(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is { } b) writer.WriteBase64String(name, b.Span);
        else writer.WriteNull(name);
    }
}

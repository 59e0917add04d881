using System.Buffers;
using System.Text.Json;

namespace EventRouter.Formats;

/// <summary>
/// Builds the message a routed event becomes:
/// <c>{"event": &lt;the original event, byte for byte&gt;, "source": {...}, "routedAt": "..."}</c>, or, when
/// that would not fit a queue message, <c>{"eventBlob": "&lt;blob name&gt;", "eventId", "eventType", "source", "routedAt"}</c>
/// with the event stored in the <c>event-payloads</c> container.
/// </summary>
public static class RoutedMessage
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>Serialises the inline form. <paramref name="eventJson"/> must already be validated.</summary>
    public static byte[] Create(ReadOnlySpan<byte> eventJson, InboundRecord record, DateTimeOffset routedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(eventJson.Length + 192);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("event"u8);
            // The event is embedded unchanged (unknown fields, order and spacing preserved).
            writer.WriteRawValue(eventJson, skipInputValidation: true);
            RecordSource.Write(writer, record);
            writer.WriteString("routedAt"u8, routedAt.UtcDateTime);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serialises the offloaded form, pointing at a blob in <see cref="Routing.RoutingDefaults.PayloadContainer"/>.</summary>
    public static byte[] CreateOffloaded(string blobName, Guid eventId, string eventType, InboundRecord record, DateTimeOffset routedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventBlob"u8, blobName);
            writer.WriteString("eventId"u8, eventId);
            writer.WriteString("eventType"u8, eventType.Length > 256 ? eventType[..256] : eventType);
            RecordSource.Write(writer, record);
            writer.WriteString("routedAt"u8, routedAt.UtcDateTime);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Blob name of an offloaded event: unique per record and stable across redeliveries.</summary>
    public static string BlobName(InboundRecord record) => $"events/{record.Topic}/{record.Partition}/{record.Offset}.json";
}

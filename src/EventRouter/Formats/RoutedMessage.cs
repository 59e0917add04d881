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

    // Scratch buffer and writer reused per thread, so the message array is the only allocation per
    // event (was: buffer, writer and the copy). Create never awaits, so nothing else can use them
    // meanwhile. A buffer grown past MaxRetainedScratchBytes by a big event is dropped after use.
    private const int MaxRetainedScratchBytes = 64 * 1024;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>Serialises the inline form. <paramref name="eventJson"/> must already be validated.</summary>
    public static byte[] Create(ReadOnlySpan<byte> eventJson, InboundRecord record, DateTimeOffset routedAt)
    {
        var buffer = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WritePropertyName("event"u8);
            // The event is embedded unchanged (unknown fields, order and spacing preserved).
            writer.WriteRawValue(eventJson, skipInputValidation: true);
            RecordSource.Write(writer, record);
            writer.WriteString("routedAt"u8, routedAt.UtcDateTime);
            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedScratchBytes)
            {
                t_scratch = null;
                t_writer = null;
            }
        }
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

using System.Text.Json;

namespace EventRouter.Formats;

/// <summary>Writes the <c>"source"</c> object: where in Kafka a record came from.</summary>
internal static class RecordSource
{
    public static void Write(Utf8JsonWriter writer, InboundRecord record)
    {
        writer.WriteStartObject("source"u8);
        writer.WriteString("topic"u8, record.Topic);
        writer.WriteNumber("partition"u8, record.Partition);
        writer.WriteNumber("offset"u8, record.Offset);
        if (record.Timestamp is { } timestamp) writer.WriteString("timestamp"u8, timestamp.UtcDateTime);
        else writer.WriteNull("timestamp"u8);
        writer.WriteEndObject();
    }
}

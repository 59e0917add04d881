using System.Text.Json;

namespace EventRouter.Formats;

/// <summary>Where in Kafka a record came from, as the <c>"source"</c> object of a routed or poison message carries it.</summary>
public readonly record struct KafkaSource(string Topic, int Partition, long Offset, DateTimeOffset? Timestamp);

/// <summary>Writes and reads the <c>"source"</c> object: where in Kafka a record came from.</summary>
internal static class RecordSource
{
    public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    public static readonly JsonEncodedText Topic = JsonEncodedText.Encode("topic");
    public static readonly JsonEncodedText Partition = JsonEncodedText.Encode("partition");
    public static readonly JsonEncodedText Offset = JsonEncodedText.Encode("offset");
    public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");

    public static void Write(Utf8JsonWriter writer, InboundRecord record)
    {
        writer.WriteStartObject(Source);
        writer.WriteString(Topic, record.Topic);
        writer.WriteNumber(Partition, record.Partition);
        writer.WriteNumber(Offset, record.Offset);
        if (record.Timestamp is { } timestamp) writer.WriteString(Timestamp, timestamp.UtcDateTime);
        else writer.WriteNull(Timestamp);
        writer.WriteEndObject();
    }

    /// <summary>Reads the <c>"source"</c> member of <paramref name="message"/>: false unless topic, partition and offset are there with their types.</summary>
    public static bool TryRead(JsonElement message, out KafkaSource source)
    {
        source = default;
        if (!message.TryGetProperty(Source.EncodedUtf8Bytes, out var element) || element.ValueKind != JsonValueKind.Object) return false;
        if (!element.TryGetProperty(Topic.EncodedUtf8Bytes, out var topic) || topic.ValueKind != JsonValueKind.String) return false;
        if (!element.TryGetProperty(Partition.EncodedUtf8Bytes, out var partition) || !partition.TryGetInt32(out var p)) return false;
        if (!element.TryGetProperty(Offset.EncodedUtf8Bytes, out var offset) || !offset.TryGetInt64(out var o)) return false;
        source = new KafkaSource(topic.GetString()!, p, o, FormatReading.Time(element, Timestamp));
        return true;
    }
}

/// <summary>Tolerant reads of the members EventRouter's messages carry: a missing or mistyped member is null.</summary>
internal static class FormatReading
{
    public static string? String(JsonElement obj, JsonEncodedText name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name.EncodedUtf8Bytes, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static DateTimeOffset? Time(JsonElement obj, JsonEncodedText name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name.EncodedUtf8Bytes, out var v) && v.ValueKind == JsonValueKind.String
            && v.TryGetDateTimeOffset(out var t) ? t : null;

    /// <summary>The bytes of a Base64 string member; null when absent, not a string or not Base64.</summary>
    public static byte[]? Base64(JsonElement obj, JsonEncodedText name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name.EncodedUtf8Bytes, out var v) && v.ValueKind == JsonValueKind.String
            && v.TryGetBytesFromBase64(out var bytes) ? bytes : null;
}

namespace EventRouter.Functions.Hosting;

/// <summary>
/// Builds an <see cref="InboundRecord"/> from the primitive parts a Kafka trigger hands over: the
/// Azure Functions Kafka extension's <c>KafkaRecord</c> carries byte arrays, a Unix-milliseconds
/// timestamp and key/value header pairs. Keeping the mapping here (not in the Functions project)
/// makes it testable wherever the core builds, and keeps the function classes to binding code.
/// </summary>
public static class InboundRecordFactory
{
    // DateTimeOffset.FromUnixTimeMilliseconds accepts exactly this range.
    private const long MinUnixMilliseconds = -62_135_596_800_000;
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>Creates the record the routing core consumes.</summary>
    /// <param name="topic">The topic the record came from.</param>
    /// <param name="partition">Its partition.</param>
    /// <param name="offset">Its offset within the partition.</param>
    /// <param name="timestampUnixMilliseconds">The record timestamp, or <c>null</c> when the record has none
    /// (Kafka's "not available"). A value no <see cref="DateTimeOffset"/> can hold also counts as none:
    /// a malformed timestamp must never make a whole batch fail.</param>
    /// <param name="key">The key bytes, or <c>null</c> for a record without a key.</param>
    /// <param name="value">The value bytes, or <c>null</c> for a tombstone. Kept null (not empty), so the
    /// core reports a tombstone as such.</param>
    /// <param name="headers">Header name/value pairs in wire order, or <c>null</c> for none. A null value
    /// stays null; a null name becomes empty.</param>
    public static InboundRecord Create(
        string topic,
        int partition,
        long offset,
        long? timestampUnixMilliseconds,
        byte[]? key,
        byte[]? value,
        IEnumerable<(string? Name, byte[]? Value)>? headers)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);

        DateTimeOffset? timestamp = timestampUnixMilliseconds is { } ms and >= MinUnixMilliseconds and <= MaxUnixMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

        RecordHeader[] headerList = headers is null
            ? []
            : headers.Select(h => new RecordHeader(h.Name ?? string.Empty, InboundRecord.ValueOrNull(h.Value))).ToArray();

        return new InboundRecord(topic, partition, offset, timestamp, InboundRecord.ValueOrNull(key), InboundRecord.ValueOrNull(value), headerList);
    }
}

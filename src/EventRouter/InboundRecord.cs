namespace EventRouter;

/// <summary>
/// One consumed Kafka record, as both hosts hand it to the routing core: the Functions Kafka
/// trigger's <c>KafkaRecord</c> and Confluent's <c>ConsumeResult</c> both translate into this.
/// </summary>
/// <param name="Topic">The topic the record was read from, exactly as configured.</param>
/// <param name="Partition">The partition within <paramref name="Topic"/>.</param>
/// <param name="Offset">The record's offset within its partition.</param>
/// <param name="Timestamp">The broker or producer timestamp, when the record carries one.</param>
/// <param name="Key">The key bytes, or <c>null</c> when the record has no key.</param>
/// <param name="Value">The value bytes, or <c>null</c> for a tombstone. Beware: a null <c>byte[]</c>
/// converts implicitly to an empty, not a null, memory; hosts pass <c>(ReadOnlyMemory&lt;byte&gt;?)null</c>
/// or use <see cref="ValueOrNull"/>.</param>
/// <param name="Headers">The record's headers in wire order; names may repeat.</param>
public sealed record InboundRecord(
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset? Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers)
{
    /// <summary>Keeps a null array null (a tombstone), which a plain conversion would turn into empty memory.</summary>
    // Not "bytes is null ? null : bytes": the null literal converts to ReadOnlyMemory<byte> through
    // its implicit conversion from byte[], so such a conditional yields empty memory, never null.
    public static ReadOnlyMemory<byte>? ValueOrNull(byte[]? bytes) => bytes is null ? default(ReadOnlyMemory<byte>?) : bytes;

    /// <summary>Creates a record with no key, timestamp or headers (tests, tools).</summary>
    public static InboundRecord Create(string topic, int partition, long offset, ReadOnlyMemory<byte>? value, params RecordHeader[] headers)
        => new(topic, partition, offset, null, null, value, headers);
}

/// <summary>A Kafka record header. Values are bytes: nothing guarantees they are UTF-8.</summary>
public readonly record struct RecordHeader(string Name, ReadOnlyMemory<byte>? Value)
{
    public static RecordHeader FromString(string name, string? value)
        => new(name, value is null ? default(ReadOnlyMemory<byte>?) : System.Text.Encoding.UTF8.GetBytes(value));
}

using Confluent.Kafka;

namespace EventRouter.Kafka;

/// <summary>Translates Confluent's <see cref="ConsumeResult{TKey,TValue}"/> into the core's <see cref="InboundRecord"/>.</summary>
internal static class KafkaRecordMapper
{
    private static readonly IReadOnlyList<RecordHeader> NoHeaders = [];

    /// <summary>
    /// Maps one consumed record without copying its bytes: a null key stays null, a null value (a
    /// tombstone) stays null, headers keep their wire order (names may repeat), and a record without a
    /// timestamp gets a null <see cref="InboundRecord.Timestamp"/>. The topic is the one the consumer
    /// reads: it is configured not to decode each record's topic name (KafkaClientConfigFactory).
    /// </summary>
    public static InboundRecord ToInboundRecord(ConsumeResult<byte[], byte[]> result, string topic)
    {
        ArgumentNullException.ThrowIfNull(result);
        var message = result.Message;
        return new InboundRecord(
            topic,
            result.Partition.Value,
            result.Offset.Value,
            ToTimestamp(message.Timestamp),
            NullableMemory(message.Key),
            NullableMemory(message.Value),
            ToHeaders(message.Headers));
    }

    /// <summary>The bytes a record adds to a batch: key, value, header names and values.</summary>
    public static int SizeOf(InboundRecord record)
    {
        var size = (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        foreach (var header in record.Headers)
        {
            size += header.Name.Length + (header.Value?.Length ?? 0);
        }

        return size;
    }

    /// <summary>
    /// A null array stays null (a tombstone, a missing key, a header without value). Careful:
    /// <c>bytes is null ? null : bytes</c> has type <c>byte[]</c>, and byte[] converts implicitly to
    /// ReadOnlyMemory&lt;byte&gt;, turning null into *empty* memory; hence the explicit branches.
    /// </summary>
    internal static ReadOnlyMemory<byte>? NullableMemory(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        return new ReadOnlyMemory<byte>(bytes);
    }

    private static DateTimeOffset? ToTimestamp(Timestamp timestamp)
        => timestamp.Type == TimestampType.NotAvailable ? null : DateTimeOffset.FromUnixTimeMilliseconds(timestamp.UnixTimestampMs);

    private static IReadOnlyList<RecordHeader> ToHeaders(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return NoHeaders;
        }

        var result = new RecordHeader[headers.Count];
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            var value = header.GetValueBytes();
            result[i] = new RecordHeader(header.Key, NullableMemory(value));
        }

        return result;
    }
}

using System.Text;
using Confluent.Kafka;
using EventRouter.Kafka;

namespace EventRouter.Kafka.Tests;

public class KafkaRecordMapperTests
{
    private static ConsumeResult<byte[], byte[]> Result(byte[]? key, byte[]? value, Headers? headers, Timestamp timestamp)
        => new()
        {
            // No topic name: the consumer is configured not to decode it (consume.result.fields).
            TopicPartitionOffset = new TopicPartitionOffset((string)null!, 3, 42),
            Message = new Message<byte[], byte[]> { Key = key!, Value = value!, Headers = headers, Timestamp = timestamp },
        };

    [Fact]
    public void ToInboundRecord_FullRecord_CopiesCoordinatesKeyValueTimestampAndHeadersInOrder()
    {
        var headers = new Headers { { "b", "2"u8.ToArray() }, { "a", "1"u8.ToArray() }, { "b", null! } };
        var result = Result("k"u8.ToArray(), "{\"id\":1}"u8.ToArray(), headers, new Timestamp(1_700_000_000_123, TimestampType.CreateTime));

        var record = KafkaRecordMapper.ToInboundRecord(result, "Notifications");

        Assert.Equal("Notifications", record.Topic);
        Assert.Equal(3, record.Partition);
        Assert.Equal(42, record.Offset);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), record.Timestamp);
        Assert.Equal("k", Encoding.UTF8.GetString(record.Key!.Value.Span));
        Assert.Equal("{\"id\":1}", Encoding.UTF8.GetString(record.Value!.Value.Span));
        Assert.Equal(["b", "a", "b"], record.Headers.Select(h => h.Name));
        Assert.Equal("2", Encoding.UTF8.GetString(record.Headers[0].Value!.Value.Span));
        Assert.Equal("1", Encoding.UTF8.GetString(record.Headers[1].Value!.Value.Span));
        Assert.Null(record.Headers[2].Value);
    }

    [Fact]
    public void ToInboundRecord_Tombstone_KeepsNullValueAndNullKey()
    {
        var record = KafkaRecordMapper.ToInboundRecord(Result(null, null, null, Timestamp.Default), "Notifications");

        Assert.Null(record.Value);
        Assert.Null(record.Key);
        Assert.Null(record.Timestamp);
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void ToInboundRecord_EmptyValue_StaysEmptyNotNull()
    {
        var record = KafkaRecordMapper.ToInboundRecord(Result([], [], [], new Timestamp(0, TimestampType.LogAppendTime)), "Notifications");

        Assert.NotNull(record.Value);
        Assert.Equal(0, record.Value!.Value.Length);
        Assert.NotNull(record.Key);
        Assert.Equal(DateTimeOffset.UnixEpoch, record.Timestamp);
    }

    [Fact]
    public void SizeOf_Record_CountsKeyValueAndHeaders()
    {
        var record = new InboundRecord("t", 0, 0, null, new byte[3], new byte[10],
            [new RecordHeader("ab", new byte[5]), new RecordHeader("c", null)]);

        Assert.Equal(3 + 10 + 2 + 5 + 1, KafkaRecordMapper.SizeOf(record));
    }
}

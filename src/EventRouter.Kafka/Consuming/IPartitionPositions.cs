using Confluent.Kafka;

namespace EventRouter.Kafka.Consuming;

/// <summary>Where the consumer stands in each partition of its topic: what <see cref="LagReporter"/> asks of it.</summary>
internal interface IPartitionPositions
{
    /// <summary>The watermarks librdkafka last saw for <paramref name="partition"/> (no broker call).</summary>
    WatermarkOffsets Cached(int partition);

    /// <summary>Asks the broker for <paramref name="partition"/>'s watermarks (blocks up to <paramref name="timeout"/>).</summary>
    WatermarkOffsets Query(int partition, TimeSpan timeout);

    /// <summary>The offset of the next record the consumer will fetch from <paramref name="partition"/>.</summary>
    Offset Position(int partition);
}

/// <summary>The positions of a Confluent consumer; call on its consume thread only.</summary>
internal sealed class ConsumerPositions(IConsumer<byte[], byte[]> consumer, string topic) : IPartitionPositions
{
    public WatermarkOffsets Cached(int partition) => consumer.GetWatermarkOffsets(new TopicPartition(topic, partition));

    public WatermarkOffsets Query(int partition, TimeSpan timeout) => consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), timeout);

    public Offset Position(int partition) => consumer.Position(new TopicPartition(topic, partition));
}

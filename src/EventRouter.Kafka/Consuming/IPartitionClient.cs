using Confluent.Kafka;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// The consumer's partitions as the parts see them: where it stands in each, and the calls that store
/// an offset and pause or resume fetching. One seam so that the parts' decisions are tested without a
/// broker; <see cref="ConsumerPartitions"/> is the Confluent consumer behind it.
/// </summary>
internal interface IPartitionClient
{
    /// <summary>The watermarks librdkafka last saw for <paramref name="partition"/> (no broker call).</summary>
    WatermarkOffsets Cached(int partition);

    /// <summary>Asks the broker for <paramref name="partition"/>'s watermarks (blocks up to <paramref name="timeout"/>).</summary>
    WatermarkOffsets Query(int partition, TimeSpan timeout);

    /// <summary>The offset of the next record the consumer will fetch from <paramref name="partition"/>.</summary>
    Offset Position(int partition);

    /// <summary>Takes <paramref name="offset"/> of <paramref name="partition"/> for the next commit.</summary>
    /// <exception cref="KafkaException">The partition is not assigned (any more).</exception>
    void StoreOffset(int partition, long offset);

    /// <exception cref="KafkaException">librdkafka refused.</exception>
    void Pause(IEnumerable<int> partitions);

    /// <exception cref="KafkaException">librdkafka refused.</exception>
    void Resume(IEnumerable<int> partitions);
}

/// <summary>The partitions of a Confluent consumer of <paramref name="topic"/>; call on its consume thread only.</summary>
internal sealed class ConsumerPartitions(IConsumer<byte[], byte[]> consumer, string topic) : IPartitionClient
{
    public WatermarkOffsets Cached(int partition) => consumer.GetWatermarkOffsets(new TopicPartition(topic, partition));

    public WatermarkOffsets Query(int partition, TimeSpan timeout) => consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), timeout);

    public Offset Position(int partition) => consumer.Position(new TopicPartition(topic, partition));

    public void StoreOffset(int partition, long offset) => consumer.StoreOffset(new TopicPartitionOffset(topic, partition, offset));

    public void Pause(IEnumerable<int> partitions) => consumer.Pause(partitions.Select(p => new TopicPartition(topic, p)));

    public void Resume(IEnumerable<int> partitions) => consumer.Resume(partitions.Select(p => new TopicPartition(topic, p)));
}

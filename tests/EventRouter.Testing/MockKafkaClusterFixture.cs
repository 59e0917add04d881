using EventRouter.Kafka;

namespace EventRouter.Testing;

/// <summary>One librdkafka mock cluster (3 brokers, ephemeral ports) for the Kafka tests that do not take brokers down.</summary>
public sealed class MockKafkaClusterFixture : IDisposable
{
    public MockKafkaClusterFixture()
    {
        try
        {
            Cluster = new MockKafkaCluster(brokerCount: 3);
        }
        catch (KafkaNativeLibraryException ex)
        {
            throw new InvalidOperationException($"The Kafka integration tests need librdkafka: {ex.Message}", ex);
        }
    }

    public MockKafkaCluster Cluster { get; }

    public void Dispose() => Cluster.Dispose();
}

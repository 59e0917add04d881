using EventRouter.Kafka;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>
/// Partitions are routed side by side, each in offset order, and each commits on its own: against the
/// mock cluster with a recording router standing in for storage.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class PartitionParallelismTests(MockKafkaClusterFixture kafka, ITestOutputHelper output)
{
    private string Bootstrap => kafka.Cluster.BootstrapServers;

    private static string UniqueGroup() => "group-" + Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Consume_SlowStorage_RoutesUpToMaxParallelPartitionsAtOnceEachInOffsetOrder(int maxParallelPartitions)
    {
        var topic = UniqueTopic();
        var group = UniqueGroup();
        kafka.Cluster.CreateTopic(topic, partitions: 4);
        using var producer = CreateProducer(Bootstrap);
        await ProduceAsync(producer, topic, 800);
        var router = new RecordingRouter { Latency = TimeSpan.FromMilliseconds(40) };
        await using var harness = new KafkaSourceHarness(Bootstrap, topic, group, output, router, o =>
        {
            o.MaxBatchSize = 20;
            o.MaxParallelPartitions = maxParallelPartitions;
        });

        await harness.StartAndWaitForAssignmentAsync(partitions: 4);
        await WaitUntilAsync(() => router.RoutedCount == 800, "the backlog is routed", TimeSpan.FromSeconds(60));
        var end = EndOffsets(Bootstrap, topic, 4);
        await WaitUntilAsync(() => Committed(Bootstrap, group, topic, 4).SequenceEqual(end), "the committed offsets reach the end offsets");

        // Never more batches at once than allowed, and with a backlog on four partitions the limit is reached.
        Assert.Equal(maxParallelPartitions, router.MaxConcurrentCalls);
        // A batch holds one partition's records, so a partition's order cannot be mixed up across batches.
        Assert.All(router.RoutedBatches, batch => Assert.Single(batch.Select(r => r.Partition).Distinct()));
        foreach (var partition in router.Routed.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, (int)end[partition.Key]).Select(o => (long)o), partition.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task Consume_OnePartitionsStorageFails_OtherPartitionsKeepRoutingAndCommitting()
    {
        var topic = UniqueTopic();
        var group = UniqueGroup();
        kafka.Cluster.CreateTopic(topic, partitions: 4);
        using var producer = CreateProducer(Bootstrap);
        var router = new RecordingRouter { FailingPartitions = [2] };
        await using var harness = new KafkaSourceHarness(Bootstrap, topic, group, output, router, o => o.MaxBatchSize = 20);
        await harness.StartAndWaitForAssignmentAsync(partitions: 4);

        await ProduceAsync(producer, topic, 400);
        var end = EndOffsets(Bootstrap, topic, 4);
        Assert.True(end[2] > 0, "the test needs records on the failing partition");

        // The healthy partitions are routed and committed to their end while partition 2 keeps failing.
        await WaitUntilAsync(
            () => Committed(Bootstrap, group, topic, 4) is var committed && new[] { 0, 1, 3 }.All(p => committed[p] == end[p]),
            "partitions 0, 1 and 3 are committed to their end offsets");
        await WaitUntilAsync(() => harness.Service.Status.PausedPartitions.SequenceEqual([2]), "only partition 2 is paused");
        Assert.True(Committed(Bootstrap, group, topic, 4)[2] < end[2], "nothing of the failing partition's batch may be committed");
        Assert.DoesNotContain(router.Routed, r => r.Partition == 2);
        Assert.Contains(harness.Logs.Entries, e => e.EventId.Name == "BatchDeliveryFailed" && e.Message.Contains("partition 2", StringComparison.Ordinal));

        // Storage heals: partition 2 catches up from where it stopped, every record once.
        router.FailingPartitions = [];
        await WaitUntilAsync(() => router.RoutedCount == 400, "every record is routed after recovery");
        await WaitUntilAsync(() => Committed(Bootstrap, group, topic, 4).SequenceEqual(end), "all partitions are committed to their end offsets");
        await WaitUntilAsync(() => harness.Service.Status.PausedPartitions.Count == 0, "partition 2 is resumed");
        foreach (var partition in router.Routed.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, (int)end[partition.Key]).Select(o => (long)o), partition.Select(r => r.Offset));
        }
    }
}

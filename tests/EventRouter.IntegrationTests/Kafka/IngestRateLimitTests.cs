using System.Diagnostics;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary><c>Kafka:MaxEventsPerSecond</c> against the mock cluster: the limit holds by pausing fetches, and nothing is lost.</summary>
[Collection(KafkaCollection.Name)]
public sealed class IngestRateLimitTests(MockKafkaClusterFixture kafka, ITestOutputHelper output)
{
    private string Bootstrap => kafka.Cluster.BootstrapServers;

    [Fact]
    public async Task Consume_LimitOf200PerSecond_Takes2000RecordsAboutTenSecondsByPausingAndLosesNone()
    {
        var topic = UniqueTopic();
        var group = "group-" + Guid.NewGuid().ToString("N");
        kafka.Cluster.CreateTopic(topic, partitions: 4);
        using var producer = CreateProducer(Bootstrap);
        await ProduceAsync(producer, topic, 2000);
        await using var harness = new KafkaSourceHarness(Bootstrap, topic, group, output, configure: o =>
        {
            o.MaxEventsPerSecond = 200;
            o.MaxBatchSize = 50;
        });

        await harness.StartAndWaitForAssignmentAsync(partitions: 4); // joining the group is not part of the rate
        var watch = Stopwatch.StartNew();
        var sawLimited = false;
        var mostBuffered = 0;
        await WaitUntilAsync(
            () =>
            {
                var status = harness.Service.Status;
                sawLimited |= status.RateLimited;
                mostBuffered = Math.Max(mostBuffered, status.BufferedRecords);
                return harness.Router.RoutedCount == 2000;
            },
            "all 2000 records are routed under the limit", TimeSpan.FromSeconds(60));
        var elapsed = watch.Elapsed;
        var end = EndOffsets(Bootstrap, topic, 4);
        await WaitUntilAsync(() => Committed(Bootstrap, group, topic, 4).SequenceEqual(end), "the committed offsets reach the end offsets");
        output.WriteLine($"2000 records at 200/s took {elapsed.TotalSeconds:F1} s");

        // 2000 records at 200/s: about 10 s (the first second's burst comes at once, so at least 9 s).
        // Only the lower bound is the limit's promise; the upper one catches a limiter that loses rate:
        // at half the rate it would take 1 + 1800/100 = 19 s. It is not tighter because each resume
        // waits for the mock's next fetch (up to a second), which CPU load stretches: 11-12 s on an
        // idle machine, 14.8 s once in CI (2026-12-02) with the other test collections running.
        Assert.InRange(elapsed.TotalSeconds, 8.8, 18.0);
        Assert.Equal(2000, harness.Router.Routed.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        Assert.Equal(2000, harness.Router.RoutedCount);
        // Records held back by the limit wait in bounded lanes (two batches of 50 per partition), never
        // the whole backlog in memory; nobody left the group or slept through max.poll.interval.ms.
        Assert.True(sawLimited, "the source never reported being rate limited");
        Assert.InRange(mostBuffered, 1, 4 * 2 * 50);
        Assert.All(harness.Router.RoutedBatches, batch => Assert.InRange(batch.Count, 1, 20)); // a tenth of a second's tokens at most
        Assert.DoesNotContain(harness.Logs.Entries, e => e.EventId.Name is "PartitionsRevoked" or "PartitionsLost" or "BatchAbandoned");
    }
}

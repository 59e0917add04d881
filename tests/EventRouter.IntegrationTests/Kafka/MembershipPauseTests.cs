using System.Diagnostics;
using Confluent.Kafka;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>
/// How long a membership change stops a running consumer from routing, under each rebalance choice:
/// the classic protocol with eager <c>range</c> and with <c>cooperative-sticky</c> (EventRouter's
/// default), and KIP-848. A worker runs one consumer per topic in one group, so a worker starting (or
/// a second instance joining) changes the group of every topic. The pause is read where it matters,
/// on the records: the longest time the running consumer routed nothing while records kept arriving.
/// </summary>
/// <remarks>
/// The harness's 6 s session timeout, not production's 45 s: the mock's classic coordinator holds
/// each join round open for about the session timeout (docs/guarantees.md has the figures for 45 s),
/// where a real broker closes it once every member has rejoined.
/// </remarks>
[Collection(KafkaCollection.Name)]
public sealed class MembershipPauseTests(MockKafkaClusterFixture kafka, ITestOutputHelper output)
{
    private const int Partitions = 6;
    private static readonly TimeSpan Observation = TimeSpan.FromSeconds(12);

    public static TheoryData<string> Choices => new() { "range", "cooperative-sticky", "kip-848" };

    /// <summary>
    /// The worker's second topic consumer joins the group the first one is in: under eager range the
    /// first one gives up everything until the group has settled, although nothing of its topic moves.
    /// </summary>
    [Theory]
    [MemberData(nameof(Choices))]
    public async Task OtherTopicsConsumerJoins(string choice)
    {
        var group = UniqueGroup();
        var notifications = UniqueTopic("pause-notifications");
        var prices = UniqueTopic("pause-prices");
        kafka.Cluster.CreateTopic(notifications, Partitions);
        kafka.Cluster.CreateTopic(prices, Partitions);

        await using var running = Member(notifications, group, choice);
        await running.StartAndWaitForAssignmentAsync(Partitions);
        await using var joining = Member(prices, group, choice);

        var pause = await LongestPauseWhileAsync(running, notifications, joining.StartAsync,
            settled: () => joining.Service.Status.AssignedPartitions.Count == Partitions);
        output.WriteLine($"{choice}: the other topic's consumer joining stopped the running one for {pause.TotalMilliseconds:0} ms");

        Assert.Equal(Partitions, running.Service.Status.AssignedPartitions.Count);
        Assert.Equal(Partitions, joining.Service.Status.AssignedPartitions.Count);
        // Nothing of the running consumer's topic moves, and only eager rebalancing revokes what does not move.
        AssertPause(choice, pause);
    }

    /// <summary>A second instance joins for the same topic: half of the partitions move to it.</summary>
    [Theory]
    [MemberData(nameof(Choices))]
    public async Task SecondInstanceJoins(string choice)
    {
        var group = UniqueGroup();
        var topic = UniqueTopic("pause-instance");
        kafka.Cluster.CreateTopic(topic, Partitions);

        await using var running = Member(topic, group, choice);
        await running.StartAndWaitForAssignmentAsync(Partitions);
        await using var joining = Member(topic, group, choice);

        var pause = await LongestPauseWhileAsync(running, topic, joining.StartAsync,
            settled: () => joining.Service.Status.AssignedPartitions.Count > 0
                           && running.Service.Status.AssignedPartitions.Count + joining.Service.Status.AssignedPartitions.Count == Partitions);
        output.WriteLine($"{choice}: a second instance joining stopped the running one for {pause.TotalMilliseconds:0} ms; it kept {running.Service.Status.AssignedPartitions.Count} of {Partitions} partitions");

        Assert.InRange(running.Service.Status.AssignedPartitions.Count, 1, Partitions - 1);
        // Incremental: the partitions the running instance keeps are never revoked.
        AssertPause(choice, pause);
    }

    /// <summary>Incremental choices keep routing (a pause of a few polls); eager range stops for the whole join round.</summary>
    private static void AssertPause(string choice, TimeSpan pause)
    {
        if (choice == "range")
        {
            Assert.True(pause > TimeSpan.FromSeconds(2), $"range: routing stopped for only {pause.TotalMilliseconds:0} ms; an eager rebalance revokes everything");
        }
        else
        {
            Assert.True(pause < TimeSpan.FromSeconds(2), $"{choice}: routing stopped for {pause.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>
    /// Produces into <paramref name="topic"/> every 20 ms, runs <paramref name="change"/>, and returns the
    /// longest time the running member routed nothing, over <see cref="Observation"/> after the group settles.
    /// </summary>
    private static async Task<TimeSpan> LongestPauseWhileAsync(KafkaSourceHarness running, string topic, Func<Task> change, Func<bool>? settled = null)
    {
        using var producer = CreateProducer(running.Options.BootstrapServers!);
        using var stop = new CancellationTokenSource();
        var producing = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                producer.Produce(topic, new Message<byte[], byte[]> { Key = BitConverter.GetBytes(n), Value = "{}"u8.ToArray() });
                n++;
                await Task.Delay(20);
            }
        });

        await WaitUntilAsync(() => running.Router.RoutedCount > 0, "the running member routes");
        var watch = Stopwatch.StartNew();
        var lastCount = running.Router.RoutedCount;
        var lastProgress = TimeSpan.Zero;
        var longest = TimeSpan.Zero;
        TimeSpan? settledAt = null;
        await change();
        while (settledAt is null || watch.Elapsed - settledAt < Observation)
        {
            var now = watch.Elapsed;
            var count = running.Router.RoutedCount;
            if (count != lastCount)
            {
                lastCount = count;
                lastProgress = now;
            }

            longest = now - lastProgress > longest ? now - lastProgress : longest;
            if (settledAt is null && (settled?.Invoke() ?? true) && now > TimeSpan.FromSeconds(1))
            {
                settledAt = now;
            }

            Assert.True(now < TimeSpan.FromSeconds(90), "the group did not settle within 90 s");
            await Task.Delay(5);
        }

        stop.Cancel();
        await producing;
        return longest;
    }

    private KafkaSourceHarness Member(string topic, string group, string choice) =>
        new(kafka.Cluster.BootstrapServers, topic, group, output, configure: o =>
        {
            if (choice == "kip-848")
            {
                // The broker's session and heartbeat under KIP-848; librdkafka refuses them client-side.
                o.GroupProtocol = "Consumer";
                o.Consumer.Remove("session.timeout.ms");
                o.Consumer.Remove("heartbeat.interval.ms");
            }
            else if (choice == "range")
            {
                o.Consumer["partition.assignment.strategy"] = "range";
            }

            // cooperative-sticky: EventRouter's default, left to KafkaClientConfigFactory.
        });
}

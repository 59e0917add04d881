using System.Diagnostics;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>
/// A second member joining a group of one, under the classic protocol with eager range assignment
/// (EventRouter's default until 2026-12-03; MembershipPauseTests compares it with today's
/// cooperative-sticky) and under KIP-848 (<c>Kafka:GroupProtocol</c> <c>Consumer</c>), measured on the first
/// member's assignment as its consume thread publishes it.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class GroupProtocolTests(MockKafkaClusterFixture kafka, ITestOutputHelper output)
{
    private const int Partitions = 6;

    [Fact]
    public async Task SecondMemberJoins_Kip848_FirstNeverStopsWhileEagerClassicStopsItForTheWholeJoin()
    {
        var classic = await MeasureJoinAsync("Classic");
        var kip848 = await MeasureJoinAsync("Consumer");

        output.WriteLine($"classic: first member held no partition for {classic.FirstIdle.TotalMilliseconds:0} ms, second member joined in {classic.Join.TotalMilliseconds:0} ms");
        output.WriteLine($"KIP-848: first member held no partition for {kip848.FirstIdle.TotalMilliseconds:0} ms, second member joined in {kip848.Join.TotalMilliseconds:0} ms");
        // Eager: the first member gives up everything until the new assignment. KIP-848: it only
        // hands over the partitions that move, so it never stops.
        // The join itself takes a few heartbeat intervals under KIP-848 (the broker's, 3 s in the mock),
        // about as long as a classic rebalance: what differs is who waits.
        Assert.True(classic.FirstIdle > TimeSpan.Zero, "the classic protocol revokes the whole assignment");
        Assert.Equal(TimeSpan.Zero, kip848.FirstIdle);
        Assert.Equal(Partitions, kip848.FirstKept + kip848.SecondGot);
        Assert.True(kip848.FirstKept > 0 && kip848.SecondGot > 0);
    }

    private async Task<(TimeSpan FirstIdle, TimeSpan Join, int FirstKept, int SecondGot)> MeasureJoinAsync(string protocol)
    {
        var topic = UniqueTopic("protocol-" + protocol.ToLowerInvariant());
        var group = UniqueGroup();
        kafka.Cluster.CreateTopic(topic, Partitions);
        await using var first = Member(topic, group, protocol);
        await first.StartAndWaitForAssignmentAsync(Partitions);
        await using var second = Member(topic, group, protocol);

        var watch = Stopwatch.StartNew();
        await second.StartAsync();
        TimeSpan idleSince = TimeSpan.MinValue, longestIdle = TimeSpan.Zero;
        while (!(first.Service.Status.AssignedPartitions.Count > 0 && second.Service.Status.AssignedPartitions.Count > 0
                 && first.Service.Status.AssignedPartitions.Count + second.Service.Status.AssignedPartitions.Count == Partitions))
        {
            var now = watch.Elapsed;
            if (first.Service.Status.AssignedPartitions.Count == 0)
            {
                if (idleSince == TimeSpan.MinValue) idleSince = now;
                longestIdle = Max(longestIdle, now - idleSince);
            }
            else
            {
                idleSince = TimeSpan.MinValue;
            }

            Assert.True(now < TimeSpan.FromSeconds(60), $"{protocol}: the second member got no partitions within 60 s");
            await Task.Delay(5);
        }

        return (longestIdle, watch.Elapsed, first.Service.Status.AssignedPartitions.Count, second.Service.Status.AssignedPartitions.Count);
    }

    private KafkaSourceHarness Member(string topic, string group, string protocol) =>
        new(kafka.Cluster.BootstrapServers, topic, group, output, configure: o =>
        {
            o.GroupProtocol = protocol;
            if (protocol == "Classic")
            {
                o.Consumer["partition.assignment.strategy"] = "range";
            }
            else
            {
                // The broker's settings under KIP-848; librdkafka refuses them client-side.
                o.Consumer.Remove("session.timeout.ms");
                o.Consumer.Remove("heartbeat.interval.ms");
            }
        });

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

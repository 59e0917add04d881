using System.Text;
using Confluent.Kafka;
using EventRouter.Kafka;
using Microsoft.Extensions.Options;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>The admin APIs the operator commands use, against the mock cluster.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaGroupAdminTests(MockKafkaClusterFixture kafka)
{
    [Fact]
    public async Task AlterAsync_GroupWithoutMembers_CommittedAndLagReadItBack()
    {
        var topic = UniqueTopic("admin");
        var group = UniqueGroup();
        kafka.Cluster.CreateTopic(topic, 3);
        using (var producer = CreateProducer(kafka.Cluster.BootstrapServers))
        {
            foreach (var (partition, count) in new[] { (0, 5), (1, 2) })
            for (var i = 0; i < count; i++)
                await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = [], Value = Encoding.UTF8.GetBytes($"{i}") });
        }

        using var admin = Admin();
        await admin.AlterAsync(group, [new TopicPartitionOffset(topic, 0, 3)]);

        var committed = await admin.CommittedAsync(group, [new TopicPartition(topic, 0), new TopicPartition(topic, 1)]);
        Assert.Equal(3, committed[new TopicPartition(topic, 0)]);
        Assert.Null(committed[new TopicPartition(topic, 1)]);
        var lag = await admin.LagAsync(group, [topic]);
        Assert.Equal(
            [new PartitionLag(topic, 0, 0, 5, 3, 2), new PartitionLag(topic, 1, 0, 2, null, 2), new PartitionLag(topic, 2, 0, 0, null, 0)],
            lag);
    }

    [Fact]
    public async Task AlterAsync_GroupWithAMember_RefusedAsGroupHasMembers()
    {
        var topic = UniqueTopic("admin-busy");
        var group = UniqueGroup();
        kafka.Cluster.CreateTopic(topic, 1);
        KafkaNativeLibrary.EnsureLoaded();
        using var member = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.Cluster.BootstrapServers, GroupId = group, SessionTimeoutMs = 6000,
        }).SetLogHandler((_, _) => { }).Build();
        member.Subscribe(topic);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (member.Assignment.Count == 0 && DateTime.UtcNow < deadline) member.Consume(TimeSpan.FromMilliseconds(100));
        Assert.NotEmpty(member.Assignment);

        using var admin = Admin();
        var refused = await Assert.ThrowsAsync<GroupHasMembersException>(() => admin.AlterAsync(group, [new TopicPartitionOffset(topic, 0, 0)]));

        Assert.Equal(group, refused.Group);
        Assert.Contains("has active members", refused.Message, StringComparison.Ordinal);
        member.Close();
    }

    [Fact]
    public async Task DescribeAsync_MockCluster_SaysItCannotDescribeGroups()
    {
        using var admin = Admin();

        var membership = await admin.DescribeAsync(UniqueGroup());

        // librdkafka's mock has no DescribeGroups handler: the answer must say so, not claim "no members".
        Assert.Same(GroupMembership.NotDescribable, membership);
        Assert.False(membership.Describable);
    }

    [Fact]
    public void Partitions_UnknownTopic_Null()
    {
        using var admin = Admin();

        Assert.Null(admin.Partitions(UniqueTopic("absent")));
    }

    private KafkaGroupAdmin Admin() => new(new KafkaClientConfigFactory(Options.Create(new KafkaOptions
    {
        BootstrapServers = kafka.Cluster.BootstrapServers,
        SecurityProtocol = "Plaintext",
        AllowPlaintext = true,
    })), TimeSpan.FromSeconds(10));
}

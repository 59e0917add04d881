using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moq;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>The Kafka source inside a real generic host, and its fatal-error path.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaHostTests(MockKafkaClusterFixture kafka, ITestOutputHelper output)
{
    [Fact]
    public async Task Host_WithAddEventRouterKafka_ConsumesTheEnabledTopicAndCommitsOnStop()
    {
        var topic = UniqueTopic("notifications");
        var group = "group-" + Guid.NewGuid().ToString("N");
        kafka.Cluster.CreateTopic(topic, partitions: 2);
        var received = new List<InboundRecord>();
        var router = new Mock<IRecordBatchRouter>(MockBehavior.Strict);
        router.Setup(r => r.RouteBatchAsync(It.IsAny<IReadOnlyList<InboundRecord>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<InboundRecord> records, CancellationToken _) =>
            {
                lock (received)
                {
                    received.AddRange(records);
                }

                return new BatchRoutingResult([.. records.Select(r => new RecordOutcome(r.Topic, r.Partition, r.Offset, OutcomeKind.Routed, "q", null, false))]);
            });

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = kafka.Cluster.BootstrapServers,
            ["Kafka:SecurityProtocol"] = "Plaintext", // allowed because the environment is Development
            ["Kafka:ConsumerGroup"] = group,
            ["Kafka:Topics:Notifications"] = topic,
            ["Kafka:Topics:Prices"] = "",
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
        });
        builder.Logging.ClearProviders().AddProvider(new CapturingLoggerProvider(output));
        builder.Services.AddSingleton(router.Object);
        builder.Services.AddEventRouterKafka(builder.Configuration);
        using var host = builder.Build();
        using var producer = CreateProducer(kafka.Cluster.BootstrapServers);

        await host.StartAsync();
        await ProduceAsync(producer, topic, 40);
        await WaitUntilAsync(() => { lock (received) { return received.Count == 40; } }, "40 records reach the router");
        await host.StopAsync();

        Assert.All(received, r => Assert.Equal(topic, r.Topic));
        Assert.Equal(EndOffsets(kafka.Cluster.BootstrapServers, topic, 2), Committed(kafka.Cluster.BootstrapServers, group, topic, 2));
        var source = Assert.Single(host.Services.GetServices<IHostedService>().OfType<KafkaSourceService>());
        Assert.False(source.Status.Running);
    }

    [Fact]
    public async Task Consume_FatalClientError_LogsCriticalAndStopsTheHost()
    {
        // A dedicated cluster: injected errors apply to every group of a cluster.
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        var topic = UniqueTopic();
        cluster.CreateTopic(topic, partitions: 1);
        await using var harness = new KafkaSourceHarness(cluster.BootstrapServers, topic, "group-" + Guid.NewGuid().ToString("N"), output);
        await harness.StartAndWaitForAssignmentAsync(partitions: 1);
        Assert.False(harness.Lifetime.StopRequested);

        // librdkafka treats FENCED_INSTANCE_ID (82) in a Heartbeat (API key 12) response as fatal.
        cluster.PushRequestErrors(apiKey: 12, 82);

        await WaitUntilAsync(() => harness.Lifetime.StopRequested, "the source asks the host to stop");
        Assert.Contains(harness.Logs.Entries, e => e.Level == LogLevel.Critical && e.EventId.Name == "FatalError");
        await WaitUntilAsync(() => !harness.Service.Status.Running, "the consume loop ends");
    }
}

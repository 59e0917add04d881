using System.CommandLine;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventRouter.Cli.Commands;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.IntegrationTests.Kafka;
using EventRouter.Kafka;
using Spectre.Console;

namespace EventRouter.IntegrationTests.Operations;

/// <summary><c>stats</c> against both peers: queue counts from Azurite, group lag from the mock cluster.</summary>
[Collection(KafkaCollection.Name)]
public sealed class StatsCommandTests(MockKafkaClusterFixture kafka, AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Stats_Json_ReportsTheGroupLagPerPartition()
    {
        var topic = KafkaTestKit.UniqueTopic("stats");
        var group = "stats-" + Guid.NewGuid().ToString("N");
        kafka.Cluster.CreateTopic(topic, 3);
        // Partition 0: 7 records, the group committed 2. Partition 1: 4 records, nothing committed.
        // Partition 2: empty.
        using (var producer = KafkaTestKit.CreateProducer(kafka.Cluster.BootstrapServers))
        {
            foreach (var (partition, count) in new[] { (0, 7), (1, 4) })
            for (var i = 0; i < count; i++)
                await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Key = [], Value = Encoding.UTF8.GetBytes($"{partition}-{i}") });
        }
        KafkaNativeLibrary.EnsureLoaded();
        using (var committer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
               {
                   BootstrapServers = kafka.Cluster.BootstrapServers, GroupId = group, EnableAutoCommit = false,
               }).SetLogHandler((_, _) => { }).Build())
        {
            committer.Commit([new TopicPartitionOffset(topic, 0, 2)]);
        }

        await using var scope = new StorageScope(azurite.ConnectionString);
        var poison = scope.Queues.GetQueueClient(scope.Queue("events-poison"));
        await poison.CreateAsync();
        await poison.SendMessageAsync("{}");
        var settings = Path.Combine(Path.GetTempPath(), $"{topic}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["EventStorage"] = azurite.ConnectionString,
            ["Kafka"] = new Dictionary<string, object>
            {
                ["BootstrapServers"] = kafka.Cluster.BootstrapServers, ["SecurityProtocol"] = "Plaintext", ["AllowPlaintext"] = true,
                ["ConsumerGroup"] = group, ["Topics"] = new Dictionary<string, string> { ["Notifications"] = topic, ["Prices"] = "" },
            },
        }));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) });
            var root = new RootCommand { StatsCommand.Create(() => console) };
            var code = await root.Parse(["stats", "--json", "--prefix", scope.Prefix, "--settings", settings])
                .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

            Assert.True(code == 0, error.ToString());
            using var report = JsonDocument.Parse(output.ToString());
            Assert.Equal(group, report.RootElement.GetProperty("consumerGroup").GetString());
            var partitions = report.RootElement.GetProperty("partitions").EnumerateArray()
                .Select(p => (Topic: p.GetProperty("topic").GetString(), Partition: p.GetProperty("partition").GetInt32(),
                    Committed: p.GetProperty("committed").ValueKind == JsonValueKind.Null ? (long?)null : p.GetProperty("committed").GetInt64(),
                    End: p.GetProperty("high").GetInt64(), Lag: p.GetProperty("lag").GetInt64()))
                .ToList();
            Assert.Equal([(topic, 0, 2L, 7L, 5L), (topic, 1, null, 4L, 4L), (topic, 2, null, 0L, 0L)], partitions);
            var queue = Assert.Single(report.RootElement.GetProperty("queues").EnumerateArray());
            Assert.Equal((scope.Queue("events-poison"), 1, true),
                (queue.GetProperty("name").GetString(), queue.GetProperty("approximateMessages").GetInt32(), queue.GetProperty("poison").GetBoolean()));
        }
        finally
        {
            File.Delete(settings);
        }
    }
}

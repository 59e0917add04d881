using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventRouter.Cli.Operations;
using EventRouter.IntegrationTests.Kafka;
using EventRouter.Kafka;
using Microsoft.Extensions.Options;

namespace EventRouter.IntegrationTests.Operations;

[Collection(KafkaCollection.Name)]
public sealed class KafkaOperationsTests(MockKafkaClusterFixture kafka)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Produce_FileWithKeyTemplate_SameUserSamePartition_AndSetsTheThreeHeaders()
    {
        var topic = KafkaTestKit.UniqueTopic("produce");
        kafka.Cluster.CreateTopic(topic, 4);
        var users = new[] { "user-a", "user-b", "user-c", "user-d" };
        var lines = new StringBuilder();
        var expected = new List<(string Id, string Type, string? User)>();
        for (var i = 0; i < 16; i++)
        {
            var id = Guid.NewGuid().ToString();
            var user = users[i % users.Length];
            lines.AppendLine($$"""{"id":"{{id}}","created_at":"2026-11-22T10:00:00Z","type":"ORDER.FILLED","object":{"user_id":"{{user}}","n":{{i}} } }""");
            expected.Add((id, "ORDER.FILLED", user));
        }
        var lonely = Guid.NewGuid().ToString();   // no user_id: keyed by the event id
        lines.AppendLine($$"""{"id":"{{lonely}}","created_at":"2026-11-22T10:00:00Z","type":"USER.CREATED","object":{} }""");
        lines.AppendLine();
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, lines.ToString());
        try
        {
            using var reader = new StreamReader(file);
            var report = await new ProduceService(Configs("unused")).ProduceAsync(topic, ProduceService.ReadLines(reader), "object.user_id");
            Assert.Equal(17, report.Messages.Count);
        }
        finally
        {
            File.Delete(file);
        }

        var consumed = ConsumeAll(topic, 4, 17);
        Assert.Equal(17, consumed.Count);
        foreach (var user in users)
        {
            var ofUser = consumed.Where(c => UserOf(c.Message.Value) == user).ToList();
            Assert.Equal(4, ofUser.Count);
            Assert.Single(ofUser.Select(c => c.Partition.Value).Distinct());
            Assert.All(ofUser, c => Assert.Equal(user, Encoding.UTF8.GetString(c.Message.Key)));
        }
        Assert.Equal(lonely, Encoding.UTF8.GetString(consumed.Single(c => UserOf(c.Message.Value) is null).Message.Key));
        foreach (var c in consumed)
        {
            using var doc = JsonDocument.Parse(c.Message.Value);
            Assert.Equal(doc.RootElement.GetProperty("id").GetString(), Header(c, "event-id"));
            Assert.Equal(doc.RootElement.GetProperty("type").GetString(), Header(c, "event-type"));
            Assert.Equal("application/json", Header(c, "content-type"));
        }
    }

    [Theory]
    [InlineData(3.5, 4)]   // between two messages: the first one after
    [InlineData(6, 6)]     // exactly a message's time: that message
    [InlineData(-1, 0)]    // before everything: all of it
    [InlineData(60, 10)]   // after everything: nothing
    public async Task Replay_ToTime_RedeliversExactlyTheEventsFromThatTimeOn(double minutes, long expectedOffset)
    {
        var topic = KafkaTestKit.UniqueTopic("replay");
        var group = "replay-" + Guid.NewGuid().ToString("N");
        kafka.Cluster.CreateTopic(topic, 2);
        using (var producer = KafkaTestKit.CreateProducer(kafka.Cluster.BootstrapServers))
        {
            for (var p = 0; p < 2; p++)
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, p), new Message<byte[], byte[]>
                {
                    Key = [], Value = Encoding.UTF8.GetBytes($"{p}-{i}"), Timestamp = new Timestamp(T0.AddMinutes(i)),
                });
            }
        }
        var service = new ReplayService(Configs(group), group);
        // The group has read everything.
        await service.ApplyAsync(new ReplayPlan(group, topic, new ReplayFrom(ReplayFromKind.Offset, 10),
            [new ReplayPartition(topic, 0, 0, 10, null, 10, ""), new ReplayPartition(topic, 1, 0, 10, null, 10, "")]));
        var idle = await service.ActiveMembersAsync();
        Assert.True(idle is null, idle);

        var time = T0.AddMinutes(minutes);
        var plan = await service.PlanAsync(topic, new ReplayFrom(ReplayFromKind.Time, Time: time), null);
        await service.ApplyAsync(plan);

        Assert.All(plan.Partitions, p => Assert.Equal((10L, expectedOffset, expectedOffset), (p.Before!.Value, p.Target, p.After!.Value)));
        // What a group member now reads: exactly the messages at or after the time, on every partition.
        var redelivered = ReadFromCommitted(topic, group, 2);
        var expected = Enumerable.Range(0, 2).SelectMany(p => Enumerable.Range(0, 10).Where(i => T0.AddMinutes(i) >= time).Select(i => $"{p}-{i}"));
        Assert.Equal(expected.Order(), redelivered.Order());
    }

    [Fact]
    public async Task Replay_WhileTheGroupHasAMember_IsRefused()
    {
        var topic = KafkaTestKit.UniqueTopic("replay-busy");
        var group = "replay-busy-" + Guid.NewGuid().ToString("N");
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

        var service = new ReplayService(Configs(group), group);
        var plan = await service.PlanAsync(topic, new ReplayFrom(ReplayFromKind.Beginning), null);

        // Either the group description names the member, or (the mock cannot describe groups) the broker refuses the commit.
        if (await service.ActiveMembersAsync() is { } busy) Assert.Contains("1 active member", busy);
        else Assert.Contains("has active members", (await Assert.ThrowsAsync<ReplayException>(() => service.ApplyAsync(plan))).Message);

        // The member leaves (LeaveGroup; a session timeout removes a member through the same code in
        // the mock). A real broker now accepts the commit. librdkafka's mock
        // keeps every group it has seen and refuses member-less commits to it for good, and says so:
        member.Close();
        Assert.Null(await service.ActiveMembersAsync());
        Assert.Contains("cannot describe groups", service.MembershipCheck);
        var refused = await Assert.ThrowsAsync<ReplayException>(() => service.ApplyAsync(plan));
        Assert.Contains("librdkafka's mock cluster", refused.Message);
    }

    [Fact]
    public async Task ProduceCommand_Sample_UsesTheConfiguredClusterAndReportsPartitions()
    {
        var topic = KafkaTestKit.UniqueTopic("produce-sample");
        kafka.Cluster.CreateTopic(topic, 3);
        var settings = Path.Combine(Path.GetTempPath(), $"{topic}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["EventStorage"] = "UseDevelopmentStorage=true",
            ["Kafka"] = new Dictionary<string, object>
            {
                ["BootstrapServers"] = kafka.Cluster.BootstrapServers, ["SecurityProtocol"] = "Plaintext", ["AllowPlaintext"] = true,
                ["ConsumerGroup"] = "produce-test", ["Topics"] = new Dictionary<string, string> { ["Notifications"] = topic, ["Prices"] = "" },
            },
        }));
        try
        {
            var output = new StringWriter();
            var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()) });
            var root = new System.CommandLine.RootCommand { EventRouter.Cli.Commands.ProduceCommand.Create(() => console) };
            var code = await root.Parse(["produce", "--topic", topic, "--sample", "60", "--seed", "7", "--json", "--settings", settings])
                .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = new StringWriter() });

            Assert.Equal(0, code);
            using var report = JsonDocument.Parse(output.ToString());
            Assert.Equal(60, report.RootElement.GetProperty("produced").GetInt32());
            Assert.Equal(60, report.RootElement.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("messages").GetInt32()));
            var consumed = ConsumeAll(topic, 3, 60);
            Assert.Equal(60, consumed.Count);
            Assert.All(consumed, c => Assert.Equal("application/json", Header(c, "content-type")));
            Assert.Contains(consumed, c => Header(c, "event-id") is not null && Header(c, "event-type") is not null);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task ProduceAndReplay_TopicThatDoesNotExist_Exit2_ListsTopicsWithTheClosest_CreatesNothing()
    {
        var topic = KafkaTestKit.UniqueTopic("Typo");
        kafka.Cluster.CreateTopic(topic, 2);
        var misspelt = topic.ToLowerInvariant();
        var settings = await SettingsFileAsync(kafka.Cluster.BootstrapServers, topic);
        try
        {
            var (code, error) = await RunAsync(["produce", "--topic", misspelt, "--sample", "3", "--settings", settings]);
            Assert.Equal(2, code);
            Assert.Contains($"eventrouter produce: topic {misspelt} does not exist; did you mean {topic}?", error);
            Assert.Contains("Topics: ", error);

            (code, error) = await RunAsync(["replay", "--topic", misspelt, "--from", "beginning", "--dry-run", "--settings", settings]);
            Assert.Equal(2, code);
            Assert.Contains($"eventrouter replay: topic {misspelt} does not exist; did you mean {topic}?", error);

            Assert.Null(KafkaTopicCheck.Problem(topic, KafkaTopicCheck.ListTopics(Configs("unused"), kafka.Cluster.BootstrapServers, TimeSpan.FromSeconds(10))));
            Assert.NotNull(KafkaTopicCheck.Problem(misspelt, KafkaTopicCheck.ListTopics(Configs("unused"), kafka.Cluster.BootstrapServers, TimeSpan.FromSeconds(10))));
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task Produce_UnreachableBroker_FailsWithinTheTimeout_NamingTheAddressAndSettings()
    {
        var settings = await SettingsFileAsync("127.0.0.1:1", "Notifications");
        try
        {
            var (code, error) = await RunAsync(["produce", "--topic", "Notifications", "--sample", "3", "--timeout", "3", "--settings", settings]);
            Assert.Equal(1, code);
            Assert.Contains("eventrouter produce: cannot reach Kafka at 127.0.0.1:1 within 3 s; check Kafka:BootstrapServers", error);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    private static async Task<string> SettingsFileAsync(string bootstrapServers, string topic)
    {
        var settings = Path.Combine(Path.GetTempPath(), $"settings-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["EventStorage"] = "UseDevelopmentStorage=true",
            ["Kafka"] = new Dictionary<string, object>
            {
                ["BootstrapServers"] = bootstrapServers, ["SecurityProtocol"] = "Plaintext", ["AllowPlaintext"] = true,
                ["ConsumerGroup"] = "g-" + Guid.NewGuid().ToString("N")[..8], ["Topics"] = new Dictionary<string, string> { ["Notifications"] = topic, ["Prices"] = "" },
            },
        }));
        return settings;
    }

    private static async Task<(int Code, string Error)> RunAsync(string[] args)
    {
        var error = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()) });
        var root = new System.CommandLine.RootCommand
        {
            EventRouter.Cli.Commands.ProduceCommand.Create(() => console), EventRouter.Cli.Commands.ReplayCommand.Create(() => console),
        };
        var code = await root.Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error });
        return (code, error.ToString());
    }

    private KafkaClientConfigFactory Configs(string group) => new(Options.Create(new KafkaOptions
    {
        BootstrapServers = kafka.Cluster.BootstrapServers,
        SecurityProtocol = "Plaintext",
        AllowPlaintext = true,
        ConsumerGroup = group,
    }));

    private static string? UserOf(byte[] value)
    {
        using var doc = JsonDocument.Parse(value);
        return doc.RootElement.GetProperty("object").TryGetProperty("user_id", out var u) ? u.GetString() : null;
    }

    private static string? Header(ConsumeResult<byte[], byte[]> result, string name) =>
        result.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    private List<ConsumeResult<byte[], byte[]>> ConsumeAll(string topic, int partitions, int expected)
    {
        using var consumer = Inspector("inspect-" + Guid.NewGuid().ToString("N"));
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var result = new List<ConsumeResult<byte[], byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (result.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r) result.Add(r);
        }
        return result;
    }

    /// <summary>Reads every partition from the group's committed offset to the end, as a restarted worker would.</summary>
    private List<string> ReadFromCommitted(string topic, string group, int partitions)
    {
        using var consumer = Inspector(group);
        var tps = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var committed = consumer.Committed(tps, TimeSpan.FromSeconds(10));
        var result = new List<string>();
        foreach (var tpo in committed)
        {
            var end = consumer.QueryWatermarkOffsets(tpo.TopicPartition, TimeSpan.FromSeconds(10)).High.Value;
            if (tpo.Offset.Value >= end) continue;
            consumer.Assign(tpo);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r is null) continue;
                result.Add(Encoding.UTF8.GetString(r.Message.Value));
                if (r.Offset.Value == end - 1) break;
            }
        }
        return result;
    }

    private IConsumer<byte[], byte[]> Inspector(string group)
    {
        KafkaNativeLibrary.EnsureLoaded();
        return new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.Cluster.BootstrapServers, GroupId = group, EnableAutoCommit = false,
        }).SetLogHandler((_, _) => { }).Build();
    }
}

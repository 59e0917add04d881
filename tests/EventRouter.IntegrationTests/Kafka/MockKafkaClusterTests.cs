using System.Diagnostics;
using System.Text.Json;
using EventRouter.Kafka;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Kafka;

/// <summary>The mock cluster and the native-library loader, checked with kcat as an independent client.</summary>
[Collection(KafkaCollection.Name)]
public sealed class MockKafkaClusterTests(MockKafkaClusterFixture kafka, ITestOutputHelper output)
{
    [Fact]
    public void KafkaNativeLibrary_EnsureLoadedTwice_TheBundledLibraryIsTheOnlyOneInTheProcess()
    {
        KafkaNativeLibrary.EnsureLoaded();
        KafkaNativeLibrary.EnsureLoaded();

        Assert.Equal("2.16.0", KafkaNativeLibrary.Version);
        Assert.Equal(Confluent.Kafka.Library.VersionString, KafkaNativeLibrary.Version);
        var bundled = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "centos8-librdkafka.so");
        Assert.Equal(bundled, KafkaNativeLibrary.LoadedPath);
        // What the process has mapped, whatever the system has installed (kcat brings Debian's 2.0.2).
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].Contains("librdkafka", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .Distinct()
            .ToList();
        Assert.Equal([bundled], mapped);
    }

    [Fact]
    public async Task EventRouterRun_LibrdkafkaOlderThanBuiltWith_RefusesToStartNamingTheFile()
    {
        // The library Debian's kcat runs on (2.0.2): an old librdkafka that really exists on this machine.
        var (_, kcat) = await RunProcessAsync("sh", ["-c", "command -v kcat"]);
        var (_, linked) = await RunProcessAsync("ldd", [kcat.Trim()]);
        var old = linked.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("librdkafka.so", StringComparison.Ordinal))
            .Select(line => line.Split("=>")[1].Trim().Split(' ')[0]).Single();

        var (exitCode, text) = await RunCliAsync(
            ["run", "--ingest-only"],
            new Dictionary<string, string>
            {
                [KafkaNativeLibrary.PathVariable] = old,
                ["Kafka__BootstrapServers"] = kafka.Cluster.BootstrapServers,
                ["Kafka__SecurityProtocol"] = "Plaintext",
                ["Kafka__AllowPlaintext"] = "true",
                ["Kafka__ConsumerGroup"] = UniqueGroup(),
                ["EventStorage"] = "UseDevelopmentStorage=true",
            });

        output.WriteLine(text);
        Assert.Equal(1, exitCode);
        Assert.Contains($"librdkafka 2.0.2 at {Path.GetFullPath(old)} is older than 2.16.0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTopic_ThreeBrokerCluster_KcatSeesBrokersAndPartitions()
    {
        var topic = UniqueTopic("Notifications");

        kafka.Cluster.CreateTopic(topic, partitions: 4);

        using var metadata = JsonDocument.Parse(await RunKcatAsync(["-b", kafka.Cluster.BootstrapServers, "-L", "-J", "-t", topic]));
        Assert.Equal(3, metadata.RootElement.GetProperty("brokers").GetArrayLength());
        var described = Assert.Single(metadata.RootElement.GetProperty("topics").EnumerateArray());
        Assert.Equal(topic, described.GetProperty("topic").GetString());
        Assert.Equal(4, described.GetProperty("partitions").GetArrayLength());
        Assert.Equal(3, kafka.Cluster.BootstrapServers.Split(',').Length);
    }

    [Fact]
    public async Task SetBrokerDown_OnlyBroker_RefusesClientsUntilSetBrokerUp()
    {
        using var cluster = new MockKafkaCluster(brokerCount: 1);
        var topic = UniqueTopic();
        cluster.CreateTopic(topic);

        cluster.SetBrokerDown(1);
        var whileDown = await RunKcatAsync(["-b", cluster.BootstrapServers, "-L", "-m", "2"], expectSuccess: false);
        cluster.SetBrokerUp(1);
        var afterUp = await RunKcatAsync(["-b", cluster.BootstrapServers, "-L", "-t", topic]);

        Assert.Contains("Connection refused", whileDown, StringComparison.Ordinal);
        Assert.Contains($"topic \"{topic}\" with 1 partitions", afterUp, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_Twice_IsHarmlessAndLaterCallsThrow()
    {
        var cluster = new MockKafkaCluster();
        cluster.Dispose();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("x"));
    }

    [Fact]
    public async Task Consume_SaslAgainstBrokerWithoutSasl_NeverLogsThePassword()
    {
        const string password = "Pa55-w0rd!never-show-me";
        var topic = UniqueTopic();
        kafka.Cluster.CreateTopic(topic);
        await using var harness = new KafkaSourceHarness(kafka.Cluster.BootstrapServers, topic, "group-" + Guid.NewGuid().ToString("N"), output, configure: o =>
        {
            o.SecurityProtocol = "SaslPlaintext";
            o.SaslMechanism = "ScramSha512";
            o.Username = "eventrouter";
            o.Password = password;
            o.Consumer["debug"] = "security,broker,conf,generic"; // librdkafka's most talkative contexts for credentials
        });

        await harness.StartAsync();
        await WaitUntilAsync(() => harness.Logs.Entries.Any(e => e.EventId.Name is "ClientError" or "ConsumeError"), "the failed authentication is reported");
        await harness.StopAsync();

        Assert.Contains(harness.Logs.Entries, e => e.Message.Contains("sasl", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Message.Contains(password, StringComparison.Ordinal));
    }

    private async Task<string> RunKcatAsync(IEnumerable<string> arguments, bool expectSuccess = true)
    {
        var start = new ProcessStartInfo("kcat") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        output.WriteLine($"kcat {string.Join(' ', start.ArgumentList)} -> {process.ExitCode}");
        if (expectSuccess)
        {
            Assert.True(process.ExitCode == 0, $"kcat failed ({process.ExitCode}): {text}");
        }

        return text;
    }
}

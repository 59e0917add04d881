using EventRouter.IntegrationTests.Infrastructure;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Cli;

/// <summary>
/// Expected conditions as a user meets them through the real program: bad settings, a missing or
/// malformed settings file, a wrong option, Ctrl+C. Each gives readable text, the documented exit
/// code, and no stack trace.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliErrorTests(AzuriteFixture azurite)
{
    /// <summary>A line of a .NET stack trace.</summary>
    private static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", text);
        Assert.DoesNotContain("Exception", text);
    }

    [Fact]
    public async Task Run_WithoutSettings_ListsEveryMissingSettingOnce_Exit2()
    {
        var (code, output, error) = await CliProgram.RunAsync("run");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        AssertNoStackTrace(error);
        Assert.StartsWith("eventrouter: the configuration is not valid:", error);
        foreach (var setting in new[] { "EventStorage", "Kafka:BootstrapServers", "Kafka:ConsumerGroup" }) Assert.Contains(setting, error);
        // One list, not the host's log line followed by the list.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(error, "Kafka:ConsumerGroup is required"));
    }

    [Fact]
    public async Task Run_MalformedTelemetryEndpointAndHealthPort_NamedInTheList_ValueNotRepeated_Exit2()
    {
        var (code, _, error) = await CliProgram.RunAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector-without-scheme",
            ["Health__Port"] = "70000",
        }, ["run"]);

        Assert.Equal(2, code);
        AssertNoStackTrace(error);
        Assert.StartsWith("eventrouter: the configuration is not valid:", error);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http:// or https:// address", error);
        Assert.Contains("Health:Port must be between 1 and 65535", error);
        Assert.DoesNotContain("collector-without-scheme", error);
    }

    [Fact]
    public async Task SettingsFile_MissingOrMalformed_OneLine_Exit2()
    {
        var (code, _, error) = await CliProgram.RunAsync("run", "--settings", "nope.json");
        Assert.Equal(2, code);
        Assert.Equal("eventrouter: settings file nope.json: the file does not exist", error.Trim());

        var bad = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(bad, "{\"Kafka\": {");
        try
        {
            (code, _, error) = await CliProgram.RunAsync("config", "validate", "--settings", bad);
            Assert.Equal(2, code);
            Assert.Single(error.Trim().Split('\n'));
            Assert.StartsWith($"eventrouter: settings file {bad}: not valid JSON", error);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task UnknownOption_ShortError_NotTheHelp_Exit2()
    {
        var (code, output, error) = await CliProgram.RunAsync("poison", "list", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("eventrouter poison list: Unrecognized command or argument '--bogus'", error);
        Assert.Contains("Run 'eventrouter poison list --help'", error);
        Assert.DoesNotContain("Usage:", error);
    }

    [Fact]
    public async Task Help_NamesTheProgramEventrouter()
    {
        var (code, output, _) = await CliProgram.RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("eventrouter [command] [options]", output);
        Assert.DoesNotContain("EventRouter.Cli", output);
    }

    [Fact]
    public async Task Run_CtrlC_StopsCleanly_Exit130_NoStackTrace()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, Event("USER.CREATED"))]);
        var queue = scope.Queues.GetQueueClient(scope.Queue("events-user"));
        using var program = CliProgram.Start(new Dictionary<string, string>
        {
            ["EventStorage"] = azurite.ConnectionString,
            ["Routing__CategoryQueuePrefix"] = scope.Prefix + "-events-",
            ["Routing__PricesQueue"] = scope.Prefix + "-prices",
            ["Routing__UnroutedQueue"] = scope.Prefix + "-events-unrouted",
            ["Routing__PoisonQueue"] = scope.Prefix + "-events-poison",
            ["Processing__BatchSise"] = "4",
        }, "run", "--process-only");
        // Running once it has handled the routed event (archived and deleted).
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while ((await queue.GetPropertiesAsync(wait.Token)).Value.ApproximateMessagesCount > 0) await Task.Delay(100, wait.Token);
        }
        await program.InterruptAsync();
        var code = await program.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.Equal(130, code);
        AssertNoStackTrace(program.Error);
        Assert.DoesNotContain(" fail: ", program.Error);
        // The only warning: the misspelt setting, named with the key it meant.
        var warning = Assert.Single(program.Error.Split('\n'), line => line.Contains(" warn: "));
        Assert.Contains("Setting Processing:BatchSise is not a known setting and is ignored; did you mean Processing:BatchSize?", warning);
    }

    [Fact]
    public async Task ConfigValidate_ListsUnknownSettings_KeysNeverValues()
    {
        var environment = new Dictionary<string, string>
        {
            ["EventStorage"] = "UseDevelopmentStorage=true",
            ["Kafka__BootstrapServers"] = "localhost:9092", ["Kafka__ConsumerGroup"] = "g",
            ["Kafka__SecurityProtocol"] = "Plaintext", ["Kafka__AllowPlaintext"] = "true",
            ["Kafka__SessionTimeoutMs"] = "6000", ["Kafka__Pasword"] = "s3cret-value",
        };
        var (code, output, _) = await CliProgram.RunAsync(environment, ["config", "validate"]);
        Assert.Equal(0, code);
        Assert.Contains("The configuration is valid.", output);
        Assert.Contains("Kafka:SessionTimeoutMs (did you mean Kafka:Consumer:session.timeout.ms?)", output);
        Assert.Contains("Kafka:Pasword (did you mean Kafka:Password?)", output);
        Assert.DoesNotContain("s3cret", output);

        (code, output, _) = await CliProgram.RunAsync(environment, ["config", "validate", "--json"]);
        Assert.Equal(0, code);
        var unknown = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("unknownSettings").EnumerateArray()
            .Select(u => (u.GetProperty("key").GetString(), u.GetProperty("suggestion").GetString())).Order().ToList();
        Assert.Equal([("Kafka:Pasword", "Kafka:Password"), ("Kafka:SessionTimeoutMs", "Kafka:Consumer:session.timeout.ms")], unknown);
    }
}

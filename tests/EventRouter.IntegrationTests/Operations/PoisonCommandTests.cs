using System.CommandLine;
using System.Text;
using System.Text.Json;
using EventRouter.Cli.Commands;
using EventRouter.IntegrationTests.Infrastructure;
using Spectre.Console;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Operations;

/// <summary>The commands as an operator runs them: parsing, settings, exit codes, JSON and table output.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PoisonCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PoisonCommands_ListShowPurgeRedriveStats_EndToEnd()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var broken = Encoding.UTF8.GetBytes("{\"id\": oops");
        await scope.Pipeline.RouteBatchAsync([Record("Notifications", 1, broken), Record("Notifications", 2, Encoding.UTF8.GetBytes("[1]"))]);
        var settings = Path.Combine(Path.GetTempPath(), $"{scope.Prefix}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["EventStorage"] = azurite.ConnectionString,
            ["Routing"] = new Dictionary<string, string>
            {
                ["CategoryQueuePrefix"] = scope.Prefix + "-events-", ["PricesQueue"] = scope.Prefix + "-prices",
                ["UnroutedQueue"] = scope.Prefix + "-events-unrouted", ["PoisonQueue"] = scope.Prefix + "-events-poison",
            },
        }));
        try
        {
            var (code, output, _) = await RunAsync("poison", "list", "--json", "--settings", settings);
            Assert.Equal(0, code);
            var listed = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
            Assert.Equal(["invalid-json", "not-an-object"], listed.Select(e => e.GetProperty("reason").GetString()).Order());
            var id = listed.Single(e => e.GetProperty("reason").GetString() == "invalid-json").GetProperty("id").GetString()!;

            (code, output, _) = await RunAsync("poison", "show", id, "--json", "--settings", settings);
            Assert.Equal(0, code);
            Assert.Equal("{\"id\": oops", JsonDocument.Parse(output).RootElement.GetProperty("valueText").GetString());

            (code, _, var error) = await RunAsync("poison", "purge", "--reason", "not-an-object", "--settings", settings);
            Assert.Equal(2, code);
            Assert.Contains("--yes", error);
            Assert.Equal(2, (await scope.Queues.GetQueueClient(scope.Queue("events-poison")).GetPropertiesAsync()).Value.ApproximateMessagesCount);

            (code, output, _) = await RunAsync("poison", "redrive", "--reason", "invalid-json", "--settings", settings);
            Assert.Equal(0, code);
            Assert.Matches(@"still poisoned\s*│\s*\S+-events-poison\s*│\s*invalid-json\s*│\s*1", output);

            (code, output, _) = await RunAsync("poison", "purge", "--reason", "not-an-object", "--yes", "--settings", settings);
            Assert.Equal(0, code);
            (code, output, _) = await RunAsync("stats", "--no-kafka", "--json", "--prefix", scope.Prefix, "--settings", settings);
            Assert.Equal(0, code);
            var queues = JsonDocument.Parse(output).RootElement.GetProperty("queues").EnumerateArray().ToList();
            Assert.Equal(1, queues.Single(q => q.GetProperty("name").GetString() == scope.Queue("events-poison")).GetProperty("approximateMessages").GetInt32());
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task Redrive_300Messages_Json_StdoutIsOneJsonDocument_ProgressOnlyOnStderr()
    {
        await using var scope = new StorageScope(azurite.ConnectionString);
        var poisonQueue = scope.Queues.GetQueueClient(scope.Queue("events-poison"));
        await poisonQueue.CreateAsync();
        // 290 valid events an earlier deploy poisoned, 10 still broken.
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var value = i % 30 == 0 ? Encoding.UTF8.GetBytes("{\"id\": oops") : Event("USER.CREATED");
            var record = new InboundRecord("Notifications", i % 4, i, DateTimeOffset.UtcNow, null, value, []);
            await poisonQueue.SendMessageAsync(BinaryData.FromBytes(EventRouter.Formats.PoisonMessage.Create(record,
                i % 30 == 0 ? PoisonReason.InvalidJson : PoisonReason.MissingField, "bug", DateTimeOffset.UtcNow)), cancellationToken: ct);
        });
        var settings = await WriteSettingsAsync(scope);
        try
        {
            var (code, output, error) = await RunAsync("poison", "redrive", "--dry-run", "--settings", settings);
            Assert.Equal(0, code);
            // The dry run's table says where they would go, grouped, with the reason of those that stay.
            Assert.Matches($@"would route\s*│\s*{scope.Queue("events-user")}\s*│\s*│\s*290", output);
            Assert.Matches($@"would stay poisoned\s*│\s*{scope.Queue("events-poison")}\s*│\s*invalid-json\s*│\s*10", output);
            Assert.Contains("300/300 checked", error);

            (code, output, error) = await RunAsync("poison", "redrive", "--json", "--settings", settings);

            Assert.Equal(0, code);
            using var report = JsonDocument.Parse(output);   // the whole of stdout, nothing else
            Assert.Equal((290, 10, 0), (report.RootElement.GetProperty("redriven").GetInt32(), report.RootElement.GetProperty("stillPoisoned").GetInt32(),
                report.RootElement.GetProperty("failed").GetInt32()));
            Assert.Equal(300, report.RootElement.GetProperty("items").GetArrayLength());
            // Without a terminal on stderr: one progress line per batch of 100 there, none on stdout.
            Assert.Equal(["100/300 re-driven", "200/300 re-driven", "300/300 re-driven"],
                error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Replace("eventrouter poison redrive: ", "")));
            Assert.Equal(290, (await scope.DrainAsync(scope.Queue("events-user"))).Count);
            Assert.Equal(10, (await scope.DrainAsync(scope.Queue("events-poison"))).Count);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    private static async Task<string> WriteSettingsAsync(StorageScope scope)
    {
        var settings = Path.Combine(Path.GetTempPath(), $"{scope.Prefix}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["EventStorage"] = scope.Configuration["EventStorage"]!,
            ["Routing"] = new Dictionary<string, string>
            {
                ["CategoryQueuePrefix"] = scope.Prefix + "-events-", ["PricesQueue"] = scope.Prefix + "-prices",
                ["UnroutedQueue"] = scope.Prefix + "-events-unrouted", ["PoisonQueue"] = scope.Prefix + "-events-poison",
            },
        }));
        return settings;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var root = new RootCommand { PoisonCommand.Create(() => console), StatsCommand.Create(() => console) };
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}

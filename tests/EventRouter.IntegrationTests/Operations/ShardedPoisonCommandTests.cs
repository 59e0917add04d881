using System.Collections.Concurrent;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using EventRouter.Cli.Commands;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Processing;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Operations;

/// <summary>
/// <c>poison list|show|redrive|purge --queue prices</c> for a route in 4 shards over two accounts (two
/// Azurite processes): the poison of every shard in one view, each row naming its shard queue, and a
/// re-drive that puts each message back onto the shard it came from, in that shard's account.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShardedPoisonCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PoisonCommands_ShardedRouteName_ListAllShardsPoisonWithTotal_RedriveBackToEachShardInItsAccount()
    {
        var handler = new FailingHandler();
        await using var sharded = await TwoAccountShards.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Processing:MaxPollingInterval"] = "00:00:00.200",
            ["Processing:MaxDequeueCount"] = "1",
            ["Processing:RetryVisibilityTimeout"] = "00:00:00",
        }, s => s.AddSingleton<IEventHandler>(handler));
        var (scope, second) = (sharded.Storage, sharded.Second);
        var accounts = sharded.Accounts;

        // 32 prices of 16 instruments; the handler fails those of instruments in shards 0 and 1 (one per account).
        var shardOf = new Dictionary<Guid, int>();
        var records = new List<InboundRecord>();
        for (var i = 0; i < 32; i++)
        {
            var id = Guid.NewGuid();
            var instrument = $"US{i % 16:D10}";
            shardOf[id] = ShardSelector.Select(instrument, TwoAccountShards.ShardCount);
            if (shardOf[id] is 0 or 1) handler.Failing[id] = true;
            records.Add(new InboundRecord("Prices", 0, i, null, Encoding.UTF8.GetBytes(instrument), Event("PRICE.UPDATED", id), []));
        }
        var poisoned = handler.Failing.Count;
        Assert.True(shardOf.Values.Count(s => s == 0) > 0 && shardOf.Values.Count(s => s == 1) > 0, "the sample has prices in shards 0 and 1");
        Assert.Equal(32, (await scope.Pipeline.RouteBatchAsync(records)).Routed);

        var pump = ActivatorUtilities.CreateInstance<QueuePumpService>(scope.Services);
        await pump.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (handler.Handled.Count < 32 - poisoned || await PoisonCountAsync(scope, accounts) < poisoned)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the pump handled {handler.Handled.Count} of {32 - poisoned} and poisoned fewer than {poisoned} within 90 s");
                await Task.Delay(200);
            }
        }
        finally
        {
            await pump.StopAsync(CancellationToken.None);
        }

        var route = scope.Queue("prices");
        var settings = await WriteSettingsAsync(scope, second.ConnectionString);
        try
        {
            // One view: every shard's poison, each naming its shard queue.
            var (code, output, error) = await RunAsync("poison", "list", "--queue", route, "--json", "--settings", settings);
            Assert.True(code == 0, error);
            var listed = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
            Assert.Equal(poisoned, listed.Count);
            Assert.Equal(handler.Failing.Keys.Select(id => $"{route}-{shardOf[id]}-poison").Order(),
                listed.Select(e => e.GetProperty("queue").GetString()).Order());
            Assert.All(listed, e => Assert.Equal(e.GetProperty("queue").GetString()![..^"-poison".Length], e.GetProperty("originQueue").GetString()));

            (code, output, error) = await RunAsync("poison", "list", "--queue", route, "--settings", settings);
            Assert.True(code == 0, error);
            Assert.Contains($"{route} (5 poison queues): {poisoned} message(s)", output);
            Assert.Matches($@"Total\s*│\s*{poisoned} message\(s\)", output);
            Assert.Contains($"{route}-0-poison: {shardOf.Count(p => p.Value == 0)}", output);
            Assert.Contains($"{route}-1-poison: {shardOf.Count(p => p.Value == 1)}", output);
            Assert.Contains($"{route}-2-poison: 0", output);

            // Show finds a message in whichever shard's poison (and account) it is.
            var inSecondAccount = listed.First(e => e.GetProperty("queue").GetString() == $"{route}-1-poison").GetProperty("id").GetString()!;
            (code, output, error) = await RunAsync("poison", "show", inSecondAccount, "--queue", route, "--json", "--settings", settings);
            Assert.True(code == 0, error);
            Assert.Equal($"{route}-1-poison", JsonDocument.Parse(output).RootElement.GetProperty("queue").GetString());

            // Re-drive: each message back onto its shard, in its account; every poison queue empty after.
            (code, output, error) = await RunAsync("poison", "redrive", "--queue", route, "--json", "--settings", settings);
            Assert.True(code == 0, error);
            Assert.Equal(poisoned, JsonDocument.Parse(output).RootElement.GetProperty("redriven").GetInt32());
            Assert.Equal(0, await PoisonCountAsync(scope, accounts));
            for (var shard = 0; shard < TwoAccountShards.ShardCount; shard++)
            {
                var back = await DrainIdsAsync(accounts[shard % 2].GetQueueClient(scope.Queue($"prices-{shard}")));
                Assert.Equal(handler.Failing.Keys.Where(id => shardOf[id] == shard).Order(), back.Order());
            }

            (code, output, error) = await RunAsync("poison", "purge", "--queue", route, "--yes", "--json", "--settings", settings);
            Assert.True(code == 0, error);
            Assert.Equal(5, JsonDocument.Parse(output).RootElement.GetProperty("queues").GetArrayLength());
        }
        finally
        {
            File.Delete(settings);
        }
    }

    private static async Task<int> PoisonCountAsync(StorageScope scope, IReadOnlyList<QueueServiceClient> accounts)
    {
        var total = 0;
        for (var shard = 0; shard < TwoAccountShards.ShardCount; shard++)
        {
            var queue = accounts[shard % 2].GetQueueClient(scope.Queue($"prices-{shard}") + "-poison");
            if ((await queue.ExistsAsync()).Value) total += (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        return total;
    }

    /// <summary>The event ids of every message in <paramref name="queue"/> (received, so hidden).</summary>
    private static async Task<List<Guid>> DrainIdsAsync(QueueClient queue)
    {
        var ids = new List<Guid>();
        if (!(await queue.ExistsAsync()).Value) return ids;
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } batch)
        {
            ids.AddRange(batch.Select(m => JsonDocument.Parse(m.Body.ToMemory()).RootElement.GetProperty("event").GetProperty("id").GetGuid()));
        }
        return ids;
    }

    private static async Task<string> WriteSettingsAsync(StorageScope scope, string secondConnection)
    {
        var settings = Path.Combine(Path.GetTempPath(), $"{scope.Prefix}.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["EventStorage"] = scope.Configuration["EventStorage"]!,
            ["EventStorage2"] = secondConnection,
            ["Routing"] = new Dictionary<string, object>
            {
                ["CategoryQueuePrefix"] = scope.Prefix + "-events-", ["PricesQueue"] = scope.Prefix + "-prices",
                ["UnroutedQueue"] = scope.Prefix + "-events-unrouted", ["PoisonQueue"] = scope.Prefix + "-events-poison",
                ["Shards"] = new[] { new Dictionary<string, object> { ["Queue"] = scope.Prefix + "-prices", ["Count"] = TwoAccountShards.ShardCount } },
                ["ShardConnections"] = new[] { "EventStorage", "EventStorage2" },
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
        console.Profile.Width = 240;
        var root = new RootCommand { PoisonCommand.Create(() => console) };
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private sealed class FailingHandler : IEventHandler
    {
        public ConcurrentDictionary<Guid, bool> Failing { get; } = new();
        public ConcurrentDictionary<Guid, bool> Handled { get; } = new();
        public string Name => "failing";
        public bool CanHandle(string queueName) => true;

        public Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken)
        {
            if (Failing.ContainsKey(routedEvent.Id)) throw new InvalidOperationException("simulated failure");
            Handled[routedEvent.Id] = true;
            return Task.CompletedTask;
        }
    }
}

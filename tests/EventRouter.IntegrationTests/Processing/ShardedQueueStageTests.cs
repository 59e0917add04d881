using System.Collections.Concurrent;
using System.Text;
using Azure.Storage.Queues;
using EventRouter.Cli.Operations;
using EventRouter.Delivery;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Processing;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Processing;

/// <summary>
/// The queue stage of a sharded route over two accounts (two Azurite processes): every shard pumped
/// from its account, its poison twin in that account, and <c>stats</c> reading each from there.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShardedQueueStageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task QueuePump_4ShardsIn2Accounts_HandlesEveryEventOnce_PoisonStaysInTheShardsAccount_StatsShowsEachShard()
    {
        var handler = new ShardRecordingHandler();
        await using var sharded = await TwoAccountShards.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Processing:MaxPollingInterval"] = "00:00:00.200",
            ["Processing:MaxDequeueCount"] = "2",
            ["Processing:RetryVisibilityTimeout"] = "00:00:00",
        }, s => s.AddSingleton<IEventHandler>(handler));
        var scope = sharded.Storage;
        var accounts = sharded.Accounts;
        // 80 prices of 16 instruments; the handler fails every price of instrument US0000000007.
        var ids = new List<Guid>();
        var records = new List<InboundRecord>();
        for (var i = 0; i < 80; i++)
        {
            var id = Guid.NewGuid();
            ids.Add(id);
            var instrument = $"US{i % 16:D10}";
            if (i % 16 == 7) handler.Failing[id] = true;
            records.Add(new InboundRecord("Prices", 0, i, null, Encoding.UTF8.GetBytes(instrument), Event("PRICE.UPDATED", id), []));
        }
        var failingShard = ShardSelector.Select("US0000000007", TwoAccountShards.ShardCount);
        var failingQueue = scope.Queue($"prices-{failingShard}") + "-poison";
        Assert.Equal(80, (await scope.Pipeline.RouteBatchAsync(records)).Routed);

        var pump = ActivatorUtilities.CreateInstance<QueuePumpService>(scope.Services);
        await pump.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (handler.Handled.Count < 75 || await CountAsync(accounts[failingShard % 2].GetQueueClient(failingQueue)) < 5)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the pump handled {handler.Handled.Count} of 75 and poisoned fewer than 5 within 90 s");
                await Task.Delay(200);
            }
        }
        finally
        {
            await pump.StopAsync(CancellationToken.None);
        }

        // Each succeeding event handled once, from the shard of its instrument; the handler was asked about the route.
        Assert.Equal(75, handler.Handled.Count);
        Assert.All(handler.Handled, h => Assert.Equal(scope.Queue($"prices-{ShardSelector.Select($"US{ids.IndexOf(h.Key) % 16:D10}", TwoAccountShards.ShardCount)}"), h.Value));
        Assert.Equal([scope.Queue("prices")], handler.AskedAbout.Distinct());
        // The poison twin lives in the shard's account, not in the other one.
        Assert.False((await accounts[(failingShard + 1) % 2].GetQueueClient(failingQueue).ExistsAsync()).Value);

        var stats = new StatsService(scope.Services.GetRequiredService<StorageAccounts>(), scope.Services.GetRequiredService<RouteTable>());
        var queues = await stats.QueuesAsync(scope.Prefix, CancellationToken.None);
        var poisonRow = Assert.Single(queues, q => q.Name == failingQueue);
        Assert.Equal((5, true, failingShard % 2 == 0 ? "EventStorage" : "EventStorage2", scope.Queue("prices")),
            (poisonRow.ApproximateMessages, poisonRow.Poison, poisonRow.Connection, poisonRow.Route));
        Assert.All(Enumerable.Range(0, TwoAccountShards.ShardCount), shard => Assert.Single(queues, q => q.Name == scope.Queue($"prices-{shard}")
            && q.Connection == (shard % 2 == 0 ? "EventStorage" : "EventStorage2") && q.ApproximateMessages == 0));
        var total = Assert.Single(stats.RouteTotals(queues));
        Assert.Equal((scope.Queue("prices"), TwoAccountShards.ShardCount, 0, 5), (total.Route, total.Shards, total.ApproximateMessages, total.PoisonMessages));
    }

    private static async Task<int> CountAsync(QueueClient queue) =>
        (await queue.ExistsAsync()).Value ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;

    private sealed class ShardRecordingHandler : IEventHandler
    {
        public ConcurrentDictionary<Guid, bool> Failing { get; } = new();
        public ConcurrentDictionary<Guid, string> Handled { get; } = new();
        public ConcurrentQueue<string> AskedAbout { get; } = new();
        public string Name => "shards";

        public bool CanHandle(string queueName)
        {
            AskedAbout.Enqueue(queueName);
            return true;
        }

        public Task HandleAsync(RoutedEvent routedEvent, CancellationToken cancellationToken)
        {
            if (Failing.ContainsKey(routedEvent.Id)) throw new InvalidOperationException("simulated failure");
            Assert.True(Handled.TryAdd(routedEvent.Id, routedEvent.Queue), $"event {routedEvent.Id} handled twice");
            return Task.CompletedTask;
        }
    }
}

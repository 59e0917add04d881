using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using EventRouter.IntegrationTests.Infrastructure;
using EventRouter.Routing;
using static EventRouter.IntegrationTests.Infrastructure.SampleEvents;

namespace EventRouter.IntegrationTests.Routing;

/// <summary>
/// <c>Routing:Shards</c> over two storage accounts: two Azurite processes, the shared one as
/// <c>EventStorage</c> and one of the test's own as <c>EventStorage2</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShardedRoutingStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RouteBatchAsync_1000Prices_4ShardsIn2Accounts_EachEventOnceInTheShardItsKeyHashesTo()
    {
        await using var sharded = await TwoAccountShards.StartAsync(azurite);
        var scope = sharded.Storage;
        var accounts = sharded.Accounts;
        // 1,000 prices of 150 instruments (the key), on 6 partitions, routed a partition's batch at a time.
        var keyOf = new Dictionary<Guid, string>();
        var records = Enumerable.Range(0, 1000).Select(i =>
        {
            var id = Guid.NewGuid();
            var instrument = $"US{i % 150:D10}";
            keyOf[id] = instrument;
            return new InboundRecord("Prices", i % 6, i / 6, null, Encoding.UTF8.GetBytes(instrument), Event("PRICE.UPDATED", id), []);
        }).ToList();
        var notification = Guid.NewGuid();

        var routed = 0;
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            routed += (await scope.Pipeline.RouteBatchAsync(partition.ToList())).Routed;
        }
        routed += (await scope.Pipeline.RouteBatchAsync([Record("Notifications", 0, Event("USER.CREATED", notification))])).Routed;

        Assert.Equal(1001, routed);
        var found = new Dictionary<Guid, List<int>>();
        var perShard = new int[TwoAccountShards.ShardCount];
        for (var shard = 0; shard < TwoAccountShards.ShardCount; shard++)
        {
            var queue = scope.Queue($"prices-{shard}");
            // Shard i lives in ShardConnections[i % 2] and nowhere else.
            Assert.False((await accounts[(shard + 1) % 2].GetQueueClient(queue).ExistsAsync()).Value, $"{queue} in the wrong account");
            foreach (var message in await DrainAsync(accounts[shard % 2].GetQueueClient(queue)))
            {
                var id = message.RootElement.GetProperty("event").GetProperty("id").GetGuid();
                (found.TryGetValue(id, out var shards) ? shards : found[id] = []).Add(shard);
                Assert.Equal(ShardSelector.Select(keyOf[id], TwoAccountShards.ShardCount), shard);
                perShard[shard]++;
            }
        }

        Assert.Equal(1000, found.Count);
        Assert.All(found.Values, shards => Assert.Single(shards));
        Assert.All(perShard, count => Assert.InRange(count, 150, 350)); // 150 keys over 4 shards: roughly even, none empty
        // The unsharded queue name is never written; unsharded routes stay in EventStorage.
        Assert.False((await accounts[0].GetQueueClient(scope.Queue("prices")).ExistsAsync()).Value);
        Assert.False((await accounts[1].GetQueueClient(scope.Queue("prices")).ExistsAsync()).Value);
        Assert.Equal(notification, Assert.Single(await scope.DrainAsync(scope.Queue("events-user"))).RootElement.GetProperty("event").GetProperty("id").GetGuid());
        Assert.False((await accounts[1].GetQueueClient(scope.Queue("events-user")).ExistsAsync()).Value);
    }

    private static async Task<List<JsonDocument>> DrainAsync(QueueClient client)
    {
        var result = new List<JsonDocument>();
        if (!(await client.ExistsAsync()).Value) return result;
        while (true)
        {
            var batch = (await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0) return result;
            result.AddRange(batch.Select(m => JsonDocument.Parse(m.Body.ToMemory())));
        }
    }
}

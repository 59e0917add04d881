using EventRouter.Cli.Operations;
using EventRouter.Routing;

namespace EventRouter.Cli.Tests.Operations;

/// <summary>
/// Which queues <c>eventrouter poison</c> reads. A sharded route keeps its own queue beside its
/// shards (the queue stage still reads it, for what was written before sharding), so the own queue's
/// poison twin must stay visible next to the shards' twins.
/// </summary>
public sealed class PoisonQueueNameTests
{
    private static PoisonService ShardedPrices()
    {
        var routing = new RoutingOptions { Shards = [new QueueShards { Queue = "prices", Count = 4 }] };
        // Only the names are under test: no storage, router or clock is touched.
        return new PoisonService(null!, null!, null!, routing, TimeProvider.System);
    }

    [Theory]
    [InlineData("prices-poison")]
    [InlineData("prices-0-poison")]
    [InlineData("prices-3-poison")]
    [InlineData("events-poison")]
    public void ShardedRoute_TheOwnTwinAndEachShardsTwin_ArePoisonQueues(string queue) =>
        Assert.Null(ShardedPrices().ValidateQueue(queue));

    [Theory]
    [InlineData("prices")]
    [InlineData("prices-2")]
    [InlineData("-poison")]
    public void NotAPoisonQueue_IsRefusedWithTheNamesToUse(string queue)
    {
        var problem = ShardedPrices().ValidateQueue(queue);
        Assert.NotNull(problem);
        Assert.Contains("events-poison or <queue>-poison", problem, StringComparison.Ordinal);
    }
}

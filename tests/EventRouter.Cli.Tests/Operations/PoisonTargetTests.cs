using EventRouter.Cli.Operations;
using EventRouter.Routing;

namespace EventRouter.Cli.Tests.Operations;

/// <summary>What <c>poison --queue</c> stands for: a sharded route's name means all its poison queues; anything else is one queue.</summary>
public sealed class PoisonTargetTests
{
    private static readonly RouteTable Routes = new(new RoutingOptions { Shards = [new QueueShards { Queue = "prices", Count = 3 }] });

    [Fact]
    public void Of_ShardedRouteName_TheOwnTwinThenEachShardsTwin()
    {
        var target = PoisonTarget.Of(Routes, "prices");

        Assert.True(target.IsRoute);
        Assert.Equal(["prices-poison", "prices-0-poison", "prices-1-poison", "prices-2-poison"], target.Queues);
    }

    [Theory]
    [InlineData("prices-poison")]
    [InlineData("prices-1-poison")]
    [InlineData("events-poison")]
    [InlineData("events-user")]   // an unsharded route: not a poison queue, ValidateQueue says so
    public void Of_AnythingElse_ThatQueueAlone(string queue)
    {
        var target = PoisonTarget.Of(Routes, queue);

        Assert.False(target.IsRoute);
        Assert.Equal([queue], target.Queues);
    }
}

using EventRouter.Routing;
using EventRouter.Tests.Hostile;
using EventRouter.Tests.Support;

namespace EventRouter.Tests.Pipeline;

/// <summary>
/// <c>poison redrive --dry-run</c> trusts <see cref="RoutingPipeline.Predict"/>: it must decide every
/// record the way <see cref="RoutingPipeline.RouteBatchAsync"/> does, and write nothing.
/// </summary>
public sealed class RoutingPipelinePredictTests
{
    [Theory]
    [MemberData(nameof(HostileCorpus.Names), MemberType = typeof(HostileCorpus))]
    public async Task Predict_AgreesWithRouteBatch_OnEveryHostileCase_AndWritesNothing(string name)
    {
        using var factory = new PipelineFactory();
        var dispatcher = new RecordingQueueDispatcher();
        var routing = new RoutingOptions { Overrides = { ["ORDER.FILLED"] = "orders-filled" } };
        var pipeline = factory.Create(dispatcher, routing);
        var record = HostileCorpus.All[name].ToRecord(RoutingDefaults.PricesTopic, offset: 42);

        var (predicted, error) = pipeline.Predict(record);
        Assert.Empty(dispatcher.Sends);
        Assert.Empty(dispatcher.Blobs);
        var actual = Assert.Single((await pipeline.RouteBatchAsync([record])).Outcomes);

        Assert.Equal(actual, predicted);
        Assert.Equal(actual.Kind == OutcomeKind.Poisoned, error is not null);
    }
}

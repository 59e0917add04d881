using System.Text;
using System.Text.Json;
using EventRouter.Formats;
using EventRouter.Routing;
using EventRouter.Tests.Hostile;
using EventRouter.Testing;
using EventRouter.Validation;

namespace EventRouter.Tests;

/// <summary>
/// <see cref="RecordPlanner"/> is the one decision both <see cref="RoutingPipeline.RouteBatchAsync"/>
/// and its dry run (<see cref="RoutingPipeline.Predict"/>) use: pure, so its tests need no dispatcher.
/// </summary>
public sealed class RecordPlannerTests
{
    private static readonly DateTimeOffset Now = PipelineFactory.Now;
    private readonly RecordPlanner _planner = new(new RouteTable(new RoutingOptions { Overrides = { ["ORDER.FILLED"] = "orders-filled" } }), EventFieldMapping.Default);

    [Theory]
    [MemberData(nameof(HostileCorpus.Names), MemberType = typeof(HostileCorpus))]
    public void Plan_HostileRecord_DecidesWhatTheCorpusSaysAndWritesToThatQueue(string name)
    {
        var c = HostileCorpus.All[name];
        var plan = _planner.Plan(c.ToRecord(RoutingDefaults.PricesTopic, offset: 42), Now);

        Assert.Equal(plan.Outcome.Queue, plan.Write.Queue);
        Assert.Equal(plan.Outcome.Offloaded, plan.Write.Blobs.Count > 0);
        Assert.True(QueueMessageLimits.Fits(plan.Write.Message.Length));
        if (c.ExpectedPoison is { } reason)
        {
            Assert.Equal((OutcomeKind.Poisoned, "events-poison", reason), (plan.Outcome.Kind, plan.Outcome.Queue, plan.Outcome.Reason?.ToCode()));
            Assert.False(string.IsNullOrEmpty(plan.Error));
        }
        else
        {
            Assert.Equal((c.ExpectedQueue, (PoisonReason?)null, (string?)null), (plan.Outcome.Queue, plan.Outcome.Reason, plan.Error));
        }
    }

    [Fact]
    public void Plan_Tombstone_AndEmptyValue_AreEmptyValuePoisonWithTheirOwnError()
    {
        var tombstone = _planner.Plan(InboundRecord.Create(RoutingDefaults.NotificationsTopic, 0, 1, null), Now);
        var empty = _planner.Plan(InboundRecord.Create(RoutingDefaults.NotificationsTopic, 0, 2, ReadOnlyMemory<byte>.Empty), Now);

        Assert.Equal((PoisonReason.EmptyValue, "value is null (a tombstone)"), (tombstone.Outcome.Reason!.Value, tombstone.Error));
        Assert.Equal((PoisonReason.EmptyValue, "value is empty"), (empty.Outcome.Reason!.Value, empty.Error));
    }

    [Fact]
    public void Plan_ValidEvent_WritesTheRoutedEnvelopeOfItsFormat()
    {
        var record = InboundRecord.Create(RoutingDefaults.NotificationsTopic, 3, 7, EventJson.Valid("ORDER.FILLED"));

        var plan = _planner.Plan(record, Now);

        Assert.Equal(new RecordOutcome(record.Topic, 3, 7, OutcomeKind.Routed, "orders-filled", null, false), plan.Outcome);
        Assert.Equal(RoutedMessage.Create(record.Value!.Value.Span, record, Now), plan.Write.Message.ToArray());
        Assert.Empty(plan.Write.Blobs);
    }

    [Fact]
    public void Plan_EventTooLargeForAQueueMessage_GoesToItsBlobAndTheMessagePointsThere()
    {
        var big = EventJson.Valid("USER.CREATED", obj: "{\"pad\":\"" + new string('x', QueueMessageLimits.MaxMessageBytes) + "\"}");
        var record = InboundRecord.Create(RoutingDefaults.NotificationsTopic, 1, 99, big);

        var plan = _planner.Plan(record, Now);

        Assert.Equal((OutcomeKind.Routed, "events-user", true), (plan.Outcome.Kind, plan.Outcome.Queue, plan.Outcome.Offloaded));
        var blob = Assert.Single(plan.Write.Blobs);
        Assert.Equal(RoutedMessage.BlobName(record), blob.Name);
        Assert.Equal(big, blob.Content.ToArray());
        using var message = JsonDocument.Parse(plan.Write.Message);
        Assert.Equal(blob.Name, message.RootElement.GetProperty("eventBlob").GetString());
    }

    [Fact]
    public void Assess_ThenPlan_IsPlan()
    {
        var record = InboundRecord.Create(RoutingDefaults.PricesTopic, 0, 5, EventJson.Valid("PRICE.UPDATED"));

        var assessment = _planner.Assess(record);
        var twoSteps = _planner.Plan(record, assessment, Now);
        var oneStep = _planner.Plan(record, Now);

        Assert.True(assessment.IsValidEvent);
        Assert.Equal(("prices", RouteKind.Prices), (assessment.Queue, assessment.RouteKind));
        Assert.Equal(oneStep.Outcome, twoSteps.Outcome);
        Assert.Equal(oneStep.Write.Message.ToArray(), twoSteps.Write.Message.ToArray());
    }

    [Fact]
    public async Task Predict_IsThePlansOutcome_AndWritesNothing()
    {
        using var factory = new PipelineFactory();
        var dispatcher = new RecordingQueueDispatcher();
        var pipeline = factory.Create(dispatcher);
        var poison = InboundRecord.Create(RoutingDefaults.NotificationsTopic, 0, 1, Encoding.UTF8.GetBytes("{\"id\":1}"));

        var (outcome, error) = pipeline.Predict(poison);

        Assert.Empty(dispatcher.Sends);
        Assert.Empty(dispatcher.Blobs);
        var planned = new RecordPlanner(new RouteTable(new RoutingOptions()), EventFieldMapping.Default).Plan(poison, Now);
        Assert.Equal((planned.Outcome, planned.Error), (outcome, error));
        Assert.Equal(outcome, Assert.Single((await pipeline.RouteBatchAsync([poison])).Outcomes));
    }
}

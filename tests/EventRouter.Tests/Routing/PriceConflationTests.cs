using System.Text;
using System.Text.Json;
using EventRouter.Configuration;
using EventRouter.Routing;
using EventRouter.Testing;

namespace EventRouter.Tests.Routing;

public sealed class PriceConflationTests
{
    private static InboundRecord Price(long offset, string? instrument, decimal price, string topic = "Prices", string? isin = null)
        => new(topic, 0, offset, null, instrument is null ? null : Encoding.UTF8.GetBytes(instrument),
            EventJson.Valid("PRICE.UPDATED", Guid.NewGuid(), $$"""{"isin":{{(isin is null ? "null" : EventJson.Quote(isin))}},"price":{{price}}}"""), []);

    private static InboundRecord Broken(long offset, string instrument)
        => new("Prices", 0, offset, null, Encoding.UTF8.GetBytes(instrument), "{\"id\":"u8.ToArray(), []);

    [Fact]
    public async Task RouteBatch_ConflationByKey_WritesOnlyTheNewestPriceOfEachInstrumentAndAccountsForTheRest()
    {
        using var factory = new PipelineFactory();
        var dispatcher = new RecordingQueueDispatcher();
        var pipeline = factory.Create(dispatcher, conflation: new PriceConflationOptions { Enabled = true });
        InboundRecord[] batch =
        [
            Price(0, "AAPL", 1.0m), Price(1, "MSFT", 2.0m), Price(2, "AAPL", 1.1m),
            Broken(3, "AAPL"), Price(4, null, 9.9m), Price(5, "AAPL", 1.2m),
        ];

        var result = await pipeline.RouteBatchAsync(batch);

        Assert.Equal(
            [OutcomeKind.Conflated, OutcomeKind.Routed, OutcomeKind.Conflated, OutcomeKind.Poisoned, OutcomeKind.Routed, OutcomeKind.Routed],
            result.Outcomes.Select(o => o.Kind));
        Assert.Equal(2, result.Conflated);
        // Poison is never conflated away, and a record without an instrument is always written.
        var written = dispatcher.Sends.Select(s => (s.Queue, Offset: JsonDocument.Parse(s.Message).RootElement.GetProperty("source").GetProperty("offset").GetInt64())).OrderBy(s => s.Offset).ToList();
        Assert.Equal([("prices", 1L), ("events-poison", 3L), ("prices", 4L), ("prices", 5L)], written);
    }

    [Fact]
    public async Task RouteBatch_ConflationByField_UsesTheFieldAndLeavesTheNotificationsTopicAlone()
    {
        using var factory = new PipelineFactory();
        var dispatcher = new RecordingQueueDispatcher();
        var pipeline = factory.Create(dispatcher, conflation: new PriceConflationOptions { Enabled = true, InstrumentField = "object.isin" });
        InboundRecord[] batch =
        [
            Price(0, "k1", 1.0m, isin: "US0378331005"), Price(1, "k2", 1.1m, isin: "US0378331005"),
            Price(2, "k3", 3.0m, isin: null), Price(3, "k4", 3.1m, isin: null),
            Price(4, "same", 5.0m, topic: "Notifications", isin: "X"), Price(5, "same", 5.1m, topic: "Notifications", isin: "X"),
        ];

        var result = await pipeline.RouteBatchAsync(batch);

        Assert.Equal(
            [OutcomeKind.Conflated, OutcomeKind.Routed, OutcomeKind.Routed, OutcomeKind.Routed, OutcomeKind.Unrouted, OutcomeKind.Unrouted],
            result.Outcomes.Select(o => o.Kind));
        Assert.Equal(5, dispatcher.SendCount);
    }

    [Fact]
    public async Task RouteBatch_ConflationOff_WritesEveryPrice()
    {
        using var factory = new PipelineFactory();
        var dispatcher = new RecordingQueueDispatcher();
        var pipeline = factory.Create(dispatcher);

        var result = await pipeline.RouteBatchAsync([Price(0, "AAPL", 1.0m), Price(1, "AAPL", 1.1m)]);

        Assert.Equal(0, result.Conflated);
        Assert.Equal(2, dispatcher.SendCount);
    }

    [Theory]
    [InlineData("""{"object":{"isin":"US0378331005"}}""", "object.isin", "US0378331005")]
    [InlineData("""{"a":1,"object":{"x":[1,{"isin":"no"}],"isin":42}}""", "object.isin", "42")]
    [InlineData("""{"object":{"isin":null}}""", "object.isin", null)]
    [InlineData("""{"object":"isin"}""", "object.isin", null)]
    [InlineData("""{"object":{}}""", "object.isin", null)]
    [InlineData("""{"object":{"isin":"A"}""", "object.isin", "A")]
    [InlineData("""{"object":{"other":"A"} trailing""", "object.isin", null)]
    [InlineData("""[1,2]""", "object.isin", null)]
    [InlineData("""{"instrument":"A"}""", "instrument", "A")]
    public void ReadField_DotPath_ReturnsTheValueAsTextOrNull(string json, string path, string? expected)
        => Assert.Equal(expected, PriceConflator.ReadField(Encoding.UTF8.GetBytes(json), path.Split('.')));

    [Theory]
    [InlineData("object..isin")]
    [InlineData(".isin")]
    [InlineData("object. isin")]
    public void Validate_InstrumentFieldNotADotPath_NamesTheSetting(string field)
    {
        var result = new PriceConflationOptionsValidator().Validate(null, new PriceConflationOptions { Enabled = true, InstrumentField = field });
        Assert.True(result.Failed);
        Assert.StartsWith("PriceConflation:InstrumentField", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyOrDotPath_Succeeds()
    {
        var validator = new PriceConflationOptionsValidator();
        Assert.True(validator.Validate(null, new PriceConflationOptions { Enabled = true }).Succeeded);
        Assert.True(validator.Validate(null, new PriceConflationOptions { Enabled = true, InstrumentField = "object.instrument_id" }).Succeeded);
    }
}

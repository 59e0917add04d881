using EventRouter.Configuration;
using EventRouter.Kafka;

namespace EventRouter.Kafka.Tests;

/// <summary>The one <c>Kafka:BootstrapServers</c> rule, and the worker applying it.</summary>
public sealed class BootstrapServersRuleTests
{
    [Theory]
    [InlineData("localhost:9092")]
    [InlineData("broker-1.example:9094,broker-2.example:9094")]
    [InlineData(" broker-1.example:9094 , broker-2.example:9094 ")]
    [InlineData("10.0.0.7:65535")]
    [InlineData("[::1]:9092")]
    [InlineData("SASL_SSL://broker.example:9094")]
    public void Check_EveryEntryHostPort_Passes(string servers) => Assert.Null(BootstrapServersRule.Check(servers));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Check_Missing_SaysRequired(string? servers) =>
        Assert.Equal("Kafka:BootstrapServers is required (a comma-separated list of host:port).", BootstrapServersRule.Check(servers));

    [Theory]
    [InlineData("a:9092,,b:9092")]
    [InlineData("a:9092,")]
    [InlineData(",a:9092")]
    [InlineData("a:9092, ,b:9092")]
    public void Check_EmptyEntry_SaysSo(string servers) =>
        Assert.Equal("Kafka:BootstrapServers contains an empty entry; use a comma-separated list of host:port.", BootstrapServersRule.Check(servers));

    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData("a:9092,b", "b")]
    [InlineData(":9092", ":9092")]
    [InlineData("a:", "a:")]
    [InlineData("a:0", "a:0")]
    [InlineData("a:65536", "a:65536")]
    [InlineData("a:-1", "a:-1")]
    [InlineData("a:90x2", "a:90x2")]
    [InlineData("a:+9092", "a:+9092")]
    public void Check_EntryNotHostPort_NamesSettingAndEntry(string servers, string entry) =>
        Assert.Equal($"Kafka:BootstrapServers: '{entry}' is not host:port (expected a comma-separated list of host:port).", BootstrapServersRule.Check(servers));

    [Theory]
    [InlineData("localhost")]
    [InlineData("a:9092,,b:9092")]
    [InlineData("a:9092,b:0")]
    public void Worker_RefusesWithTheRulesMessage(string servers)
    {
        // The Functions app's check gives the same message: EventRouter.Functions.Hosting.Tests.
        var expected = BootstrapServersRule.Check(servers);
        Assert.NotNull(expected);
        var options = EventRouter.Kafka.Tests.KafkaOptionsValidatorTests.ValidOptions();
        options.BootstrapServers = servers;

        var result = new KafkaOptionsValidator().Validate(null, options);

        Assert.Equal([expected], result.Failures);
    }
}

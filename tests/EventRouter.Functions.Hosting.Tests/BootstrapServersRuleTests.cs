using EventRouter.Configuration;

namespace EventRouter.Functions.Hosting.Tests;

/// <summary>The Functions app's trigger settings check applies the worker's <c>Kafka:BootstrapServers</c> rule.</summary>
public sealed class BootstrapServersRuleTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("a:9092,,b:9092")]
    [InlineData("a:9092,b:0")]
    [InlineData("a:9092,b")]
    public void FunctionsApp_RefusesWithTheRulesMessage(string servers)
    {
        // The worker gives the same message: EventRouter.Kafka.Tests' BootstrapServersRuleTests.
        var expected = BootstrapServersRule.Check(servers);
        Assert.NotNull(expected);

        var result = new KafkaTriggerSettingsValidator().Validate(null, new KafkaTriggerSettings
        {
            BootstrapServers = servers, ConsumerGroup = "g", Username = "u", Password = "p", NotificationsTopic = "n", PricesTopic = "p",
            SaslMechanism = "Plain", CompiledSecurityProtocol = "SaslSsl",
        });

        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void FunctionsApp_HostPortList_Passes()
    {
        var result = new KafkaTriggerSettingsValidator().Validate(null, new KafkaTriggerSettings
        {
            BootstrapServers = "broker-1.example:9094, broker-2.example:9094", ConsumerGroup = "g", Username = "u", Password = "p",
            NotificationsTopic = "n", PricesTopic = "p", SaslMechanism = "Plain", CompiledSecurityProtocol = "SaslSsl",
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}

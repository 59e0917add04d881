using EventRouter.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Functions;

public sealed class KafkaTriggerSettingsTests
{
    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Kafka:BootstrapServers"] = "broker-1.example:9094,broker-2.example:9094",
        ["Kafka:SecurityProtocol"] = "SaslSsl",
        ["Kafka:SaslMechanism"] = "ScramSha512",
        ["Kafka:Username"] = "eventrouter",
        ["Kafka:Password"] = "s3cret-value",
        ["Kafka:ConsumerGroup"] = "eventrouter",
        ["Kafka:Topics:Notifications"] = "Notifications",
        ["Kafka:Topics:Prices"] = "Prices",
    };

    private static KafkaTriggerSettings Resolve(Dictionary<string, string?> settings, string mechanism = "ScramSha512")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection()
            .AddKafkaTriggerSettingsCheck(configuration, "SaslSsl", mechanism)
            .BuildServiceProvider();
        return provider.GetRequiredService<IOptions<KafkaTriggerSettings>>().Value;
    }

    [Fact]
    public void Validate_CompleteSettings_Passes()
    {
        var settings = Resolve(ValidSettings());

        Assert.Equal("ScramSha512", settings.CompiledSaslMechanism);
        Assert.Equal("Prices", settings.PricesTopic);
    }

    [Fact]
    public void Validate_EnvironmentVariableNames_BindLikeAppSettings()
    {
        Environment.SetEnvironmentVariable("ERTEST_Kafka__BootstrapServers", "localhost:9094");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("ERTEST_").Build();
            Assert.Equal("localhost:9094", configuration[KafkaSettingNames.BootstrapServers]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ERTEST_Kafka__BootstrapServers", null);
        }
    }

    [Theory]
    [InlineData("Kafka:BootstrapServers", "Kafka__BootstrapServers")]
    [InlineData("Kafka:Username", "Kafka__Username")]
    [InlineData("Kafka:Password", "Kafka__Password")]
    [InlineData("Kafka:ConsumerGroup", "Kafka__ConsumerGroup")]
    [InlineData("Kafka:Topics:Notifications", "Kafka__Topics__Notifications")]
    [InlineData("Kafka:Topics:Prices", "Kafka__Topics__Prices")]
    public void Validate_MissingSetting_FailsNamingItInBothForms(string key, string appSetting)
    {
        var settings = ValidSettings();
        settings.Remove(key);

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var message = Assert.Single(failure.Failures);
        Assert.Contains(key, message);
        Assert.Contains(appSetting, message);
    }

    [Theory]
    [InlineData("Plain")]
    [InlineData("SCRAM-SHA-256")]
    public void Validate_MechanismOtherThanCompiled_FailsNamingTheSettingAndTheSwitch(string configured)
    {
        var settings = ValidSettings();
        settings["Kafka:SaslMechanism"] = configured;

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var message = Assert.Single(failure.Failures);
        Assert.Contains("Kafka:SaslMechanism", message);
        Assert.Contains("ScramSha512", message);
        Assert.Contains("-p:KafkaSaslMechanism=", message);
    }

    [Theory]
    [InlineData("ScramSha512", "SCRAM-SHA-512")]
    [InlineData("ScramSha512", "scram_sha_512")]
    [InlineData("Plain", "PLAIN")]
    [InlineData("ScramSha256", "ScramSha256")]
    public void Validate_MechanismSpellings_MatchTheCompiledName(string compiled, string configured)
    {
        var settings = ValidSettings();
        settings["Kafka:SaslMechanism"] = configured;

        Assert.Equal(compiled, Resolve(settings, compiled).CompiledSaslMechanism);
    }

    [Fact]
    public void Validate_ProtocolOtherThanCompiled_Fails()
    {
        var settings = ValidSettings();
        settings["Kafka:SecurityProtocol"] = "Plaintext";

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains("Kafka:SecurityProtocol", Assert.Single(failure.Failures));
    }

    [Fact]
    public void Validate_ProtocolAndMechanismUnset_Pass()
    {
        var settings = ValidSettings();
        settings.Remove("Kafka:SecurityProtocol");
        settings.Remove("Kafka:SaslMechanism");

        Assert.Null(Resolve(settings).SaslMechanism);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("a:9092,b")]
    [InlineData(":9092")]
    public void Validate_BootstrapServersNotHostPort_Fails(string servers)
    {
        var settings = ValidSettings();
        settings["Kafka:BootstrapServers"] = servers;

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains("Kafka:BootstrapServers", Assert.Single(failure.Failures));
    }

    [Fact]
    public void Validate_Failures_NeverRepeatThePassword()
    {
        var settings = ValidSettings();
        settings.Remove("Kafka:Username");
        settings["Kafka:SaslMechanism"] = "Plain";
        settings["Kafka:BootstrapServers"] = "nohost";

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Equal(3, failure.Failures.Count());
        Assert.DoesNotContain(failure.Failures, f => f.Contains("s3cret-value", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret-value", Resolve(ValidSettings()).ToString());
    }

    [Fact]
    public void AppSettingNames_UseDoubleUnderscores()
    {
        Assert.Equal("Kafka__Topics__Prices", KafkaSettingNames.ToAppSettingName(KafkaSettingNames.PricesTopic));
        Assert.Equal(9, KafkaSettingNames.All.Count);
    }
}

using EventRouter.Configuration;
using EventRouter.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventRouter.Functions.Hosting.Tests;

public sealed class KafkaTriggerSettingsTests
{
    private static Dictionary<string, string?> ValidSettings(string mechanism = "ScramSha512")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "broker-1.example:9094,broker-2.example:9094",
            ["Kafka:SecurityProtocol"] = "SaslSsl",
            ["Kafka:SaslMechanism"] = mechanism,
            ["Kafka:Username"] = "eventrouter",
            ["Kafka:Password"] = "s3cret-value",
            ["Kafka:ConsumerGroup"] = "eventrouter",
            ["Kafka:Topics:Notifications"] = "Notifications",
            ["Kafka:Topics:Prices"] = "Prices",
        };
        foreach (var (name, value) in KafkaTriggerFunctions.DisabledSettings(mechanism)) settings[name] = value;
        return settings;
    }

    private static KafkaTriggerSettings Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection()
            .AddKafkaTriggerSettingsCheck(configuration, "SaslSsl", KafkaTriggerFunctions.All)
            .BuildServiceProvider();
        return provider.GetRequiredService<IOptions<KafkaTriggerSettings>>().Value;
    }

    [Theory]
    [InlineData("Plain")]
    [InlineData("ScramSha256")]
    [InlineData("ScramSha512")]
    public void Validate_CompleteSettingsWithTheDerivedDisableSettings_Passes(string mechanism)
    {
        var settings = Resolve(ValidSettings(mechanism));

        Assert.Equal(mechanism, settings.SaslMechanism);
        Assert.Equal("Prices", settings.PricesTopic);
        Assert.Equal([$"Notifications{mechanism}", $"Prices{mechanism}"], settings.Enabled.Where(e => e.Value).Select(e => e.Key).Order());
    }

    [Fact]
    public void DisabledSettings_DisableEveryFunctionOfTheOtherMechanisms()
    {
        var settings = KafkaTriggerFunctions.DisabledSettings("SCRAM-SHA-256");

        Assert.Equal(6, settings.Count);
        Assert.Equal("false", settings["AzureWebJobs.NotificationsScramSha256.Disabled"]);
        Assert.Equal("false", settings["AzureWebJobs.PricesScramSha256.Disabled"]);
        Assert.Equal(4, settings.Values.Count(v => v == "true"));
        Assert.Throws<ArgumentException>(() => KafkaTriggerFunctions.DisabledSettings("Gssapi"));
    }

    [Fact]
    public void Validate_OtherMechanismsFunctionLeftOn_FailsNamingItsDisableSetting()
    {
        var settings = ValidSettings("ScramSha512");
        settings.Remove("AzureWebJobs.PricesPlain.Disabled");

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var message = Assert.Single(failure.Failures);
        Assert.Contains("AzureWebJobs.PricesPlain.Disabled", message);
        Assert.Contains("ScramSha512", message);
    }

    [Fact]
    public void Validate_ConfiguredMechanismsFunctionDisabled_FailsNamingItsDisableSetting()
    {
        var settings = ValidSettings("Plain");
        settings["AzureWebJobs.NotificationsPlain.Disabled"] = "TRUE";

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var message = Assert.Single(failure.Failures);
        Assert.Contains("AzureWebJobs.NotificationsPlain.Disabled is true", message);
        Assert.Contains("Kafka:SaslMechanism is Plain", message);
    }

    [Fact]
    public void Validate_DisableSettingsWithUnderscores_CountLikeTheHostReadsThem()
    {
        // App Service on Linux may hand the worker AzureWebJobs_<function>_Disabled; the host reads both.
        var settings = ValidSettings("Plain");
        foreach (var function in KafkaTriggerFunctions.All)
        {
            var value = settings[KafkaTriggerFunctions.DisabledSetting(function)];
            settings.Remove(KafkaTriggerFunctions.DisabledSetting(function));
            settings[KafkaTriggerFunctions.DisabledSettingWithUnderscores(function)] = value == "true" ? "1" : "false";
        }

        Assert.Equal(2, Resolve(settings).Enabled.Count(e => e.Value));
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("Gssapi", "expected one of Plain, ScramSha256, ScramSha512")]
    public void Validate_MechanismMissingOrUnknown_FailsNamingTheSetting(string? mechanism, string expected)
    {
        var settings = ValidSettings();
        settings["Kafka:SaslMechanism"] = mechanism;

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        var message = Assert.Single(failure.Failures);
        Assert.Contains("Kafka:SaslMechanism", message);
        Assert.Contains(expected, message);
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
    [InlineData("ScramSha512", "SCRAM-SHA-512")]
    [InlineData("ScramSha512", "scram_sha_512")]
    [InlineData("Plain", "PLAIN")]
    [InlineData("ScramSha256", "ScramSha256")]
    public void Validate_MechanismSpellings_ChooseTheSameFunctions(string canonical, string configured)
    {
        var settings = ValidSettings(canonical);
        settings["Kafka:SaslMechanism"] = configured;

        Assert.Contains(Resolve(settings).Enabled, e => e.Value && e.Key == $"Notifications{canonical}");
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
    public void Validate_ProtocolUnset_Passes()
    {
        var settings = ValidSettings();
        settings.Remove("Kafka:SecurityProtocol");

        Assert.Null(Resolve(settings).SecurityProtocol);
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

        // The missing user, the bad servers, and the four functions the switch to Plain contradicts.
        Assert.Equal(6, failure.Failures.Count());
        Assert.DoesNotContain(failure.Failures, f => f.Contains("s3cret-value", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret-value", Resolve(ValidSettings()).ToString());
    }

    [Fact]
    public void AppSettingNames_UseDoubleUnderscores()
    {
        Assert.Equal("Kafka__Topics__Prices", KafkaSettingNames.ToAppSettingName(KafkaSettingNames.PricesTopic));
        Assert.Equal(9, KafkaSettingNames.SharedByHosts.Count);
    }
}

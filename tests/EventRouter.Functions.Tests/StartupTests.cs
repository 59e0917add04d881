using EventRouter.Functions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventRouter.Functions.Tests;

/// <summary>Program.cs's start: bad settings stop the worker with a message naming them, no stack trace.</summary>
public sealed class StartupTests
{
    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["EventStorage"] = "UseDevelopmentStorage=true",
        ["Kafka:BootstrapServers"] = "broker.example:9094",
        ["Kafka:SecurityProtocol"] = "SaslSsl",
        ["Kafka:SaslMechanism"] = "ScramSha512",
        ["Kafka:Username"] = "eventrouter",
        ["Kafka:Password"] = "s3cret-value",
        ["Kafka:ConsumerGroup"] = "eventrouter",
        ["Kafka:Topics:Notifications"] = "Notifications",
        ["Kafka:Topics:Prices"] = "Prices",
    };

    private static async Task<(int ExitCode, string Error)> RunAsync(Dictionary<string, string?> settings)
    {
        var error = new StringWriter();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var exitCode = await FunctionsAppHost.Build(settings).RunEventRouterAsync(error).WaitAsync(cancel.Token);
        return (exitCode, error.ToString());
    }

    [Fact]
    public async Task Run_BadRoutingSetting_ExitsWithTwoNamingTheSetting()
    {
        var settings = ValidSettings();
        settings["Routing:PoisonQueue"] = "Not_A_Queue";

        var (exitCode, error) = await RunAsync(settings);

        Assert.Equal(FunctionsApp.InvalidConfigurationExitCode, exitCode);
        Assert.StartsWith("EventRouter.Functions: the configuration is not valid:", error);
        Assert.Contains("PoisonQueue", error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("s3cret-value", error);
    }

    [Fact]
    public async Task Run_NoEventStorage_ExitsWithTwoNamingTheSetting()
    {
        var settings = ValidSettings();
        settings.Remove("EventStorage");

        var (exitCode, error) = await RunAsync(settings);

        Assert.Equal(FunctionsApp.InvalidConfigurationExitCode, exitCode);
        Assert.Contains("EventStorage", error);
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>The Kafka settings check comes with the Kafka triggers: in their build, not in one without them.</summary>
    [Fact]
    public void Build_RegistersTheKafkaTriggerCheck_ExactlyWhenTheBuildHasKafkaTriggers()
    {
        using var host = FunctionsAppHost.Build(ValidSettings());

        Assert.Equal(FunctionsAppOutput.HasKafkaTrigger, host.Services.GetServices<IValidateOptions<KafkaTriggerSettings>>().Any());
    }
}

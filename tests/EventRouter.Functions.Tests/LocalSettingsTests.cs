using EventRouter.Configuration;
using System.Text.Json;
using EventRouter.Functions.Hosting;

namespace EventRouter.Functions.Tests;

/// <summary>local.settings.sample.json, what `func start` reads once copied to local.settings.json.</summary>
public sealed class LocalSettingsTests
{
    private static Dictionary<string, string?> Values()
    {
        var text = File.ReadAllText(Path.Combine(FunctionsAppOutput.RepositoryRoot, "local.settings.sample.json"));
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        Assert.False(document.RootElement.GetProperty("IsEncrypted").GetBoolean());
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
    }

    [Fact]
    public void Sample_HasEveryKafkaSettingAndLocalStorage()
    {
        var values = Values();

        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("UseDevelopmentStorage=true", values["EventStorage"]);
        Assert.All(KafkaSettingNames.SharedByHosts, key => Assert.Contains(KafkaSettingNames.ToAppSettingName(key), values.Keys));
        Assert.Equal("SaslSsl", values["Kafka__SecurityProtocol"]);
    }

    [Fact]
    public void Sample_DisableSettings_AreTheOnesItsMechanismDerives()
    {
        var values = Values();
        var mechanism = values["Kafka__SaslMechanism"]!;

        var disable = values.Where(v => v.Key.StartsWith("AzureWebJobs.", StringComparison.Ordinal)).ToDictionary(v => v.Key, v => v.Value);

        Assert.Equal("ScramSha512", mechanism);
        Assert.Equal(KafkaTriggerFunctions.DisabledSettings(mechanism).OrderBy(v => v.Key), disable.OrderBy(v => v.Key)!);
    }
}

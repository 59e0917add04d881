using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventRouter.Infrastructure.Tests;

/// <summary>One entry of infra/app-settings.json, the list of every app setting the hosts read.</summary>
internal sealed record SettingEntry(string Name, string Owner, bool Required, bool Secret, string? Pattern, IReadOnlyList<string>? Plans)
{
    public static IReadOnlyList<SettingEntry> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepositoryTools.PathOf("infra/app-settings.json")));
        return
        [
            .. doc.RootElement.GetProperty("settings").EnumerateArray().Select(s => new SettingEntry(
                s.GetProperty("name").GetString()!,
                s.GetProperty("owner").GetString()!,
                s.GetProperty("required").GetBoolean(),
                s.TryGetProperty("secret", out var secret) && secret.GetBoolean(),
                s.TryGetProperty("pattern", out var pattern) ? pattern.GetString() : null,
                s.TryGetProperty("plans", out var plans) ? [.. plans.EnumerateArray().Select(p => p.GetString()!)] : null)),
        ];
    }

    public bool AppliesTo(string hostingPlan) => Plans is null || Plans.Contains(hostingPlan);

    public bool Matches(string setting) => Pattern is null ? Name == setting : Regex.IsMatch(setting, Pattern);
}

/// <summary>infra/app-settings.json itself: the contract settings are required, the optional ones documented.</summary>
public sealed class AppSettingsContractTests
{
    private static readonly IReadOnlyList<SettingEntry> Settings = SettingEntry.Load();

    [Fact]
    public void TheContractSettings_AreListedAsRequired()
    {
        string[] contract =
        [
            "Kafka__BootstrapServers", "Kafka__SecurityProtocol", "Kafka__SaslMechanism", "Kafka__Username", "Kafka__Password",
            "Kafka__ConsumerGroup", "Kafka__Topics__Notifications", "Kafka__Topics__Prices",
            "EventStorage__queueServiceUri", "EventStorage__blobServiceUri", "EventStorage__credential", "EventStorage__clientId",
            "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "AzureWebJobs.NotificationsScramSha512.Disabled",
        ];
        var required = Settings.Where(s => s.Required).ToList();
        Assert.All(contract, name => Assert.Contains(required, s => s.Matches(name)));
        Assert.All(Settings.Where(s => s.Secret), s => Assert.True(s.Required, $"{s.Name} is secret but optional"));
    }

    [Fact]
    public void OptionalSettings_AreDocumentedInDeployMd()
    {
        var doc = File.ReadAllText(RepositoryTools.PathOf("docs/deploy.md"));
        var optional = Settings.Where(s => !s.Required).ToArray();
        Assert.NotEmpty(optional);
        Assert.All(optional, s => Assert.True(doc.Contains(s.Name, StringComparison.Ordinal), $"{s.Name} is not documented in docs/deploy.md"));
    }
}

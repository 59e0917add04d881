namespace EventRouter.Infrastructure.Tests;

/// <summary>Every app setting the code reads is set by the template or documented as optional.</summary>
public sealed class AppSettingsTests
{
    private static readonly IReadOnlyList<SettingEntry> Settings = SettingEntry.Load();

    public static TheoryData<string> HostingPlans => [.. TemplateReport.HostingPlans];

    [Theory]
    [MemberData(nameof(HostingPlans))]
    public void EveryRequiredSetting_IsSetByTheTemplate(string hostingPlan)
    {
        var set = TemplateReport.AppSettings(hostingPlan);
        var missing = Settings.Where(s => s.Required && s.AppliesTo(hostingPlan) && !set.Contains(s.Name)).Select(s => s.Name).ToArray();
        Assert.True(missing.Length == 0, $"{hostingPlan}: infra/modules/functions.bicep does not set {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(HostingPlans))]
    public void EverySettingTheTemplateSets_IsListedInAppSettingsJson(string hostingPlan)
    {
        var unlisted = TemplateReport.AppSettings(hostingPlan)
            .Where(name => !Settings.Any(s => s.Matches(name) && s.AppliesTo(hostingPlan)))
            .ToArray();
        Assert.True(unlisted.Length == 0, $"{hostingPlan}: not in infra/app-settings.json (or not for this plan): {string.Join(", ", unlisted)}");
    }

    [Fact]
    public void TheContractSettings_AreListedAsRequired()
    {
        string[] contract =
        [
            "Kafka__BootstrapServers", "Kafka__SecurityProtocol", "Kafka__SaslMechanism", "Kafka__Username", "Kafka__Password",
            "Kafka__ConsumerGroup", "Kafka__Topics__Notifications", "Kafka__Topics__Prices",
            "EventStorage__queueServiceUri", "EventStorage__blobServiceUri", "EventStorage__credential", "EventStorage__clientId",
            "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
        ];
        var required = Settings.Where(s => s.Required).Select(s => s.Name).ToHashSet();
        Assert.All(contract, name => Assert.Contains(name, required));
    }

    [Fact]
    public void OptionalSettings_AreDocumentedInDeployMd()
    {
        var doc = File.ReadAllText(RepositoryTools.PathOf("docs/deploy.md"));
        var optional = Settings.Where(s => !s.Required).ToArray();
        Assert.NotEmpty(optional);
        Assert.All(optional, s => Assert.True(doc.Contains(s.Name, StringComparison.Ordinal), $"{s.Name} is not documented in docs/deploy.md"));
    }

    [Theory]
    [MemberData(nameof(HostingPlans))]
    public void SecretSettings_AreKeyVaultReferences_AndStorageUsesTheIdentity(string hostingPlan)
    {
        foreach (var secret in Settings.Where(s => s.Secret))
        {
            Assert.StartsWith("@Microsoft.KeyVault(SecretUri=", TemplateReport.AppSettingValue(hostingPlan, secret.Name));
        }

        Assert.Equal("managedidentity", TemplateReport.AppSettingValue(hostingPlan, "EventStorage__credential"));
        Assert.Equal("managedidentity", TemplateReport.AppSettingValue(hostingPlan, "AzureWebJobsStorage__credential"));
        Assert.Equal("SaslSsl", TemplateReport.AppSettingValue(hostingPlan, "Kafka__SecurityProtocol"));
        var settings = TemplateReport.AppSettings(hostingPlan);
        Assert.DoesNotContain("AzureWebJobsStorage", settings);
        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", settings);
        Assert.All(settings, name => Assert.DoesNotContain("AccountKey=", TemplateReport.AppSettingValue(hostingPlan, name), StringComparison.OrdinalIgnoreCase));
    }
}

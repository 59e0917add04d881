using System.Text.Json;
using EventRouter.Functions.Hosting;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// What infra/main.bicep deploys, as the Bicep CLI's deployment engine predicts it (<c>bicep snapshot</c>)
/// for the committed environments and for the other hosting plan and SASL mechanisms.
/// </summary>
public sealed class DeploymentTests
{
    public static TheoryData<string> All => Deployments.All;

    [Theory]
    [MemberData(nameof(All))]
    public void Queues_AreExactlyWhatRoutesJsonAndTheRoutingDefaultsDerive(string name)
    {
        var queues = Deployments.Get(name).ChildNames("Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal(queues.Count, queues.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ExpectedStorage.AllQueues.Order(StringComparer.Ordinal), queues.Order(StringComparer.Ordinal));
        Assert.Equal(ExpectedStorage.FromRoutesJson().Order(StringComparer.Ordinal), queues.Order(StringComparer.Ordinal));
        Assert.Equal(queues.Count, Deployments.Get(name).Outputs.GetProperty("EVENTROUTER_QUEUE_COUNT").GetInt32());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Containers_AreTheRoutingOnesAndTheDeploymentPackage_AllPrivate(string name)
    {
        var deployment = Deployments.Get(name);
        var containers = deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();

        Assert.Equal(ExpectedStorage.Containers.Append("app-package").Order(), deployment.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers").Order());
        Assert.All(containers, c => Assert.Equal("None", c.GetProperty("properties").GetProperty("publicAccess").GetString()));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void AppSettings_AreEveryRequiredSettingOfThePlan_AndOnlyListedOnes(string name)
    {
        var deployment = Deployments.Get(name);
        var plan = Deployments.HostingPlan(deployment);
        var settings = SettingEntry.Load();
        var set = deployment.AppSettings.Keys.ToList();

        var missing = settings.Where(s => s.Required && s.AppliesTo(plan) && !set.Any(s.Matches)).Select(s => s.Name).ToList();
        var unlisted = set.Where(n => !settings.Any(s => s.Matches(n) && s.AppliesTo(plan))).ToList();
        Assert.True(missing.Count == 0, $"{name} ({plan}): the template does not set {string.Join(", ", missing)}");
        Assert.True(unlisted.Count == 0, $"{name} ({plan}): not in infra/app-settings.json for this plan: {string.Join(", ", unlisted)}");
    }

    [Theory]
    [MemberData(nameof(All))]
    public void KafkaFunctionDisableSettings_LeaveExactlyTheFunctionsOfTheMechanismOn(string name)
    {
        var settings = Deployments.Get(name).AppSettings;
        var mechanism = settings["Kafka__SaslMechanism"];

        var disable = settings.Where(s => s.Key.StartsWith("AzureWebJobs.", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();

        Assert.Equal(KafkaTriggerFunctions.DisabledSettings(mechanism).OrderBy(s => s.Key, StringComparer.Ordinal), disable);
        Assert.Equal(2, disable.Count(s => s.Value == "false"));
    }

    [Fact]
    public void KafkaSaslMechanism_AllowsExactlyTheMechanismsTheAppHasFunctionsFor()
    {
        using var main = Bicep.CompiledTemplate("main.bicep");
        using var functions = Bicep.CompiledTemplate("modules/functions.bicep");

        foreach (var template in new[] { main, functions })
        {
            var allowed = template.RootElement.GetProperty("parameters").GetProperty("kafkaSaslMechanism").GetProperty("allowedValues");
            Assert.Equal(KafkaTriggerFunctions.Mechanisms, allowed.EnumerateArray().Select(v => v.GetString()!).ToList());
        }
        // The predicted deployments cover every mechanism.
        Assert.Equal(KafkaTriggerFunctions.Mechanisms.Order(), Deployments.Names.Select(n => Deployments.Get(n).AppSettings["Kafka__SaslMechanism"]).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void SaslCredentials_AreKeyVaultReferencesToTheDeployedVaultsSecrets(string name)
    {
        var deployment = Deployments.Get(name);
        var vault = deployment.NameOf("Microsoft.KeyVault/vaults");
        var vaultId = deployment.ResourceId("Microsoft.KeyVault/vaults", vault);
        var secrets = deployment.ChildNames("Microsoft.KeyVault/vaults/secrets");
        var site = deployment.Single("Microsoft.Web/sites").GetProperty("properties");

        foreach (var (setting, secret) in new[] { ("Kafka__Username", "kafka-sasl-username"), ("Kafka__Password", "kafka-sasl-password") })
        {
            var value = deployment.AppSettings[setting];
            Assert.Equal($"[format('@Microsoft.KeyVault(SecretUri={{0}}{{1}}/)', format('{{0}}secrets/', reference('{vaultId}', '2023-07-01').vaultUri), '{secret}')]", value);
            Assert.Contains(secret, secrets);
        }
        Assert.Equal(deployment.ResourceId("Microsoft.ManagedIdentity/userAssignedIdentities", deployment.NameOf("Microsoft.ManagedIdentity/userAssignedIdentities")),
            site.GetProperty("keyVaultReferenceIdentity").GetString());
        Assert.True(deployment.Single("Microsoft.KeyVault/vaults").GetProperty("properties").GetProperty("enableRbacAuthorization").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Storage_IsIdentityOnly_AndNoSettingCarriesAKey(string name)
    {
        var deployment = Deployments.Get(name);
        var account = deployment.Single("Microsoft.Storage/storageAccounts").GetProperty("properties");
        var settings = deployment.AppSettings;

        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
        Assert.True(account.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("managedidentity", settings["EventStorage__credential"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(deployment.NameOf("Microsoft.Storage/storageAccounts"), settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("SaslSsl", settings["Kafka__SecurityProtocol"]);
        Assert.Equal(PredictedDeployment.SampleBootstrapServers, settings["Kafka__BootstrapServers"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain("EventStorage", settings.Keys);
        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", settings.Keys);
        Assert.All(settings.Values, v => Assert.DoesNotMatch("(?i)AccountKey=|SharedAccessSignature=|listKeys", v));
        Assert.True(deployment.Single("Microsoft.Insights/components").GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void AppIdentity_HasExactlyItsFourDataRoles_OnTheirResources(string name)
    {
        var deployment = Deployments.Get(name);
        var identity = deployment.ResourceId("Microsoft.ManagedIdentity/userAssignedIdentities", deployment.NameOf("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var app = RoleAssignments(deployment).Where(r => r.Principal == $"[reference('{identity}', '2023-01-31').principalId]").ToList();

        (string Role, string Scope)[] expected =
        [
            ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", deployment.ResourceId("Microsoft.Storage/storageAccounts", deployment.NameOf("Microsoft.Storage/storageAccounts"))), // Storage Blob Data Owner
            ("974c5e8b-45b9-4653-ba55-5f855dd0fb88", deployment.ResourceId("Microsoft.Storage/storageAccounts", deployment.NameOf("Microsoft.Storage/storageAccounts"))), // Storage Queue Data Contributor
            ("4633458b-17de-408a-b874-0445c86b69e6", deployment.ResourceId("Microsoft.KeyVault/vaults", deployment.NameOf("Microsoft.KeyVault/vaults"))), // Key Vault Secrets User
            ("3913510d-42f4-4e42-8a64-420c390055eb", deployment.ResourceId("Microsoft.Insights/components", deployment.NameOf("Microsoft.Insights/components"))), // Monitoring Metrics Publisher
        ];
        Assert.Equal(expected.Order(), app.Select(r => (r.Role, r.Scope)).Order());
        Assert.All(app, r => Assert.Equal("ServicePrincipal", r.PrincipalType));
    }

    [Fact]
    public void Operator_GetsRotationQueueAndPackageRoles_OnlyWhenGiven()
    {
        var withOperator = RoleAssignments(Deployments.Get("elastic-premium-plain")).Where(r => r.Principal == Deployments.OperatorId).ToList();

        Assert.Equal(
            ["2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
            withOperator.Select(r => r.Role).Order());
        Assert.EndsWith("/blobServices/default/containers/app-package", withOperator.Single(r => r.Role == "ba92f5b4-2d11-453d-a403-e96b0029c9fe").Scope);
        Assert.Equal(4, RoleAssignments(Deployments.Get("sandbox")).Count);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void HostingPlan_IsFlexConsumptionOnDotnet10_OrElasticPremiumWithRuntimeScaleMonitoring(string name)
    {
        var deployment = Deployments.Get(name);
        var plan = deployment.Single("Microsoft.Web/serverfarms");
        var site = deployment.Single("Microsoft.Web/sites");
        var properties = site.GetProperty("properties");
        var settings = deployment.AppSettings;

        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.True(properties.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", properties.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        if (Deployments.HostingPlan(deployment) == "FlexConsumption")
        {
            Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
            var config = properties.GetProperty("functionAppConfig");
            Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
            Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
            Assert.Equal("UserAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
            Assert.InRange(config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetInt32(), 1, 1000);
            Assert.All(new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE" }, s => Assert.DoesNotContain(s, settings.Keys));
        }
        else
        {
            Assert.Equal("EP1", plan.GetProperty("sku").GetProperty("name").GetString());
            var siteConfig = properties.GetProperty("siteConfig");
            Assert.True(siteConfig.GetProperty("functionsRuntimeScaleMonitoringEnabled").GetBoolean());
            Assert.Equal("DOTNET-ISOLATED|10.0", siteConfig.GetProperty("linuxFxVersion").GetString());
            Assert.False(properties.TryGetProperty("functionAppConfig", out var config) && config.ValueKind != JsonValueKind.Null);
            Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
            Assert.EndsWith(".primaryEndpoints.blob, 'app-package', 'eventrouter-functions.zip')]", settings["WEBSITE_RUN_FROM_PACKAGE"]);
        }
    }

    [Fact]
    public void Production_IsZoneRedundant_WithPurgeProtection()
    {
        var production = Deployments.Get("production");

        Assert.Equal("Standard_ZRS", production.Single("Microsoft.Storage/storageAccounts").GetProperty("sku").GetProperty("name").GetString());
        Assert.True(production.Single("Microsoft.KeyVault/vaults").GetProperty("properties").GetProperty("enablePurgeProtection").GetBoolean());
        Assert.Equal("production", production.Outputs.GetProperty("EVENTROUTER_PROVIDER_ENVIRONMENT").GetString());
        Assert.Equal("sandbox", Deployments.Get("sandbox").Outputs.GetProperty("EVENTROUTER_PROVIDER_ENVIRONMENT").GetString());
    }

    internal sealed record RoleAssignment(string Role, string Scope, string Principal, string PrincipalType);

    /// <summary>Role assignments with their role id, the resource they are scoped to (from the id the engine predicts) and principal.</summary>
    internal static List<RoleAssignment> RoleAssignments(PredictedDeployment deployment) =>
        [.. deployment.OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var properties = r.GetProperty("properties");
            var id = r.GetProperty("id").GetString()!;
            // Either "<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>", or, when the
            // name depends on a runtime value, "[extensionResourceId('<scope>', 'Microsoft.Authorization/roleAssignments', guid(...))]".
            var scope = id.StartsWith('[') ? id.Split('\'')[1] : id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
            return new RoleAssignment(
                properties.GetProperty("roleDefinitionId").GetString()!.Split('/')[^1],
                scope,
                properties.GetProperty("principalId").GetString()!,
                properties.GetProperty("principalType").GetString()!);
        })];
}

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// A deployment with sharded routes over two storage accounts (main.bicep's queueShards and
/// shardStorageAccountCount): the shard queues and their poison twins land in the account the
/// worker's rule names (shard i in account i % count), the app gets the settings that tell both hosts
/// the same, and the identity may use the queues of the extra account and nothing else there.
/// </summary>
public sealed class ShardedDeploymentTests
{
    private const string QueueType = "Microsoft.Storage/storageAccounts/queueServices/queues";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";

    private static PredictedDeployment Sharded => PredictedDeployment.SandboxWith("sharded-two-accounts", new Dictionary<string, string>
    {
        ["queueShards"] = "[{ queue: 'prices', count: 4 }, { queue: 'events-order', count: 3 }, { queue: 'events-user', count: 1 }]",
        ["shardStorageAccountCount"] = "2",
        ["operatorPrincipalId"] = $"'{Deployments.OperatorId}'",
    });

    private static IReadOnlyList<string> QueuesOf(PredictedDeployment deployment, string account) =>
        [.. deployment.OfType(QueueType).Select(r => r.GetProperty("name").GetString()!.Split('/'))
            .Where(parts => parts[0] == account).Select(parts => parts[^1]).Order(StringComparer.Ordinal)];

    [Fact]
    public void ShardQueues_AndTheirTwins_LiveInTheAccountOfTheirIndex()
    {
        var deployment = Sharded;
        var accounts = deployment.OfType("Microsoft.Storage/storageAccounts").Select(a => a.GetProperty("name").GetString()!).ToList();
        Assert.Equal(2, accounts.Count);
        var extra = Assert.Single(deployment.Outputs.GetProperty("AZURE_SHARD_STORAGE_ACCOUNT_NAMES").EnumerateArray()).GetString()!;
        var main = Assert.Single(accounts, a => a != extra);
        Assert.True(extra.Length <= 24, extra);

        var mainQueues = QueuesOf(deployment, main);
        // Even shards in the main account, odd ones in the second.
        Assert.Contains("prices-0", mainQueues);
        Assert.Contains("prices-2-poison", mainQueues);
        Assert.Contains("events-order-0", mainQueues);
        Assert.Contains("events-order-2", mainQueues);
        // The route's own queue stays: what was written there before sharding is still read.
        Assert.Contains("prices", mainQueues);
        Assert.Contains("prices-poison", mainQueues);
        Assert.Contains("events-order", mainQueues);
        // A count of 1 is no shard at all, and unsharded routes keep their queue.
        Assert.Contains("events-user", mainQueues);
        Assert.DoesNotContain("events-user-0", mainQueues);
        Assert.Contains("events-poison", mainQueues);
        Assert.Equal(["events-order-1", "events-order-1-poison", "prices-1", "prices-1-poison", "prices-3", "prices-3-poison"], QueuesOf(deployment, extra));

        var total = deployment.OfType(QueueType).Count();
        Assert.Equal(total, deployment.Outputs.GetProperty("EVENTROUTER_QUEUE_COUNT").GetInt32());
        // The 37 routed queues and 7 shards: 44 triggered queues, their twins and events-poison.
        Assert.Equal(2 * 44 + 1, total);
    }

    [Fact]
    public void AppSettings_TellTheHostsTheSameShards()
    {
        var deployment = Sharded;
        var settings = deployment.AppSettings;
        var extra = deployment.Outputs.GetProperty("AZURE_SHARD_STORAGE_ACCOUNT_NAMES")[0].GetString()!;

        Assert.Equal("prices", settings["Routing__Shards__0__Queue"]);
        Assert.Equal("4", settings["Routing__Shards__0__Count"]);
        Assert.Equal("events-order", settings["Routing__Shards__1__Queue"]);
        Assert.Equal("3", settings["Routing__Shards__1__Count"]);
        Assert.DoesNotContain("Routing__Shards__2__Queue", settings.Keys);
        Assert.Equal("EventStorage", settings["Routing__ShardConnections__0"]);
        Assert.Equal("EventStorage2", settings["Routing__ShardConnections__1"]);
        Assert.DoesNotContain("Routing__ShardConnections__2", settings.Keys);
        // The cloud's storage suffix is known only in Azure, so the engine leaves it an expression.
        Assert.Equal($"[format('https://{{0}}.queue.{{1}}/', '{extra}', environment().suffixes.storage)]", settings["EventStorage2__queueServiceUri"]);
        Assert.Equal("managedidentity", settings["EventStorage2__credential"]);
        Assert.Equal(settings["EventStorage__clientId"], settings["EventStorage2__clientId"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("EventStorage2__blob", StringComparison.Ordinal));
    }

    [Fact]
    public void EverySetting_IsInTheContract()
    {
        var contract = SettingEntry.Load();
        Assert.All(Sharded.AppSettings.Keys, key => Assert.True(contract.Any(entry => entry.Matches(key)), $"{key} is not in infra/app-settings.json"));
    }

    [Fact]
    public void TheExtraAccount_GrantsQueueRightsOnly()
    {
        var deployment = Sharded;
        var extra = deployment.Outputs.GetProperty("AZURE_SHARD_STORAGE_ACCOUNT_NAMES")[0].GetString()!;
        var scope = deployment.ResourceId("Microsoft.Storage/storageAccounts", extra);
        var roles = DeploymentTests.RoleAssignments(deployment).Where(r => r.Scope == scope).ToList();

        Assert.Equal(2, roles.Count); // the app and the operator
        Assert.All(roles, r => Assert.Equal(QueueDataContributor, r.Role));
        Assert.Contains(roles, r => r.Principal == Deployments.OperatorId);
    }

    [Fact]
    public void WithoutShards_NoExtraAccountAndNoShardSettings()
    {
        var deployment = Deployments.Get("sandbox");
        Assert.Single(deployment.OfType("Microsoft.Storage/storageAccounts"));
        Assert.Empty(deployment.Outputs.GetProperty("AZURE_SHARD_STORAGE_ACCOUNT_NAMES").EnumerateArray());
        Assert.DoesNotContain(deployment.AppSettings.Keys, k => k.StartsWith("Routing__Shard", StringComparison.Ordinal) || k.StartsWith("EventStorage2", StringComparison.Ordinal));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using EventRouter.Routing;

namespace EventRouter.Infrastructure.Tests;

/// <summary>The queues and containers the templates create equal what the routing defaults can produce.</summary>
public sealed class RoutingDriftTests
{
    public static TheoryData<string> HostingPlans => [.. TemplateReport.HostingPlans];

    [Theory]
    [MemberData(nameof(HostingPlans))]
    public void Templates_CreateExactlyTheQueuesTheRoutingDefaultsProduce(string hostingPlan)
    {
        var created = TemplateReport.Queues(hostingPlan);
        var expected = ExpectedStorage.AllQueues;

        Assert.Empty(created.GroupBy(q => q).Where(g => g.Count() > 1).Select(g => g.Key));
        var missing = expected.Except(created).ToArray();
        var extra = created.Except(expected).ToArray();
        Assert.True(missing.Length == 0 && extra.Length == 0,
            $"{hostingPlan}: queues drifted from the routing defaults.\nMissing from the templates: {string.Join(", ", missing)}\nNot produced by routing: {string.Join(", ", extra)}");
    }

    [Theory]
    [MemberData(nameof(HostingPlans))]
    public void Templates_CreateTheRoutingContainersAndTheDeploymentContainer(string hostingPlan)
    {
        var created = TemplateReport.Containers(hostingPlan).Order().ToArray();
        var expected = ExpectedStorage.Containers.Append("app-package").Order().ToArray();
        Assert.Equal(expected, created);
    }

    [Fact]
    public void RoutesJson_ListsTheRoutingDefaults()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepositoryTools.PathOf("infra/routes.json")));
        var root = doc.RootElement;

        var categories = TemplateReport.Strings(root.GetProperty("categories"));
        Assert.Equal(categories.Count, categories.Distinct().Count());
        Assert.Equal(ExpectedStorage.KnownCategories.Order(), categories.Order());
        Assert.Equal([RoutingDefaults.PricesQueue, RoutingDefaults.UnroutedQueue], TemplateReport.Strings(root.GetProperty("extraQueues")));
        Assert.Equal(RoutingDefaults.PoisonQueue, root.GetProperty("poisonQueue").GetString());
        Assert.Equal(ExpectedStorage.Containers, TemplateReport.Strings(root.GetProperty("containers")));
    }

    [Fact]
    public void EveryQueueName_IsAValidStorageQueueNameWithRoomForThePoisonSuffix()
    {
        var valid = new Regex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$");
        Assert.All(ExpectedStorage.AllQueues, q => Assert.Matches(valid, q));
        Assert.All(ExpectedStorage.TriggeredQueues, q => Assert.True(q.Length <= 56, $"{q} leaves no room for '-poison'"));
    }

    [Fact]
    public void MainBicep_DerivesQueueNamesFromRoutesJson()
    {
        var main = File.ReadAllText(RepositoryTools.PathOf("infra/main.bicep"));
        Assert.Contains("loadJsonContent('routes.json')", main);
        Assert.Contains("'events-${replace(toLower(category), '_', '-')}'", main);
    }
}

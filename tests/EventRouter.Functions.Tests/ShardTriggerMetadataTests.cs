using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using EventRouter.Functions.Hosting;
using EventRouter.Routing;

namespace EventRouter.Functions.Tests;

/// <summary>
/// The shard triggers follow from the shard choice: the app built by the real worker SDK with
/// shards.sharded.json (prices in 4, events-order in 3, events-user in 1, over 2 accounts; published
/// into functions-app-sharded/) has one queue trigger per shard with its queue and connection, on
/// top of the default app's; the default build (infra/shards.json, no shards) has none.
/// </summary>
public sealed class ShardTriggerMetadataTests
{
    private static readonly string ShardedDirectory = Path.Combine(AppContext.BaseDirectory, "functions-app-sharded");

    private static IReadOnlyList<GeneratedFunction> Functions(string directory)
    {
        var path = Path.Combine(directory, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: the sharded publish (PublishShardedFunctionsApp) did not run.");
        using var metadata = JsonDocument.Parse(File.ReadAllText(path));
        return [.. GeneratedFunction.ReadAll(metadata).Select(f => f with { Trigger = f.Trigger.Clone(), Retry = null })];
    }

    /// <summary>The routing the deployment of shards.sharded.json configures (main.bicep's app settings).</summary>
    private static RouteTable ShardedRoutes()
    {
        using var choice = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsAppOutput.RepositoryRoot, "tests", "EventRouter.Functions.Tests", "shards.sharded.json")));
        var accounts = choice.RootElement.GetProperty("shardStorageAccountCount").GetInt32();
        return new RouteTable(new RoutingOptions
        {
            Shards = [.. choice.RootElement.GetProperty("queueShards").EnumerateArray()
                .Select(s => new QueueShards { Queue = s.GetProperty("queue").GetString(), Count = s.GetProperty("count").GetInt32() })],
            ShardConnections = [.. Enumerable.Range(0, accounts).Select(a => a == 0 ? "EventStorage" : $"EventStorage{a + 1}")],
        });
    }

    /// <summary><c>ShardTriggers.Queues</c> of the sharded build (what its start-up coverage check adds), read from its own assembly.</summary>
    private static string[] ShardTriggerQueuesOfShardedBuild()
    {
        var context = new AssemblyLoadContext("sharded-functions-app", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(Path.Combine(ShardedDirectory, "EventRouter.Functions.dll"));
            var field = assembly.GetType("EventRouter.Functions.ShardTriggers", throwOnError: true)!.GetField("Queues", BindingFlags.Public | BindingFlags.Static)!;
            return [.. (string[])field.GetValue(null)!];
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void ShardedBuild_OneQueueTriggerPerShard_WithItsQueueAndTheConnectionItLivesIn()
    {
        var routes = ShardedRoutes();
        var shardQueues = routes.Routes.Where(r => routes.ShardCount(r) > 1).SelectMany(routes.ShardsOf).ToList();
        Assert.Equal(7, shardQueues.Count);   // prices-0..3, events-order-0..2; events-user (count 1) stays as it is
        var triggers = Functions(ShardedDirectory).Where(f => f.TriggerType == "queueTrigger").ToList();

        var shardTriggers = triggers.Where(f => shardQueues.Contains(f.Binding("queueName")!)).ToList();
        Assert.Equal(shardQueues.Order(StringComparer.Ordinal), shardTriggers.Select(f => f.Binding("queueName")!).Order(StringComparer.Ordinal));
        Assert.All(shardTriggers, f =>
        {
            Assert.Equal(routes.ConnectionOf(f.Binding("queueName")!), f.Binding("connection"));
            Assert.Equal($"EventRouter.Functions.QueueFunctions.{f.Name}", f.EntryPoint);
        });
        Assert.Contains(shardTriggers, f => (f.Name, f.Binding("queueName"), f.Binding("connection")) == ("Prices1Queue", "prices-1", "EventStorage2"));
        Assert.Contains(shardTriggers, f => (f.Name, f.Binding("queueName"), f.Binding("connection")) == ("EventsOrder2Queue", "events-order-2", "EventStorage"));
        // Everything else is the default app's, unchanged (the route's own queues keep their triggers).
        Assert.Equal(
            Functions(FunctionsAppOutput.PublishDirectory).Select(f => (f.Name, f.Binding("queueName"), f.Binding("connection"))).Order(),
            triggers.Except(shardTriggers).Select(f => (f.Name, f.Binding("queueName"), f.Binding("connection"))).Order());
    }

    [Fact]
    public void ShardedBuild_CoverageCheckKnowsEveryShardTrigger_AndNoRoutedQueueIsLeftWithout()
    {
        var triggered = Functions(ShardedDirectory).Where(f => f.TriggerType == "queueTrigger").Select(f => f.Binding("queueName")!).ToList();
        var coverage = QueueTriggerCoverage.DefaultQueues.Concat(ShardTriggerQueuesOfShardedBuild()).ToList();

        Assert.Equal(triggered.Order(StringComparer.Ordinal), coverage.Order(StringComparer.Ordinal));
        Assert.Empty(QueueTriggerCoverage.FindUncovered(ShardedRoutes(), coverage));
    }

    [Fact]
    public void DefaultBuild_NoShardTriggers_FromTheDefaultChoice()
    {
        using var choice = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsAppOutput.RepositoryRoot, "infra", "shards.json")));

        Assert.Empty(choice.RootElement.GetProperty("queueShards").EnumerateArray());
        Assert.Empty(ShardTriggers.Queues);
    }
}

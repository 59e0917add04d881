using System.Text.Json;
using EventRouter.Processing;
using EventRouter.Routing;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The queues and blob containers the routing core can write to, taken from the core itself
/// (<see cref="RoutingDefaults"/>, <see cref="EventArchiveHandler"/>, <see cref="IdempotencyGuard"/>),
/// so the infrastructure tests compare the templates against the code, not against a copy.
/// </summary>
internal static class ExpectedStorage
{
    /// <summary>The provider's event categories, the routing default.</summary>
    public static IReadOnlyList<string> KnownCategories => RoutingDefaults.KnownCategories;

    /// <summary>Blob containers: oversized payloads, archive handler, idempotency markers.</summary>
    public static IReadOnlyList<string> Containers =>
        [RoutingDefaults.PayloadContainer, EventArchiveHandler.ContainerName, IdempotencyGuard.ContainerName];

    /// <summary><c>events-</c> + the category in lower case with <c>_</c> replaced by <c>-</c>.</summary>
    public static string QueueForCategory(string category) => RoutingDefaults.CategoryQueueName(category);

    /// <summary>Queues a Functions queue trigger reads: every category queue, prices and events-unrouted.</summary>
    public static IReadOnlyList<string> TriggeredQueues =>
        [.. KnownCategories.Select(QueueForCategory), RoutingDefaults.PricesQueue, RoutingDefaults.UnroutedQueue];

    /// <summary>Every queue the routing defaults can write to, plus the Functions poison twins.</summary>
    public static IReadOnlyList<string> AllQueues =>
        [.. TriggeredQueues, RoutingDefaults.PoisonQueue, .. TriggeredQueues.Select(q => q + RoutingDefaults.PoisonQueueSuffix)];

    /// <summary>
    /// The queues infra/routes.json describes, by the rule its comment states (independent of
    /// main.bicep on purpose): category queues, the extra queues, events-poison, and a -poison twin
    /// for each triggered queue.
    /// </summary>
    public static IReadOnlyList<string> FromRoutesJson()
    {
        using var routes = JsonDocument.Parse(File.ReadAllText(RepositoryTools.PathOf("infra/routes.json")));
        var root = routes.RootElement;
        string[] triggered =
        [
            .. root.GetProperty("categories").EnumerateArray().Select(c => "events-" + c.GetString()!.ToLowerInvariant().Replace('_', '-')),
            .. root.GetProperty("extraQueues").EnumerateArray().Select(q => q.GetString()!),
        ];
        return [.. triggered, root.GetProperty("poisonQueue").GetString()!, .. triggered.Select(q => q + "-poison")];
    }
}

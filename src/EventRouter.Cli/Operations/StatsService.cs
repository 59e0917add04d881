using EventRouter.Delivery;
using EventRouter.Routing;

namespace EventRouter.Cli.Operations;

/// <summary>
/// <c>eventrouter stats</c>: approximate messages per queue (poison queues flagged), each queue read
/// from the account it lives in (<c>Routing:ShardConnections</c>), and a total per sharded route.
/// </summary>
internal sealed class StatsService(StorageAccounts queues, RouteTable routes)
{
    public async Task<IReadOnlyList<QueueStats>> QueuesAsync(string? prefix, CancellationToken cancellationToken)
    {
        var result = new List<QueueStats>();
        foreach (var connection in queues.Connections)
        {
            var account = queues.ForConnection(connection);
            await foreach (var queue in account.GetQueuesAsync(prefix: prefix, cancellationToken: cancellationToken))
            {
                // Each queue from the account it lives in: two connection names may name one account.
                if (queues.ConnectionOf(queue.Name) != connection) continue;
                var properties = await account.GetQueueClient(queue.Name).GetPropertiesAsync(cancellationToken);
                var poison = queue.Name.EndsWith(RoutingDefaults.PoisonQueueSuffix, StringComparison.Ordinal);
                var route = routes.RouteOf(poison ? queue.Name[..^RoutingDefaults.PoisonQueueSuffix.Length] : queue.Name);
                result.Add(new QueueStats(queue.Name, properties.Value.ApproximateMessagesCount, poison, connection,
                    routes.ShardCount(route) > 1 ? route : null));
            }
        }
        return result.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Per sharded route among <paramref name="queues"/>: its shards' messages and their poison twins' messages, summed.</summary>
    public IReadOnlyList<RouteStats> RouteTotals(IReadOnlyList<QueueStats> queues) =>
        queues.Where(q => q.Route is not null).GroupBy(q => q.Route!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RouteStats(g.Key, routes.ShardCount(g.Key), g.Where(q => !q.Poison).Sum(q => q.ApproximateMessages),
                g.Where(q => q.Poison).Sum(q => q.ApproximateMessages), PoisonQueue(g.Key)))
            .ToList();

    private static string PoisonQueue(string route) => $"{route}-*{RoutingDefaults.PoisonQueueSuffix}";
}

/// <param name="Connection">The storage connection the queue lives in (<c>EventStorage</c> unless it is a shard).</param>
/// <param name="Route">The sharded route the queue (or its poison twin) belongs to; null when not a shard.</param>
internal sealed record QueueStats(string Name, int ApproximateMessages, bool Poison, string Connection = RoutingOptions.DefaultConnection, string? Route = null);

/// <summary>A sharded route's totals: messages in its shards and in the shards' poison twins.</summary>
internal sealed record RouteStats(string Route, int Shards, int ApproximateMessages, int PoisonMessages, string PoisonQueues);

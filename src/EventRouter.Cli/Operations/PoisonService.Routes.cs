using EventRouter.Routing;

namespace EventRouter.Cli.Operations;

/// <summary>
/// What <c>--queue</c> names: one poison queue, or a sharded route (<c>prices</c>), which stands for
/// every poison queue of the route: its own twin (<c>prices-poison</c>, what failed in the route's own
/// queue) and each shard's (<c>prices-0-poison</c> …), each read from the account it lives in.
/// </summary>
/// <param name="Name">What the operator named.</param>
/// <param name="Queues">The poison queues behind it.</param>
internal sealed record PoisonTarget(string Name, IReadOnlyList<string> Queues)
{
    public bool IsRoute => Queues.Count > 1 || Queues[0] != Name;

    /// <summary>A sharded route's poison queues when <paramref name="name"/> is such a route; else the queue alone.</summary>
    public static PoisonTarget Of(RouteTable routes, string name)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.ShardCount(name) <= 1) return new PoisonTarget(name, [name]);
        return new PoisonTarget(name, [.. routes.ShardsOf(name).Prepend(name).Select(q => q + RoutingDefaults.PoisonQueueSuffix)]);
    }
}

/// <summary>The operations over every queue of a <see cref="PoisonTarget"/>: one queue after the other, each on its own held set.</summary>
internal sealed partial class PoisonService
{
    /// <summary>Every matching entry of every queue, oldest first (each names its queue); <see cref="PoisonFilter.Limit"/> counts over all.</summary>
    public async Task<IReadOnlyList<PoisonEntry>> ListAsync(PoisonTarget target, PoisonFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var all = new List<PoisonEntry>();
        foreach (var queue in target.Queues)
        {
            if (Remaining(filter, all.Count) is not { } queueFilter) break;
            all.AddRange(await ListAsync(queue, queueFilter, cancellationToken));
        }
        return [.. all.OrderBy(e => e.PoisonedAt ?? e.InsertedOn)];
    }

    /// <summary>The message <paramref name="messageId"/> from whichever of the queues holds it.</summary>
    public async Task<PoisonDetail?> ShowAsync(PoisonTarget target, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var queue in target.Queues)
        {
            if (await ShowAsync(queue, messageId, cancellationToken) is { } detail) return detail;
        }
        return null;
    }

    /// <summary>Deleted per queue, in <see cref="PoisonTarget.Queues"/> order.</summary>
    public async Task<IReadOnlyList<(string Queue, int Deleted)>> PurgeAsync(PoisonTarget target, PoisonFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var deleted = new List<(string, int)>();
        var total = 0;
        foreach (var queue in target.Queues)
        {
            if (Remaining(filter, total) is not { } queueFilter) break;
            var count = await PurgeAsync(queue, queueFilter, cancellationToken);
            total += count;
            deleted.Add((queue, count));
        }
        return deleted;
    }

    /// <summary>
    /// Re-drives queue by queue, each message back to where it came from (a shard's poison onto that
    /// shard, in its account: the origin queue it names). One report for all; a Ctrl+C stops at the
    /// queue it is in, and the queues after it are not touched.
    /// </summary>
    public async Task<RedriveReport> RedriveAsync(PoisonTarget target, PoisonFilter filter, bool dryRun, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.IsRoute) return await RedriveAsync(target.Name, filter, dryRun, progress, cancellationToken);
        var items = new List<RedriveItem>();
        int total = 0, released = 0;
        var interrupted = false;
        foreach (var queue in target.Queues)
        {
            if (Remaining(filter, total) is not { } queueFilter) break;
            if (cancellationToken.IsCancellationRequested) { interrupted = true; break; }
            var before = items.Count;
            var offset = progress is null ? null : new Progress<(int Done, int Total)>(p => progress.Report((before + p.Done, before + p.Total)));
            var report = await RedriveAsync(queue, queueFilter, dryRun, offset, cancellationToken);
            items.AddRange(report.Items);
            total += report.Total;
            released += report.Released;
            if (report.Interrupted) { interrupted = true; break; }
        }
        return new RedriveReport(items, dryRun) { Total = total, Interrupted = interrupted, Released = released, Queue = target.Name };
    }

    /// <summary>The filter for the next queue: the limit less what earlier queues matched, or null when it is reached.</summary>
    private static PoisonFilter? Remaining(PoisonFilter filter, int matched) => filter.Limit is not { } limit ? filter
        : matched >= limit ? null
        : filter with { Limit = limit - matched };
}

using Azure.Storage.Queues;

namespace EventRouter.Cli.Operations;

/// <summary><c>eventrouter stats</c>: approximate messages per queue (poison queues flagged).</summary>
internal sealed class StatsService(QueueServiceClient queues)
{
    public async Task<IReadOnlyList<QueueStats>> QueuesAsync(string? prefix, CancellationToken cancellationToken)
    {
        var result = new List<QueueStats>();
        await foreach (var queue in queues.GetQueuesAsync(prefix: prefix, cancellationToken: cancellationToken))
        {
            var properties = await queues.GetQueueClient(queue.Name).GetPropertiesAsync(cancellationToken);
            result.Add(new QueueStats(queue.Name, properties.Value.ApproximateMessagesCount, queue.Name.EndsWith("-poison", StringComparison.Ordinal)));
        }
        return result.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }
}

internal sealed record QueueStats(string Name, int ApproximateMessages, bool Poison);

using System.Text.Json;
using Azure.Storage.Queues;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// Reads every EventRouter queue back and indexes its messages by Kafka coordinates, so a test can
/// prove that each produced record is in exactly the place it belongs (duplicates counted, never
/// loss).
/// </summary>
internal sealed class Reconciliation
{
    private readonly Dictionary<(string Topic, int Partition, long Offset), List<(string Queue, JsonElement Message)>> _byRecord = [];

    public int MessageCount { get; private set; }

    /// <summary>Reads every message of the scope's queues now (<see cref="QueueDrain.ReadAllAsync"/>) and indexes them.</summary>
    public static async Task<Reconciliation> ReadAsync(QueueServiceClient queues, string queuePrefix)
        => From(await QueueDrain.ReadAllAsync(queues, queuePrefix));

    /// <summary>Indexes queue messages (each read once) by the Kafka record they came from.</summary>
    public static Reconciliation From(IEnumerable<(string Queue, JsonElement Message)> messages)
    {
        var result = new Reconciliation();
        foreach (var (queue, root) in messages)
        {
            var source = root.GetProperty("source");
            var key = (source.GetProperty("topic").GetString()!, source.GetProperty("partition").GetInt32(), source.GetProperty("offset").GetInt64());
            if (!result._byRecord.TryGetValue(key, out var list)) result._byRecord[key] = list = [];
            list.Add((queue, root));
            result.MessageCount++;
        }
        return result;
    }

    public IReadOnlyList<(string Queue, JsonElement Message)> Find(string topic, int partition, long offset) =>
        _byRecord.TryGetValue((topic, partition, offset), out var list) ? list : [];

    public int RecordCount => _byRecord.Count;
    public int Duplicates => _byRecord.Values.Sum(l => l.Count - 1);
}

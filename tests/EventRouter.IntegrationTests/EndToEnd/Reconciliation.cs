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

    /// <summary>
    /// Takes every message out of the scope's queues: receives 32 at a time and deletes them. It
    /// deletes because the emulator walks past every hidden (received, not deleted) message on each
    /// receive, so hiding them made the read-back quadratic: the benchmark's reader went from 54 to
    /// 492 messages/s when it started deleting. The deletes of one batch run side by side; one at a
    /// time they cost a round trip each and made the 3,000-event chaos run three times slower.
    /// </summary>
    public static async Task<Reconciliation> ReadAsync(QueueServiceClient queues, string queuePrefix)
    {
        var names = new List<string>();
        await foreach (var queue in queues.GetQueuesAsync(prefix: queuePrefix)) names.Add(queue.Name);

        // One queue at a time: the emulator is single-threaded and parallel reads made it slower.
        var perQueue = new System.Collections.Concurrent.ConcurrentBag<(string Queue, JsonElement Message)>();
        foreach (var name in names)
        {
            var client = queues.GetQueueClient(name);
            while (true)
            {
                var batch = (await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value;
                if (batch.Length == 0) break;
                foreach (var message in batch) perQueue.Add((name, JsonDocument.Parse(message.Body.ToMemory()).RootElement));
                await Task.WhenAll(batch.Select(m => client.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
            }
        }

        var result = new Reconciliation();
        foreach (var (queue, root) in perQueue)
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

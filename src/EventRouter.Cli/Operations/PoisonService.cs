using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using EventRouter.Formats;
using EventRouter.Delivery;
using EventRouter.Routing;

namespace EventRouter.Cli.Operations;

/// <summary>
/// <c>eventrouter poison list|show|redrive|purge</c>. Azure queues can only peek the first 32
/// messages, so every operation receives the whole queue with a visibility timeout (the messages
/// are hidden, not consumed), acts on those that match, and makes the rest visible again at once
/// (<c>UpdateMessage</c> with visibility 0). Nothing is deleted before its replacement is written;
/// if the process dies midway, the held messages reappear when their visibility timeout ends.
/// </summary>
internal sealed partial class PoisonService(StorageAccounts queues, BlobServiceClient blobs, RoutingPipeline router, RoutingOptions routing, TimeProvider time)
{
    /// <summary>How long scanned messages stay hidden if the tool dies before releasing them.</summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromMinutes(5);
    public int RedriveBatchSize { get; init; } = 100;

    public string DefaultQueue => routing.PoisonQueue;

    /// <summary>The version of every payload blob this service read: only that version is ever deleted.</summary>
    private readonly Dictionary<string, ETag> _readBlobs = new(StringComparer.Ordinal);

    /// <summary>A poison queue name is the configured poison queue or ends with <c>-poison</c>.</summary>
    public string? ValidateQueue(string queue) =>
        queue == routing.PoisonQueue || queue.EndsWith(RoutingDefaults.PoisonQueueSuffix, StringComparison.Ordinal) && queue.Length > RoutingDefaults.PoisonQueueSuffix.Length
            ? null
            : $"'{queue}' is not a poison queue: use {routing.PoisonQueue} or <queue>-poison.";

    /// <summary>Null when <paramref name="queue"/> exists; else the poison queues that do, in name order.</summary>
    public async Task<IReadOnlyList<string>?> PoisonQueuesIfMissingAsync(string queue, CancellationToken cancellationToken)
    {
        if ((await queues.GetQueueClient(queue).ExistsAsync(cancellationToken)).Value) return null;
        var existing = new List<string>();
        foreach (var connection in queues.Connections)
        {
            await foreach (var item in queues.ForConnection(connection).GetQueuesAsync(cancellationToken: cancellationToken))
            {
                // Each queue from the account it lives in (two connection names may share an account).
                if (ValidateQueue(item.Name) is null && queues.ConnectionOf(item.Name) == connection) existing.Add(item.Name);
            }
        }
        existing.Sort(StringComparer.Ordinal);
        return existing;
    }

    public async Task<IReadOnlyList<PoisonEntry>> ListAsync(string queue, PoisonFilter filter, CancellationToken cancellationToken)
    {
        await using var held = await HoldAsync(queue, filter, cancellationToken);
        return held.Matched.Select(m => m.Entry).ToList();
    }

    public async Task<PoisonDetail?> ShowAsync(string queue, string messageId, CancellationToken cancellationToken)
    {
        await using var held = await HoldAsync(queue, new PoisonFilter(), cancellationToken, m => m.MessageId == messageId);
        var found = held.Matched.FirstOrDefault();
        if (found is null) return null;
        var entry = found.Entry;
        JsonNode? message = null;
        try { message = JsonNode.Parse(entry.Body.ToArray()); } catch (JsonException) { }
        byte[]? value, key = null;
        JsonNode? headers = null;
        if (entry.Kind == PoisonKind.RawCopy) value = entry.Body.ToArray();
        else if (entry.QueuePoison is { } queuePoison)
        {
            value = entry.ValueBlob is { } vb ? await DownloadAsync(vb, cancellationToken) : queuePoison.Value;
        }
        else
        {
            var poison = entry.KafkaPoison!;
            value = entry.ValueBlob is { } vb ? await DownloadAsync(vb, cancellationToken) : poison.Value;
            key = entry.KeyBlob is { } kb ? await DownloadAsync(kb, cancellationToken) : poison.Key;
            var headersJson = entry.HeadersBlob is { } hb && await DownloadAsync(hb, cancellationToken) is { } hbytes
                ? PoisonMessage.ReadHeadersDocument(hbytes).Json : poison.HeadersJson;
            headers = headersJson is null ? null : JsonNode.Parse(headersJson);
        }
        return new PoisonDetail(entry, message, headers, PoisonEntry.Utf8Text(key), key is null ? null : Convert.ToBase64String(key),
            PoisonEntry.Utf8Text(value), value is null ? null : Convert.ToBase64String(value));
    }

    public async Task<int> PurgeAsync(string queue, PoisonFilter filter, CancellationToken cancellationToken)
    {
        await using var held = await HoldAsync(queue, filter, cancellationToken);
        var deleted = 0;
        foreach (var message in held.Matched)
        {
            await held.DeleteAsync(message, cancellationToken);
            deleted++;
        }
        return deleted;
    }

    /// <summary>
    /// Kafka-side poison goes back through the routing pipeline as the record it was; queue-stage
    /// poison goes back onto its origin queue. The old message is deleted only after the new write
    /// (route, new poison message, or origin queue) succeeded.
    /// </summary>
    public async Task<RedriveReport> RedriveAsync(string queue, PoisonFilter filter, bool dryRun, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var held = await HoldAsync(queue, filter, cancellationToken);
        var items = new List<RedriveItem>();
        var total = held.Matched.Count;
        var interrupted = false;
        try
        {
            progress?.Report((0, total));
            if (dryRun)
            {
                // The same decisions as below, with the current route table, without writing anything.
                foreach (var m in held.Matched)
                {
                    if (cancellationToken.IsCancellationRequested) { interrupted = true; break; }
                    try { items.Add(await PredictAsync(m.Entry, cancellationToken)); }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { interrupted = true; break; }
                    if (items.Count % RedriveBatchSize == 0) progress?.Report((items.Count, total));
                }
                progress?.Report((items.Count, total));
            }
            else
            {
                interrupted = await RedriveHeldAsync(held, items, progress, total, cancellationToken);
                await DeleteUnreferencedBlobsAsync(held, items, CancellationToken.None);
            }
        }
        finally
        {
            // Everything not re-driven (all of it for a dry run) visible again at once, Ctrl+C included.
            await held.DisposeAsync();
        }
        return new RedriveReport(items, dryRun) { Total = total, Interrupted = interrupted, Released = held.Released, Queue = queue };
    }

    /// <summary>
    /// The re-drive proper. Ctrl+C is honoured between batches only: a batch that started is routed
    /// and its poison messages deleted to the end, so what the report says was moved is exactly what
    /// was moved, and nothing is both re-driven and left in poison. Returns whether it was interrupted.
    /// </summary>
    private async Task<bool> RedriveHeldAsync(HeldMessages held, List<RedriveItem> items, IProgress<(int Done, int Total)>? progress, int total,
        CancellationToken cancellationToken)
    {
        foreach (var chunk in held.Matched.Where(m => m.Entry.Kind == PoisonKind.Kafka).Chunk(RedriveBatchSize))
        {
            if (cancellationToken.IsCancellationRequested) return true;
            var records = new List<(HeldMessage Message, InboundRecord Record)>();
            foreach (var m in chunk)
            {
                try { records.Add((m, await ToRecordAsync(m.Entry, CancellationToken.None))); }
                catch (Exception ex) when (ex is InvalidOperationException or RequestFailedException or JsonException or FormatException)
                {
                    items.Add(new RedriveItem(m.Entry, RedriveOutcome.Failed, null, ex.Message));
                }
            }
            BatchRoutingResult result;
            try
            {
                result = await router.RouteBatchAsync(records.Select(r => r.Record).ToList(), CancellationToken.None);
            }
            catch (EventDeliveryException ex)
            {
                // Nothing deleted: every message of the batch stays in poison and becomes visible again.
                items.AddRange(records.Select(r => new RedriveItem(r.Message.Entry, RedriveOutcome.Failed, null, ex.Message)));
                progress?.Report((items.Count, total));
                continue;
            }
            for (var i = 0; i < records.Count; i++)
            {
                var outcome = result.Outcomes[i];
                await held.DeleteAsync(records[i].Message, CancellationToken.None);
                var stillPoisoned = outcome.Kind == OutcomeKind.Poisoned;
                items.Add(new RedriveItem(records[i].Message.Entry, stillPoisoned ? RedriveOutcome.StillPoisoned : RedriveOutcome.Redriven,
                    outcome.Queue, stillPoisoned ? outcome.Reason?.ToCode() : outcome.Kind == OutcomeKind.Unrouted ? "unrouted" : null));
            }
            progress?.Report((items.Count, total));
        }

        var createdOrigins = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in held.Matched.Where(m => m.Entry.Kind != PoisonKind.Kafka))
        {
            if (cancellationToken.IsCancellationRequested) return true;
            var entry = m.Entry;
            try
            {
                if (entry.OriginQueue is null) throw new InvalidOperationException("the origin queue is unknown");
                var body = entry.Kind == PoisonKind.RawCopy ? entry.Body
                    : entry.ValueBlob is { } blob ? BinaryData.FromBytes(await DownloadAsync(blob, CancellationToken.None) ?? throw new InvalidOperationException($"blob {blob} is missing"))
                    : BinaryData.FromBytes(entry.QueuePoison?.Value ?? throw new InvalidOperationException("the message has no value"));
                var origin = queues.GetQueueClient(entry.OriginQueue);
                // Like the router's own writes: a queue that does not exist (yet, or any more) is created.
                if (createdOrigins.Add(entry.OriginQueue)) await origin.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                await origin.SendMessageAsync(body, cancellationToken: CancellationToken.None);
                await held.DeleteAsync(m, CancellationToken.None);
                items.Add(new RedriveItem(entry, RedriveOutcome.Redriven, entry.OriginQueue, null));
            }
            catch (Exception ex) when (ex is InvalidOperationException or RequestFailedException or JsonException)
            {
                items.Add(new RedriveItem(entry, RedriveOutcome.Failed, entry.OriginQueue, ex.Message));
            }
            progress?.Report((items.Count, total));
        }
        return false;
    }

    /// <summary>
    /// Deletes the <c>event-payloads</c> blobs of re-driven messages, once they are in their queue and
    /// their poison message is gone, unless something still needs them: a still-poisoned record's new
    /// poison message uses the same blob names (they are named by topic, partition and offset), and
    /// another poison message (a duplicate of the same record) may name the same blob. Only the version that was
    /// read is deleted (If-Match). A blob that cannot be deleted is left: an orphan blob costs storage,
    /// a missing one would lose a value.
    /// </summary>
    private async Task DeleteUnreferencedBlobsAsync(HeldMessages held, List<RedriveItem> items, CancellationToken cancellationToken)
    {
        var keep = new HashSet<string>(held.Matched.Concat(held.Others).Where(m => !m.Deleted).SelectMany(m => m.Entry.Blobs), StringComparer.Ordinal);
        keep.UnionWith(items.Where(i => i.Outcome != RedriveOutcome.Redriven).SelectMany(i => i.Entry.Blobs));
        var container = blobs.GetBlobContainerClient(RoutingDefaults.PayloadContainer);
        foreach (var name in items.Where(i => i.Outcome == RedriveOutcome.Redriven).SelectMany(i => i.Entry.Blobs).Distinct().Where(n => !keep.Contains(n)))
        {
            if (!_readBlobs.TryGetValue(name, out var etag)) continue;
            try
            {
                // Only the version that was read and re-driven: a blob rewritten since (the same record
                // poisoned again, after a replay) belongs to a newer poison message.
                await container.GetBlobClient(name).DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = etag }, cancellationToken: cancellationToken);
            }
            catch (RequestFailedException)
            {
                // Left as an orphan.
            }
        }
    }

    /// <summary>Where a re-drive would put the message: its route, unrouted, still poison (with the reason), or a failure.</summary>
    private async Task<RedriveItem> PredictAsync(PoisonEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            if (entry.Kind != PoisonKind.Kafka)
            {
                if (entry.OriginQueue is null) throw new InvalidOperationException("the origin queue is unknown");
                if (entry.Kind == PoisonKind.Queue && entry.ValueBlob is { } blob && !await ExistsAsync(blob, cancellationToken))
                    throw new InvalidOperationException($"blob {blob} is missing");
                return new RedriveItem(entry, RedriveOutcome.WouldRoute, entry.OriginQueue, "back onto its origin queue");
            }
            var (outcome, error) = router.Predict(await ToRecordAsync(entry, cancellationToken));
            return outcome.Kind switch
            {
                OutcomeKind.Poisoned => new RedriveItem(entry, RedriveOutcome.WouldStayPoisoned, outcome.Queue, $"{outcome.Reason?.ToCode()}: {error}"),
                OutcomeKind.Unrouted => new RedriveItem(entry, RedriveOutcome.WouldBeUnrouted, outcome.Queue, "no route for its type"),
                _ => new RedriveItem(entry, RedriveOutcome.WouldRoute, outcome.Queue, outcome.Offloaded ? "payload to blob (over 48 KiB)" : null),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or RequestFailedException or JsonException or FormatException)
        {
            return new RedriveItem(entry, RedriveOutcome.Failed, null, ex.Message);
        }
    }

    private async Task<bool> ExistsAsync(string blobName, CancellationToken cancellationToken) =>
        (await blobs.GetBlobContainerClient(RoutingDefaults.PayloadContainer).GetBlobClient(blobName).ExistsAsync(cancellationToken)).Value;

    /// <summary>Rebuilds the Kafka record a poison message was made from.</summary>
    internal async Task<InboundRecord> ToRecordAsync(PoisonEntry entry, CancellationToken cancellationToken)
    {
        if (entry.KafkaPoison is not { Source: { } source } poison) throw new InvalidOperationException("the message has no Kafka source");
        var value = entry.ValueBlob is { } vb ? await DownloadAsync(vb, cancellationToken) ?? throw new InvalidOperationException($"blob {vb} is missing")
            : poison.Value;
        var key = entry.KeyBlob is { } kb ? await DownloadAsync(kb, cancellationToken) : poison.Key;
        var headers = entry.HeadersBlob is { } hb && await DownloadAsync(hb, cancellationToken) is { } hbytes
            ? PoisonMessage.ReadHeadersDocument(hbytes).Headers : poison.Headers;
        return new InboundRecord(source.Topic, source.Partition, source.Offset, source.Timestamp,
            key is null ? null : key, value is null ? null : value, headers);
    }

    private async Task<byte[]?> DownloadAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await blobs.GetBlobContainerClient(RoutingDefaults.PayloadContainer).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            _readBlobs[blobName] = content.Value.Details.ETag;
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Receives the whole queue (hidden for <see cref="HoldTime"/>) and sorts matches from the rest.
    /// Several receivers at once: a receive returns at most 32 messages, and one after the other
    /// they made a large listing take many times longer (measured in docs/operations.md).
    /// </summary>
    private async Task<HeldMessages> HoldAsync(string queue, PoisonFilter filter, CancellationToken cancellationToken, Func<HeldMessage, bool>? also = null)
    {
        var client = queues.GetQueueClient(queue);
        var held = new HeldMessages(client);
        if (!(await client.ExistsAsync(cancellationToken)).Value) return held;
        var now = time.GetUtcNow();
        var gate = new object();
        var done = false;
        async Task ReceiveAsync()
        {
            while (!Volatile.Read(ref done))
            {
                QueueMessage[] batch = (await client.ReceiveMessagesAsync(32, HoldTime, cancellationToken)).Value;
                lock (gate)
                {
                    foreach (var message in batch)
                    {
                        var entry = PoisonEntry.Parse(queue, message.MessageId, message.InsertedOn, message.Body);
                        var heldMessage = new HeldMessage(entry, message.PopReceipt);
                        var matches = filter.Matches(entry, now) && (also?.Invoke(heldMessage) ?? true)
                            && (filter.Limit is not { } max || held.Matched.Count < max);
                        (matches ? held.Matched : held.Others).Add(heldMessage);
                    }
                    if (batch.Length == 0 || filter.Limit is { } limit && held.Matched.Count >= limit) done = true;
                }
            }
        }
        try
        {
            // One receiver when a limit may stop the scan early: fewer messages hidden for nothing.
            await Task.WhenAll(Enumerable.Range(0, filter.Limit is null ? Receivers : 1).Select(_ => ReceiveAsync()));
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
        held.Matched.Sort((a, b) => Nullable.Compare(a.Entry.PoisonedAt ?? a.Entry.InsertedOn, b.Entry.PoisonedAt ?? b.Entry.InsertedOn));
        return held;
    }

    /// <summary>Receives or releases in flight at once.</summary>
    private const int Receivers = 8;
    internal const int ReleaseConcurrency = 32;

    internal sealed class HeldMessage(PoisonEntry entry, string popReceipt)
    {
        public PoisonEntry Entry { get; } = entry;
        public string PopReceipt { get; set; } = popReceipt;
        public bool Deleted { get; set; }
        public string MessageId => Entry.MessageId;
    }

    /// <summary>Messages this tool is holding invisible; disposing makes every one not deleted visible again.</summary>
    private sealed class HeldMessages(QueueClient client) : IAsyncDisposable
    {
        public List<HeldMessage> Matched { get; } = [];
        public List<HeldMessage> Others { get; } = [];

        public async Task DeleteAsync(HeldMessage message, CancellationToken cancellationToken)
        {
            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            message.Deleted = true;
        }

        /// <summary>Messages made visible again by <see cref="DisposeAsync"/>.</summary>
        public int Released { get; private set; }

        public async ValueTask DisposeAsync()
        {
            var released = 0;
            // Not cancellable (Ctrl+C included): leaving messages hidden for minutes is worse than a slow exit.
            await Parallel.ForEachAsync(Matched.Concat(Others).Where(m => !m.Deleted).ToList(),
                new ParallelOptions { MaxDegreeOfParallelism = ReleaseConcurrency }, async (message, _) =>
                {
                    try
                    {
                        await client.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
                        Interlocked.Increment(ref released);
                    }
                    catch (RequestFailedException)
                    {
                        // It reappears when its visibility timeout ends anyway.
                    }
                });
            Released = released;
        }
    }
}

internal sealed record PoisonDetail(PoisonEntry Entry, JsonNode? Message, JsonNode? Headers, string? KeyText, string? KeyBase64, string? ValueText, string? ValueBase64);

internal enum RedriveOutcome
{
    Redriven, StillPoisoned, Failed,
    /// <summary>Dry run: would be routed to <see cref="RedriveItem.Target"/> (for queue-stage poison: its origin queue).</summary>
    WouldRoute,
    /// <summary>Dry run: valid, but no route for its type: would go to the unrouted queue.</summary>
    WouldBeUnrouted,
    /// <summary>Dry run: still invalid: a re-drive would write a new poison message with this reason.</summary>
    WouldStayPoisoned,
}

/// <summary>One message's fate: <paramref name="Target"/> is the queue it went to; <paramref name="Detail"/> the new reason or the error.</summary>
internal sealed record RedriveItem(PoisonEntry Entry, RedriveOutcome Outcome, string? Target, string? Detail);

internal sealed record RedriveReport(IReadOnlyList<RedriveItem> Items, bool DryRun)
{
    public string Queue { get; init; } = "";
    /// <summary>Messages that matched the filter.</summary>
    public int Total { get; init; }
    /// <summary>Stopped early (Ctrl+C): <see cref="Items"/> holds exactly what was done.</summary>
    public bool Interrupted { get; init; }
    /// <summary>Messages made visible again at the end (not re-driven, or not matching).</summary>
    public int Released { get; init; }

    public int Count(RedriveOutcome outcome) => Items.Count(i => i.Outcome == outcome);
}

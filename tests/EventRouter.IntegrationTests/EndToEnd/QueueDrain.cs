using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// Takes every message out of a scope's queues while the router writes them, as queue handlers
/// would, and keeps each one for the reconciliation. Reading only at the end does not scale with
/// the emulator: Azurite's cost per request grows with the messages it holds (with 125,000 messages
/// held, reading back took about a minute per 32 messages), so a 100,000-event run must keep its
/// queues short. Survives storage outages (it retries), and counts each queue message once by its
/// message id, even when a delete failed and the message came back.
/// </summary>
internal sealed class QueueDrain : IAsyncDisposable
{
    // Short, so that a message whose delete failed (storage went down in between) comes back soon
    // and is deleted then; it is not counted twice.
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(30);
    private readonly QueueServiceClient _queues;
    private readonly bool _delete;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<(string Queue, string MessageId), JsonElement> _read = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private QueueDrain(QueueServiceClient queues, string prefix, bool delete)
    {
        _queues = queues;
        _prefix = prefix;
        _delete = delete;
    }

    /// <summary>Starts draining in the background.</summary>
    public static QueueDrain Start(QueueServiceClient queues, string prefix)
    {
        var drain = new QueueDrain(queues, prefix, delete: true);
        drain._loop = Task.Run(drain.RunAsync);
        return drain;
    }

    /// <summary>
    /// Reads every message once, now, hiding instead of deleting (for tests that read only at the
    /// end): with thousands of messages held, each delete costs the on-disk emulator far more than
    /// hiding (a 20,000-message read-back went at about 4 deletes/s), while deleting is what keeps
    /// it fast when the queues are short, as with <see cref="Start"/>.
    /// </summary>
    public static async Task<IReadOnlyList<(string Queue, JsonElement Message)>> ReadAllAsync(QueueServiceClient queues, string prefix)
    {
        var drain = new QueueDrain(queues, prefix, delete: false);
        await drain.PassUntilEmptyAsync();
        return drain.Messages();
    }

    /// <summary>Distinct queue messages taken so far.</summary>
    public int Count => _read.Count;

    /// <summary>Stops the background loop, then reads until every queue is empty; returns everything read.</summary>
    public async Task<IReadOnlyList<(string Queue, JsonElement Message)>> StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        await PassUntilEmptyAsync();
        return Messages();
    }

    private List<(string Queue, JsonElement Message)> Messages() => _read.Select(r => (r.Key.Queue, r.Value)).ToList();

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // The stop ends the loop between requests, never during one: a receive that Azurite has
                // served but whose response is cancelled here leaves its messages hidden for the
                // visibility timeout, and the final pass would miss them (10 messages "lost" that way in CI).
                if (await PassAsync(_stop.Token) == 0) await Task.Delay(200, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException or OperationCanceledException)
            {
                // Storage is down (a fault test) or timed out: try again shortly.
                try { await Task.Delay(500, _stop.Token); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task PassUntilEmptyAsync()
    {
        var failures = 0;
        while (true)
        {
            try
            {
                if (await PassAsync(CancellationToken.None) == 0) return;
                failures = 0;
            }
            catch (RequestFailedException) when (++failures < 10)
            {
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>
    /// One round over every queue of the scope, each read until empty (or until <paramref name="stop"/>,
    /// checked between requests, which it never cancels); returns messages received.
    /// </summary>
    private async Task<int> PassAsync(CancellationToken stop)
    {
        var received = 0;
        await foreach (var queue in _queues.GetQueuesAsync(prefix: _prefix))
        {
            var client = _queues.GetQueueClient(queue.Name);
            while (!stop.IsCancellationRequested)
            {
                var batch = (await client.ReceiveMessagesAsync(32, _delete ? Visibility : TimeSpan.FromMinutes(30))).Value;
                if (batch.Length == 0) break;
                received += batch.Length;
                foreach (var message in batch)
                {
                    _read.TryAdd((queue.Name, message.MessageId), JsonDocument.Parse(message.Body.ToMemory()).RootElement);
                }
                // Side by side: one at a time each delete costs a round trip.
                if (_delete) await Task.WhenAll(batch.Select(m => DeleteAsync(client, m)));
            }
        }
        return received;
    }

    /// <summary>Deletes a message already recorded; a 404 means it is gone already, which is what was asked.</summary>
    private static async Task DeleteAsync(QueueClient client, QueueMessage message)
    {
        try
        {
            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; } catch (Exception) { /* disposal after a failed test */ }
        }
        _stop.Dispose();
    }
}

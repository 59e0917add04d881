using System.Buffers.Text;
using EventRouter.Delivery;

namespace EventRouter.Benchmarks;

/// <summary>
/// Wraps the product's dispatcher and, when storage acknowledges a message, records the time since
/// the event was produced (the UTC ticks the harness put in <c>object.sent</c>). The acknowledgement
/// is the moment the queue has the message, so this is "produce to queue" without a reader: a
/// reader polling Azurite during the run would compete with the router for the single-threaded
/// emulator and measure its own load (it roughly doubled the requests per event).
/// With <c>discard</c> set, nothing is sent at all: the drain benchmark's sink, so the worker's
/// memory is measured without storage being the bottleneck.
/// </summary>
internal sealed class AcknowledgedLatencyDispatcher(IQueueDispatcher? inner, int capacity) : IQueueDispatcher
{
    private static readonly byte[] SentProperty = "\"sent\":"u8.ToArray();
    private readonly double[] _latenciesMs = new double[capacity];
    private int _recorded;
    private long _acknowledged;

    /// <summary>Messages the queue (or the discarding sink) has acknowledged, warm-up included.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public async Task SendAsync(string queueName, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (inner is not null) await inner.SendAsync(queueName, message, cancellationToken).ConfigureAwait(false);
        var now = DateTime.UtcNow.Ticks;
        Interlocked.Increment(ref _acknowledged);
        if (!TryReadSent(message.Span, out var sent) || sent == 0) return; // warm-up event, or not the harness's
        var slot = Interlocked.Increment(ref _recorded) - 1;
        if (slot < _latenciesMs.Length) _latenciesMs[slot] = TimeSpan.FromTicks(now - sent).TotalMilliseconds;
    }

    public Task UploadPayloadAsync(string blobName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        => inner?.UploadPayloadAsync(blobName, content, cancellationToken) ?? Task.CompletedTask;

    /// <summary>The latencies recorded so far (a copy).</summary>
    public double[] Latencies() => _latenciesMs.AsSpan(0, Math.Min(Volatile.Read(ref _recorded), _latenciesMs.Length)).ToArray();

    private static bool TryReadSent(ReadOnlySpan<byte> message, out long sent)
    {
        sent = 0;
        var at = message.IndexOf(SentProperty);
        return at >= 0 && Utf8Parser.TryParse(message[(at + SentProperty.Length)..], out sent, out _);
    }
}

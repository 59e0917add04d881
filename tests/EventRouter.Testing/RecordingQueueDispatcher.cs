using System.Collections.Concurrent;
using EventRouter.Delivery;

namespace EventRouter.Testing;

/// <summary>
/// An <see cref="IQueueDispatcher"/> that accepts every write and remembers it. With
/// <see cref="KeepContent"/> false it only counts bytes and queue names (for resource-bound tests
/// that must not hold every message).
/// </summary>
internal sealed class RecordingQueueDispatcher(bool keepContent = true) : IQueueDispatcher
{
    public bool KeepContent { get; } = keepContent;
    public ConcurrentQueue<(string Queue, byte[] Message)> Sends { get; } = new();
    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, int> QueueNames { get; } = new(StringComparer.Ordinal);
    private long _sendCount;
    private long _bytes;
    public long SendCount => Interlocked.Read(ref _sendCount);
    public long Bytes => Interlocked.Read(ref _bytes);

    public Task SendAsync(string queueName, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        QueueNames.AddOrUpdate(queueName, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _sendCount);
        Interlocked.Add(ref _bytes, message.Length);
        if (KeepContent) Sends.Enqueue((queueName, message.ToArray()));
        return Task.CompletedTask;
    }

    public Task UploadPayloadAsync(string blobName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _bytes, content.Length);
        if (KeepContent) Blobs[blobName] = content.ToArray();
        return Task.CompletedTask;
    }

    public void Clear()
    {
        Sends.Clear();
        Blobs.Clear();
        QueueNames.Clear();
    }
}

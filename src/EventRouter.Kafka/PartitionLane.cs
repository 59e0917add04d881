namespace EventRouter.Kafka;

/// <summary>
/// One assigned partition inside <see cref="KafkaSourceService"/>: its records consumed but not yet
/// handed to the router, its batch in flight, and whether it is paused. Owned by the consume thread.
/// </summary>
/// <remarks>
/// A lane never has more than one batch in flight, which is what keeps a partition's records in offset
/// order up to the router while different partitions are routed side by side.
/// </remarks>
internal sealed class PartitionLane(int partition)
{
    private readonly Queue<BufferedRecord> _buffer = new();

    public int Partition { get; } = partition;

    public int BufferedCount => _buffer.Count;

    public long BufferedBytes { get; private set; }

    /// <summary>When the oldest buffered record arrived (a <see cref="TimeProvider"/> timestamp); linger counts from here.</summary>
    public long OldestBufferedAt { get; private set; }

    /// <summary>The batch of this partition being routed, if any.</summary>
    public InFlightBatch? InFlight { get; set; }

    public bool Paused { get; set; }

    /// <summary>When the partition was last paused (a <see cref="TimeProvider"/> timestamp).</summary>
    public long PausedAt { get; set; }

    /// <summary>The offset last stored for commit (the next offset to read), once a batch has reached storage.</summary>
    public long? StoredOffset { get; set; }

    /// <summary>The offset of the oldest buffered record, if any.</summary>
    public long? FirstBufferedOffset => _buffer.Count > 0 ? _buffer.Peek().Record.Offset : null;

    public void Add(InboundRecord record, int size, long now)
    {
        if (_buffer.Count == 0)
        {
            OldestBufferedAt = now;
        }

        _buffer.Enqueue(new BufferedRecord(record, size));
        BufferedBytes += size;
    }

    /// <summary>A whole batch is buffered.</summary>
    public bool IsFull(KafkaOptions options) => _buffer.Count >= options.MaxBatchSize || BufferedBytes >= options.MaxBatchBytes;


    /// <summary>
    /// Takes the oldest buffered records, within both batch bounds and at most <paramref name="maxRecords"/>
    /// (at least one); a single record larger than <see cref="KafkaOptions.MaxBatchBytes"/> forms a batch of its own.
    /// </summary>
    public InboundRecord[] TakeBatch(KafkaOptions options, int maxRecords, long now, out long bytes)
    {
        var limit = Math.Min(options.MaxBatchSize, maxRecords);
        var records = new List<InboundRecord>(Math.Min(_buffer.Count, limit));
        bytes = 0;
        while (_buffer.Count > 0 && records.Count < limit)
        {
            var next = _buffer.Peek();
            if (records.Count > 0 && bytes + next.Size > options.MaxBatchBytes)
            {
                break;
            }

            _buffer.Dequeue();
            records.Add(next.Record);
            bytes += next.Size;
        }

        BufferedBytes -= bytes;
        OldestBufferedAt = now; // what is left has waited for the previous batch; its linger starts now
        return [.. records];
    }

    /// <summary>Forgets the buffered records (they stay uncommitted and are read again); returns how many and their bytes.</summary>
    public (int Count, long Bytes) DropBuffered()
    {
        var dropped = (_buffer.Count, BufferedBytes);
        _buffer.Clear();
        BufferedBytes = 0;
        return dropped;
    }

    private readonly record struct BufferedRecord(InboundRecord Record, int Size);
}

namespace EventRouter.Kafka;

/// <summary>
/// A batch of one partition's records handed to the router, with the offset to store once every one
/// of them is in storage.
/// </summary>
internal sealed class InFlightBatch
{
    private int _failedAttempts;

    public InFlightBatch(int partition, InboundRecord[] records, long startedAt)
    {
        Partition = partition;
        Records = records;
        StartedAt = startedAt;
        FirstOffset = records[0].Offset;
        NextOffset = records[^1].Offset + 1; // records of one partition arrive in offset order
    }

    public int Partition { get; }
    public IReadOnlyList<InboundRecord> Records { get; }
    public long StartedAt { get; }
    public long FirstOffset { get; }

    /// <summary>The highest offset of the batch plus one: the offset to commit.</summary>
    public long NextOffset { get; }

    /// <summary>False once the partition was revoked or lost, or the batch abandoned: its offset must not be stored.</summary>
    public bool Committable { get; set; } = true;

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Completes with true when every record is in storage, false when the batch was cancelled. Never faults.</summary>
    public Task<bool> Task { get; set; } = System.Threading.Tasks.Task.FromResult(false);

    public int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public int RecordFailure() => Interlocked.Increment(ref _failedAttempts);
}

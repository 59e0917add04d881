using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Log = EventRouter.Kafka.KafkaSourceService.Log;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// Which partitions are ours, which batches are in flight or abandoned, and what may be stored for
/// commit: a partition's offset moves only to the end of a batch that reached storage whole, while
/// the partition is still assigned and the batch was not abandoned. Owned by the consume thread.
/// </summary>
/// <remarks>
/// Each lane has at most one batch in flight (<see cref="Start"/> refuses a second), and a batch
/// holds a contiguous run of its partition's records; so the offset stored is always the end of a
/// prefix of which every record is in storage. Abandoned batches (revoked before they finished, lost,
/// shut down) are never stored, and their partition takes no new batch until they have unwound, so a
/// partition's records never reach the router from two batches at once.
/// </remarks>
internal sealed class PartitionOffsets(string topic, string? consumerGroup, KafkaMetrics metrics, ILogger logger, TimeProvider time)
{
    private readonly SortedDictionary<int, PartitionLane> _lanes = [];
    private readonly List<InFlightBatch> _inFlight = [];
    private readonly List<InFlightBatch> _abandoned = [];
    private readonly Dictionary<int, long> _committed = [];

    /// <summary>The assigned partitions' lanes, in partition order (a view, enumerated without allocating).</summary>
    public SortedDictionary<int, PartitionLane>.ValueCollection Lanes => _lanes.Values;

    /// <summary>The assigned partitions, in order.</summary>
    public SortedDictionary<int, PartitionLane>.KeyCollection Partitions => _lanes.Keys;

    /// <summary>The lane of <paramref name="partition"/> while it is assigned.</summary>
    public bool TryGetLane(int partition, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PartitionLane? lane) => _lanes.TryGetValue(partition, out lane);

    public IReadOnlyList<InFlightBatch> InFlight => _inFlight;

    public IReadOnlyList<InFlightBatch> Abandoned => _abandoned;

    /// <summary>The last offset committed per assigned partition, as librdkafka reported it.</summary>
    public IReadOnlyDictionary<int, long> Committed => _committed;

    /// <summary>A batch is being routed or an abandoned one has not unwound yet.</summary>
    public bool Busy => _inFlight.Count > 0 || _abandoned.Count > 0;

    /// <summary>The most failed attempts of any batch in flight.</summary>
    public int MaxFailedAttempts
    {
        get
        {
            var most = 0;
            foreach (var batch in _inFlight)
            {
                most = Math.Max(most, batch.FailedAttempts);
            }

            return most;
        }
    }

    /// <summary>New lanes for newly assigned partitions (a re-assigned one starts afresh).</summary>
    public void Assign(IEnumerable<int> partitions)
    {
        foreach (var partition in partitions)
        {
            _lanes[partition] = new PartitionLane(partition);
        }
    }

    /// <summary>Records <paramref name="batch"/> as its lane's batch in flight.</summary>
    /// <exception cref="InvalidOperationException">The lane has a batch in flight already, or waits for an abandoned one.</exception>
    public void Start(PartitionLane lane, InFlightBatch batch)
    {
        if (lane.InFlight is not null || IsWaitingForAbandoned(lane.Partition))
        {
            throw new InvalidOperationException($"Partition {lane.Partition} has a batch in flight already.");
        }

        lane.InFlight = batch;
        _inFlight.Add(batch);
    }

    /// <summary>An abandoned batch of <paramref name="partition"/> is still unwinding.</summary>
    public bool IsWaitingForAbandoned(int partition)
    {
        foreach (var batch in _abandoned)
        {
            if (batch.Partition == partition)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Blocks until a batch in flight or abandoned finishes, or <paramref name="timeout"/> passes.</summary>
    /// <returns>True when one finished.</returns>
    public bool WaitForAny(TimeSpan timeout)
    {
        var tasks = new Task[_inFlight.Count + _abandoned.Count];
        var i = 0;
        foreach (var batch in _inFlight)
        {
            tasks[i++] = batch.Task;
        }

        foreach (var batch in _abandoned)
        {
            tasks[i++] = batch.Task;
        }

        return Task.WaitAny(tasks, timeout) >= 0;
    }

    /// <summary>The in-flight batches of <paramref name="partitions"/>.</summary>
    public List<InFlightBatch> InFlightOf(IReadOnlySet<int> partitions) => [.. _inFlight.Where(b => partitions.Contains(b.Partition))];

    /// <summary>
    /// Takes the finished batches out of flight (to be <see cref="Settle"/>d), and forgets the
    /// abandoned ones that have unwound, which frees their partitions for new batches.
    /// </summary>
    public List<InFlightBatch> TakeCompleted()
    {
        List<InFlightBatch> completed = [];
        for (var i = _inFlight.Count - 1; i >= 0; i--)
        {
            if (_inFlight[i].Task.IsCompleted)
            {
                completed.Add(_inFlight[i]);
                _inFlight.RemoveAt(i);
            }
        }

        for (var i = _abandoned.Count - 1; i >= 0; i--)
        {
            if (_abandoned[i].Task.IsCompleted)
            {
                _abandoned[i].Cancellation.Dispose();
                _abandoned.RemoveAt(i);
            }
        }

        return completed;
    }

    /// <summary>
    /// Settles a finished batch: frees its lane, and returns the offset to store for commit (the
    /// batch's last offset plus one), or null when nothing may be stored: the batch did not reach
    /// storage, was abandoned, or its partition is no longer ours.
    /// </summary>
    public long? Settle(InFlightBatch batch)
    {
        var routed = batch.Task.Result;
        _inFlight.Remove(batch);
        batch.Cancellation.Dispose();
        _lanes.TryGetValue(batch.Partition, out var lane);
        if (lane is not null && ReferenceEquals(lane.InFlight, batch))
        {
            lane.InFlight = null;
        }

        return routed && batch.Committable && lane is not null ? batch.NextOffset : null;
    }

    /// <summary>
    /// Completes a finished batch: when it may be stored (<see cref="Settle"/>), stores its end offset
    /// through <paramref name="client"/> and counts it routed. A store that fails (the partition was taken
    /// away in between) loses nothing: its next owner reads those records again.
    /// </summary>
    public void Complete(InFlightBatch batch, IPartitionClient client)
    {
        if (Settle(batch) is not { } offset)
        {
            return;
        }

        try
        {
            client.StoreOffset(batch.Partition, offset);
            Stored(batch.Partition, offset);
            Log.OffsetStored(logger, topic, batch.Partition, offset);
        }
        catch (KafkaException ex)
        {
            Log.StoreOffsetFailed(logger, topic, batch.Partition, offset, ex.Error.Reason);
        }

        var elapsed = time.GetElapsedTime(batch.StartedAt);
        metrics.BatchRouted(topic, consumerGroup, batch.Records.Count, elapsed);
        metrics.RecordsDelivered(topic, consumerGroup, batch.Records, time.GetUtcNow());
        Log.BatchRouted(logger, topic, batch.Partition, batch.Records.Count, elapsed.TotalMilliseconds);
    }

    /// <summary>The consumer took <paramref name="offset"/> of <paramref name="partition"/> for its next commit.</summary>
    public void Stored(int partition, long offset)
    {
        if (_lanes.TryGetValue(partition, out var lane))
        {
            lane.StoredOffset = offset;
        }
    }

    /// <summary>
    /// Gives up on <paramref name="batch"/>: nothing of it is stored, its retries are cancelled, and
    /// its partition takes no new batch until it has unwound.
    /// </summary>
    public void Abandon(InFlightBatch batch, string reason)
    {
        Log.BatchAbandoned(logger, topic, batch.Partition, batch.Records.Count, reason);
        batch.Committable = false;
        batch.Cancellation.Cancel();
        _inFlight.Remove(batch);
        _abandoned.Add(batch);
        if (_lanes.TryGetValue(batch.Partition, out var lane) && ReferenceEquals(lane.InFlight, batch))
        {
            lane.InFlight = null;
        }
    }

    /// <summary>Cancels whatever is still in flight at the end of the shutdown and forgets it: nothing of it is stored.</summary>
    public List<InFlightBatch> CancelInFlight()
    {
        List<InFlightBatch> cancelled = [.. _inFlight];
        foreach (var batch in cancelled)
        {
            batch.Cancellation.Cancel();
        }

        _inFlight.Clear();
        return cancelled;
    }

    /// <summary>The paused lanes among <paramref name="partitions"/>: to resume before they are released.</summary>
    public List<PartitionLane> PausedAmong(IReadOnlySet<int> partitions)
        => [.. _lanes.Values.Where(l => l.Paused && partitions.Contains(l.Partition))];

    /// <summary>Forgets revoked or lost partitions: their lanes and committed offsets.</summary>
    public void Release(IReadOnlySet<int> partitions)
    {
        foreach (var partition in partitions)
        {
            _lanes.Remove(partition);
            _committed.Remove(partition);
        }
    }

    /// <summary>
    /// The result of each commit librdkafka made of our stored offsets. A failed commit loses nothing
    /// (the offsets stay stored and go with the next commit), but until one succeeds a restart or
    /// rebalance re-reads those records: that is where duplicates come from, so it is worth a warning.
    /// </summary>
    /// <returns>True when the committed offsets changed.</returns>
    public bool OnCommitted(CommittedOffsets committed)
    {
        if (committed.Error.IsError)
        {
            if (committed.Error.Code != ErrorCode.Local_NoOffset) // nothing new to commit: not a failure
            {
                Log.CommitFailed(logger, topic, committed.Error.Code, committed.Error.Reason);
                metrics.CommitFailed(topic, consumerGroup, committed.Error.Code.ToString());
            }

            return false;
        }

        foreach (var tpo in committed.Offsets)
        {
            if (tpo.Error.IsError)
            {
                Log.PartitionCommitFailed(logger, topic, tpo.Partition.Value, tpo.Offset.Value, tpo.Error.Code, tpo.Error.Reason);
                metrics.CommitFailed(topic, consumerGroup, tpo.Error.Code.ToString());
            }
            else if (!tpo.Offset.IsSpecial)
            {
                Log.OffsetCommitted(logger, topic, tpo.Partition.Value, tpo.Offset.Value);
                if (_lanes.ContainsKey(tpo.Partition.Value)) _committed[tpo.Partition.Value] = tpo.Offset.Value;
            }
        }

        return true;
    }
}

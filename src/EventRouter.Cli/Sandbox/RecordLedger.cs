using System.Collections.Concurrent;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// The sandbox's exact accounting: every record the pipeline reported as in storage, counted once
/// by its place in Kafka (topic, partition, offset), with the outcome of its first delivery. A record
/// delivered again (re-read after a rebalance or a restart: at-least-once) is counted in
/// <see cref="ReRead"/> and nowhere else, so the outcome rows add up to the distinct records read.
/// </summary>
/// <remarks>
/// Metric counters cannot do this: they count deliveries, and a partition read again after a
/// rebalance counts its records twice (the sandbox once summed 5,958 for 5,000 events). Offsets are
/// kept as ranges per partition, so memory grows with the gaps, not with the records.
/// </remarks>
internal sealed class RecordLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Topic, int Partition), OffsetRanges> _seen = [];
    private readonly ConcurrentDictionary<string, long> _perQueue = new();
    private readonly ConcurrentDictionary<string, long> _perReason = new();
    private long _routed;
    private long _unrouted;
    private long _poisoned;
    private long _duplicates;
    private long _conflated;
    private long _reRead;
    private long _written;

    /// <summary>Records a batch's outcomes; call only after the batch is in storage.</summary>
    public void Record(IEnumerable<RecordOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        lock (_gate)
        {
            foreach (var outcome in outcomes)
            {
                // Every delivery of a routed or unrouted record writes a message the queue stage will handle.
                if (outcome.Kind is OutcomeKind.Routed or OutcomeKind.Unrouted) _written++;
                var key = (outcome.Topic, outcome.Partition);
                if (!_seen.TryGetValue(key, out var ranges)) _seen[key] = ranges = new OffsetRanges();
                if (!ranges.Add(outcome.Offset))
                {
                    _reRead++;
                    continue;
                }
                switch (outcome.Kind)
                {
                    case OutcomeKind.Routed:
                        _routed++;
                        _perQueue.AddOrUpdate(outcome.Queue, 1, (_, n) => n + 1);
                        break;
                    case OutcomeKind.Unrouted:
                        _unrouted++;
                        _perQueue.AddOrUpdate(outcome.Queue, 1, (_, n) => n + 1);
                        break;
                    case OutcomeKind.Poisoned:
                        _poisoned++;
                        _perReason.AddOrUpdate(outcome.Reason?.ToCode() ?? "unknown", 1, (_, n) => n + 1);
                        break;
                    case OutcomeKind.Duplicate:
                        _duplicates++;
                        break;
                    case OutcomeKind.Conflated:
                        _conflated++;
                        break;
                }
            }
        }
    }

    /// <summary>Distinct records and queue messages written so far, without copying the breakdowns.</summary>
    public (long Distinct, long QueueMessagesWritten) Progress()
    {
        lock (_gate)
        {
            return (_routed + _unrouted + _poisoned + _duplicates + _conflated, _written);
        }
    }

    /// <summary>The counts at this moment, consistent with each other.</summary>
    public LedgerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new LedgerSnapshot(_routed, _unrouted, _poisoned, _duplicates, _conflated, _reRead, _written,
                new Dictionary<string, long>(_perQueue), new Dictionary<string, long>(_perReason));
        }
    }

    /// <summary>
    /// The offsets of a partition below <paramref name="endOffset"/> (starting at
    /// <paramref name="startOffset"/>) that no delivery reported: records skipped, for example because
    /// the broker no longer had them.
    /// </summary>
    public long Missing(string topic, int partition, long startOffset, long endOffset)
    {
        lock (_gate)
        {
            return _seen.TryGetValue((topic, partition), out var ranges)
                ? endOffset - startOffset - ranges.CountWithin(startOffset, endOffset)
                : Math.Max(0, endOffset - startOffset);
        }
    }
}

/// <summary>Distinct records by first outcome, and deliveries beyond the first.</summary>
internal sealed record LedgerSnapshot(
    long Routed, long Unrouted, long Poisoned, long Duplicates, long Conflated, long ReRead, long QueueMessagesWritten,
    IReadOnlyDictionary<string, long> RoutedPerQueue, IReadOnlyDictionary<string, long> PoisonedPerReason)
{
    /// <summary>Distinct records read: each (topic, partition, offset) once.</summary>
    public long Distinct => Routed + Unrouted + Poisoned + Duplicates + Conflated;
}

/// <summary>A set of offsets as sorted, disjoint, non-adjacent half-open ranges [Start, End).</summary>
internal sealed class OffsetRanges
{
    private readonly List<(long Start, long End)> _ranges = [];

    public int RangeCount => _ranges.Count;

    /// <summary>Adds <paramref name="offset"/>; false when it was already in the set.</summary>
    public bool Add(long offset)
    {
        // Records mostly arrive in order: check the last range first.
        var index = _ranges.Count - 1;
        if (index < 0 || offset >= _ranges[index].Start)
        {
            if (index >= 0 && offset < _ranges[index].End) return false;
            if (index >= 0 && offset == _ranges[index].End)
            {
                _ranges[index] = (_ranges[index].Start, offset + 1);
                return true;
            }
            _ranges.Add((offset, offset + 1));
            return true;
        }

        // The first range whose End is above offset.
        int low = 0, high = _ranges.Count - 1;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_ranges[mid].End > offset) high = mid; else low = mid + 1;
        }
        var (start, end) = _ranges[low];
        if (offset >= start) return false;
        var joinsPrevious = low > 0 && _ranges[low - 1].End == offset;
        var joinsNext = offset + 1 == start;
        if (joinsPrevious && joinsNext)
        {
            _ranges[low - 1] = (_ranges[low - 1].Start, end);
            _ranges.RemoveAt(low);
        }
        else if (joinsPrevious) _ranges[low - 1] = (_ranges[low - 1].Start, offset + 1);
        else if (joinsNext) _ranges[low] = (offset, end);
        else _ranges.Insert(low, (offset, offset + 1));
        return true;
    }

    /// <summary>How many offsets of the set lie in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public long CountWithin(long start, long end)
    {
        long count = 0;
        foreach (var range in _ranges)
        {
            var from = Math.Max(start, range.Start);
            var to = Math.Min(end, range.End);
            if (to > from) count += to - from;
        }
        return count;
    }
}

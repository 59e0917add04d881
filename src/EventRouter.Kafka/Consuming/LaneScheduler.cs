namespace EventRouter.Kafka.Consuming;

/// <summary>
/// The consume loop's decisions about buffered records: whether to take more from librdkafka (the
/// buffer bounds and back-pressure), how long a poll may wait (linger), which lane is routed next
/// and how many of its records (oldest first, <see cref="KafkaOptions.MaxParallelPartitions"/> at
/// once, the ingest rate limit), and why a partition must not fetch now. Owned by the consume thread;
/// it makes no Kafka call, so every decision is a function of the lanes, the options and the clock.
/// </summary>
/// <remarks>
/// <para>
/// Back-pressure. When every lane that could take records holds a full batch, or the buffer as a whole
/// holds two batches per partition routed at once (or twice <see cref="KafkaOptions.MaxBatchBytes"/>),
/// the loop stops taking records and leaves them in librdkafka's own prefetch queue (bounded by
/// <c>queued.max.messages.kbytes</c>), polling only every <see cref="BackPressureWaitSlice"/> to serve
/// callbacks; past twice those bounds the lanes holding a full batch are paused. Pausing is kept for
/// that hard bound because a pause purges librdkafka's prefetch queue and stalls the next fetch behind
/// the outstanding long poll (fetch.wait.max.ms).
/// </para>
/// <para>
/// Rate limit. With <see cref="KafkaOptions.MaxEventsPerSecond"/> a record is handed to the router only
/// with a token from an <see cref="IngestRateLimiter"/>. Records beyond the limit wait in their lane,
/// and the loop stops taking records once a second's worth waits, so fetching stops at librdkafka's
/// bounded prefetch rather than memory growing; nothing is dropped and no thread sleeps past a poll.
/// </para>
/// </remarks>
internal sealed class LaneScheduler
{
    /// <summary>How long a poll waits while nothing is buffered.</summary>
    public static readonly TimeSpan IdlePollTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a poll waits while batches are in flight, so that finished ones are settled promptly.</summary>
    public static readonly TimeSpan BusyPollTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>How often the loop polls while every partition is paused (nothing can arrive).</summary>
    public static readonly TimeSpan PausedWaitSlice = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the loop polls while it holds records back (serving callbacks and the group's liveness).</summary>
    public static readonly TimeSpan BackPressureWaitSlice = TimeSpan.FromMilliseconds(250);

    // Why a partition is paused, as the PartitionsPaused log says it.
    public const string BackPressureReason = "the buffer is full";
    public const string RateLimitReason = "ingest rate limit reached";
    public const string StoppingReason = "stopping";
    public const string StorageFailingReason = "storage is failing";
    public const string AbandonedReason = "waiting for an abandoned batch";

    private readonly KafkaOptions _options;
    private readonly TimeProvider _time;
    private readonly PartitionOffsets _offsets;
    private readonly IngestRateLimiter? _rateLimiter;

    // The dispatch round under way (see BeginDispatch).
    private bool _roundOpen;
    private bool _roundPressed;
    private long _roundNow;

    public LaneScheduler(KafkaOptions options, TimeProvider time, PartitionOffsets offsets)
    {
        _options = options;
        _time = time;
        _offsets = offsets;
        if (options.MaxEventsPerSecond is > 0 and var rate)
        {
            _rateLimiter = new IngestRateLimiter(rate, time);
        }
    }

    /// <summary>Records consumed but not yet handed to the router, over all lanes.</summary>
    public int BufferedRecords { get; private set; }

    public long BufferedBytes { get; private set; }

    /// <summary>The last dispatch round stopped for want of tokens.</summary>
    public bool RateLimited { get; private set; }

    /// <summary>The last poll found nothing waiting in librdkafka: no backlog, so lingering is worth it.</summary>
    public bool CaughtUp { get; set; } = true;

    /// <summary>
    /// Records buffered across all lanes before the loop stops taking records: two batches for each
    /// partition that may be routed at once. Bounds are for the whole buffer, not per lane, because
    /// librdkafka hands over a backlog one partition's fetch (up to max.partition.fetch.bytes) at a
    /// time: the buffer must be able to take in one partition's chunk to reach the next partition's.
    /// </summary>
    public long BufferedRecordsBound => 2L * _options.MaxBatchSize * _options.MaxParallelPartitions;

    /// <summary>Bytes buffered across all lanes before the loop stops taking records, so large events cannot multiply memory by the partition count.</summary>
    public long BufferedBytesBound => 2L * _options.MaxBatchBytes;

    /// <summary>The buffer reached its bound: every lane with records is ready to go, full or not.</summary>
    public bool Pressed => BufferedBytes >= BufferedBytesBound || BufferedRecords >= BufferedRecordsBound;

    /// <summary>
    /// The hard bound: the polls that keep the group alive while <see cref="Saturated"/> can still hand
    /// over a record each; past twice the bounds the lanes holding a full batch are paused.
    /// </summary>
    public bool BufferOverfull => BufferedBytes >= 2 * BufferedBytesBound || BufferedRecords >= 2 * BufferedRecordsBound;

    /// <summary>
    /// No lane can usefully take another record: every unpaused lane already holds a full next batch, the
    /// buffer as a whole reached its bound, or it holds a second's worth under the rate limit.
    /// </summary>
    public bool Saturated
    {
        get
        {
            if (Pressed)
            {
                return true;
            }

            if (_rateLimiter is not null && BufferedRecords >= _rateLimiter.OneSecondsWorth)
            {
                // A second's worth waits already: taking more would only fill lanes up to the point where
                // they are paused, and a paused partition's prefetched records are thrown away and fetched again.
                return true;
            }

            foreach (var lane in _offsets.Lanes)
            {
                if (!lane.Paused && !lane.IsFull(_options))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Buffers a consumed record in its lane.</summary>
    /// <returns>True when the lane now holds a whole batch.</returns>
    public bool Add(PartitionLane lane, InboundRecord record, int size, long arrivedAt)
    {
        lane.Add(record, size, arrivedAt);
        BufferedRecords++;
        BufferedBytes += size;
        return lane.IsFull(_options);
    }

    /// <summary>Drops the buffered records of <paramref name="partitions"/> (all when null); they stay uncommitted and are read again.</summary>
    public void DropBuffered(IReadOnlySet<int>? partitions)
    {
        foreach (var lane in _offsets.Lanes)
        {
            if (partitions is null || partitions.Contains(lane.Partition))
            {
                var (count, bytes) = lane.DropBuffered();
                BufferedRecords -= count;
                BufferedBytes -= bytes;
            }
        }
    }

    /// <summary>How long the next poll may wait for a record when the loop is not holding back.</summary>
    public TimeSpan PollTimeout()
    {
        var timeout = _offsets.InFlight.Count > 0 ? BusyPollTimeout
            : BufferedRecords == 0 ? IdlePollTimeout
            : RemainingLinger();
        return RateLimited ? Min(timeout, _rateLimiter!.UntilAvailable) : timeout;
    }

    /// <summary>What the loop does while it holds records back: poll every <paramref name="PollEvery"/>, waiting <paramref name="Wait"/> before the next look.</summary>
    internal readonly record struct HoldBack(TimeSpan PollEvery, TimeSpan Wait);

    /// <summary>
    /// Whether the loop should stop taking records now, and how long to wait: while a batch is busy or
    /// the rate limit holds records back, and every partition is paused or the buffer is saturated.
    /// </summary>
    /// <param name="allPaused">Every assigned partition is paused.</param>
    /// <param name="busy">A batch is in flight or an abandoned one is unwinding.</param>
    /// <param name="lastPollAt">When the loop last polled (a <see cref="TimeProvider"/> timestamp).</param>
    public HoldBack? ShouldHoldBack(bool allPaused, bool busy, long lastPollAt)
    {
        if (!((busy || RateLimited) && (allPaused || Saturated)))
        {
            return null;
        }

        // Paused: nothing can arrive, so wait for a batch itself. Saturated: stop taking records and
        // leave them in librdkafka's bounded prefetch queue; pausing here instead would purge that
        // queue and stall the next fetch behind the outstanding long poll (fetch.wait.max.ms) for
        // every batch. Either way, poll once per slice so rebalances and errors are served and the
        // group sees us alive (max.poll.interval.ms).
        var pollEvery = allPaused ? PausedWaitSlice : BackPressureWaitSlice;
        var wait = pollEvery - _time.GetElapsedTime(lastPollAt);
        if (RateLimited)
        {
            wait = Min(wait, _rateLimiter!.UntilAvailable); // wake for the next token
        }

        return new HoldBack(pollEvery, wait);
    }

    /// <summary>
    /// Opens a dispatch round: <see cref="TakeNext"/> then hands out the lanes that are ready (no batch
    /// in flight, and a full batch or lingered long enough), oldest first, up to
    /// <see cref="KafkaOptions.MaxParallelPartitions"/> batches at once and as many records as the rate
    /// limit allows. The caller starts each batch (<see cref="PartitionOffsets.Start"/>) before asking
    /// for the next.
    /// </summary>
    public void BeginDispatch(bool stopping)
    {
        RateLimited = false;
        _roundOpen = !stopping && BufferedRecords > 0;
        _roundPressed = Pressed;
        _roundNow = _time.GetTimestamp(); // one clock read for every lane's linger
    }

    /// <summary>The next batch of this round, taken from its lane's buffer; null when the round is over.</summary>
    public DispatchedBatch? TakeNext()
    {
        if (!_roundOpen || _offsets.InFlight.Count >= _options.MaxParallelPartitions)
        {
            return null;
        }

        PartitionLane? next = null;
        foreach (var lane in _offsets.Lanes)
        {
            if (lane.BufferedCount == 0 || lane.InFlight is not null || _offsets.IsWaitingForAbandoned(lane.Partition))
            {
                continue;
            }

            var ready = _roundPressed || lane.IsFull(_options) || Lingered(lane, _roundNow);
            if (ready && (next is null || lane.OldestBufferedAt < next.OldestBufferedAt))
            {
                next = lane;
            }
        }

        if (next is null)
        {
            _roundOpen = false;
            return null;
        }

        var allowed = _rateLimiter?.Available ?? int.MaxValue;
        if (allowed < Math.Min(Math.Min(next.BufferedCount, _options.MaxBatchSize), _rateLimiter?.Burst ?? 1))
        {
            // Wait for a bucket's worth rather than routing a record per token.
            RateLimited = true;
            _roundOpen = false;
            return null;
        }

        var now = _time.GetTimestamp();
        var records = next.TakeBatch(_options, allowed, now, out var bytes);
        _rateLimiter?.Take(records.Length);
        BufferedRecords -= records.Length;
        BufferedBytes -= bytes;
        return new DispatchedBatch(next, new InFlightBatch(next.Partition, records, now), bytes);
    }

    /// <summary>
    /// Why <paramref name="lane"/> must not fetch now, or null when it may: the consumer is stopping,
    /// its batch is failing, an abandoned batch of it still unwinds, or (past the hard bound) it holds
    /// a full batch that cannot go yet.
    /// </summary>
    public string? PauseReason(PartitionLane lane, bool stopping)
        => stopping ? StoppingReason
            : lane.InFlight is { FailedAttempts: > 0 } ? StorageFailingReason
            : _offsets.IsWaitingForAbandoned(lane.Partition) ? AbandonedReason
            : !BufferOverfull || !lane.IsFull(_options) ? null
            : lane.InFlight is not null || _offsets.InFlight.Count >= _options.MaxParallelPartitions ? BackPressureReason
            : RateLimited ? RateLimitReason
            : null; // about to be routed

    /// <summary>
    /// The lanes to pause now (each with its reason) and those to resume: a lane is paused while
    /// <see cref="PauseReason"/> names one. The lists are null when empty (no allocation in a steady loop).
    /// </summary>
    /// <returns>True when every assigned partition is (or is about to be) paused.</returns>
    public bool PlanPauses(bool stopping, out List<(PartitionLane Lane, string Reason)>? toPause, out List<PartitionLane>? toResume)
    {
        toPause = null;
        toResume = null;
        var allPaused = _offsets.Lanes.Count > 0;
        foreach (var lane in _offsets.Lanes)
        {
            var reason = PauseReason(lane, stopping);
            if (reason is not null && !lane.Paused)
            {
                (toPause ??= []).Add((lane, reason));
            }
            else if (reason is null && lane.Paused)
            {
                (toResume ??= []).Add(lane);
            }

            allPaused &= reason is not null;
        }

        return allPaused;
    }

    /// <summary>Pausing for back-pressure or the rate limit is routine; anything else is news.</summary>
    public static bool IsRoutine(string reason) => reason is BackPressureReason or RateLimitReason;

    /// <summary>
    /// A lane that is not full goes once it has waited <see cref="KafkaOptions.BatchLinger"/>, but only
    /// when librdkafka has nothing more waiting: the linger is there to wait for records, and while
    /// more are already prefetched (a backlog) taking them first makes full batches instead of a
    /// batch per linger. Behind, it still goes after ten lingers, and the buffer bounds press
    /// everything out long before a backlog could hold a lane back.
    /// </summary>
    private bool Lingered(PartitionLane lane, long now)
    {
        var waited = _time.GetElapsedTime(lane.OldestBufferedAt, now);
        return waited >= (CaughtUp ? _options.BatchLinger : _options.BatchLinger * 10);
    }

    private TimeSpan RemainingLinger()
    {
        var oldest = long.MaxValue;
        foreach (var lane in _offsets.Lanes)
        {
            if (lane.BufferedCount > 0 && lane.InFlight is null && lane.OldestBufferedAt < oldest)
            {
                oldest = lane.OldestBufferedAt;
            }
        }

        if (oldest == long.MaxValue)
        {
            return BusyPollTimeout; // everything buffered waits for its lane's in-flight batch
        }

        var remaining = _options.BatchLinger - _time.GetElapsedTime(oldest);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>A batch taken from <paramref name="Lane"/>'s buffer, to be started and routed; <paramref name="Bytes"/> its records' size.</summary>
internal readonly record struct DispatchedBatch(PartitionLane Lane, InFlightBatch Batch, long Bytes);

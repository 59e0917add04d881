namespace EventRouter.Kafka;

/// <summary>
/// The token bucket behind <see cref="KafkaOptions.MaxEventsPerSecond"/>: a record may be handed to
/// routing only with a token, and tokens come at the configured rate. The bucket holds a tenth of a
/// second's worth (at least one), so a source that has been idle bursts by no more than that.
/// </summary>
/// <remarks>
/// The limit sits where records leave a partition's buffer for the router, not at the fetch itself:
/// records beyond it wait in the bounded buffer (a second's worth at most), and the consume loop
/// stops taking records, so fetching stops at librdkafka's bounded prefetch instead of memory growing. Limiting there keeps the rate
/// exact (a paused partition delivers again only a fetch round trip after it is resumed, time a
/// fetch-side bucket would lose), costs no sleeping per record and never drops anything.
/// Kept over the BCL's <c>TokenBucketRateLimiter</c>, which takes no <see cref="TimeProvider"/> (so the
/// scheduler's rate decisions could not be tested on a fake clock) and refills in whole tokens on a
/// timer; measured side by side in docs/performance.md, "Rate limiter: ours or the BCL's".
/// </remarks>
internal sealed class IngestRateLimiter
{
    private static readonly TimeSpan BurstWindow = TimeSpan.FromMilliseconds(100);

    // Refills add up fractions of a token; the slack keeps a token that is whole but for a rounding
    // error from waiting another loop turn.
    private const double RoundingSlack = 1e-6;

    private readonly double _eventsPerSecond;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;

    public IngestRateLimiter(double eventsPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventsPerSecond);
        _eventsPerSecond = eventsPerSecond;
        _capacity = Math.Max(1, eventsPerSecond * BurstWindow.TotalSeconds);
        _time = time;
        _tokens = _capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>The most records the bucket holds: what may go at once after an idle spell.</summary>
    public int Burst => (int)Math.Min(int.MaxValue, Math.Floor(_capacity));

    /// <summary>Records allowed in one second (at least one).</summary>
    public int OneSecondsWorth => (int)Math.Min(int.MaxValue, Math.Max(1, Math.Ceiling(_eventsPerSecond)));

    /// <summary>How many records may be handed to routing now.</summary>
    public int Available
    {
        get
        {
            Refill();
            return _tokens < 1 - RoundingSlack ? 0 : (int)Math.Min(int.MaxValue, Math.Floor(_tokens + RoundingSlack));
        }
    }

    /// <summary>Accounts for records handed to routing (at most <see cref="Available"/>).</summary>
    public void Take(int records)
    {
        Refill();
        _tokens -= records;
    }

    /// <summary>How long until at least one record may go; zero when one may now.</summary>
    public TimeSpan UntilAvailable
    {
        get
        {
            Refill();
            var missing = 1 - _tokens;
            return missing <= RoundingSlack
                ? TimeSpan.Zero
                : TimeSpan.FromTicks((long)Math.Ceiling(missing / _eventsPerSecond * TimeSpan.TicksPerSecond - RoundingSlack));
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_refilledAt, now);
        _refilledAt = now;
        _tokens = Math.Min(_capacity, _tokens + elapsed.TotalSeconds * _eventsPerSecond);
    }
}

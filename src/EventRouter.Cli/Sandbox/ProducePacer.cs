namespace EventRouter.Cli.Sandbox;

/// <summary>
/// When the sandbox's producer may send its next event: at the requested rate, and never while the
/// pipeline is more than <c>maxBacklog</c> events behind. Without that bound a rate the machine
/// cannot follow loses events: the mock broker keeps a few MiB per partition and drops the oldest
/// (unread) records, and Azurite slows down with every message it holds, as each receive scans
/// them all (docs/performance.md, "Limits and costs the code is sized by").
/// </summary>
internal sealed class ProducePacer(int rate, long maxBacklog)
{
    /// <summary>How long the producer waits while the pipeline is behind before it asks again.</summary>
    public static readonly TimeSpan BacklogPause = TimeSpan.FromMilliseconds(50);

    // Behind schedule by more than this (after a pause, or a slow machine), the schedule restarts from
    // now instead of catching up in a burst.
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1.0 / rate);
    private TimeSpan _due;

    public long MaxBacklog => maxBacklog;

    /// <summary>Time spent waiting for the pipeline (not for the rate).</summary>
    public TimeSpan WaitedForPipeline { get; private set; }

    /// <summary>
    /// Zero when the next event may go now (and it is then counted as sent on schedule); otherwise how
    /// long to wait before asking again.
    /// </summary>
    public TimeSpan Delay(TimeSpan now, long backlog)
    {
        if (backlog >= maxBacklog)
        {
            WaitedForPipeline += BacklogPause;
            return BacklogPause;
        }
        if (now - _due > MaxCatchUp) _due = now;
        if (_due > now) return _due - now;
        _due += _interval;
        return TimeSpan.Zero;
    }
}

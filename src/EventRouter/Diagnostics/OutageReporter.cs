using Microsoft.Extensions.Logging;

namespace EventRouter.Diagnostics;

/// <summary>What to log about a peer's reachability, if anything.</summary>
public readonly record struct OutageReport(LogLevel Level, OutageReportKind Kind, TimeSpan Down);

public enum OutageReportKind
{
    /// <summary>The first failure: the peer cannot be reached.</summary>
    Began,
    /// <summary>Still failing, a minute or more after the last Warning.</summary>
    Continues,
    /// <summary>The peer answered again.</summary>
    Ended,
    /// <summary>Another failure within the minute: Debug only.</summary>
    Repeat,
}

/// <summary>
/// Turns a stream of failures to reach one peer (a broker, the storage account), one per retry and
/// per poller for as long as the peer is away, into what an operator needs: one Warning when it
/// begins, at most one more a minute while it lasts, one Information line when it ends. Pure state
/// with a clock; thread-safe, since several pollers (one per queue) share one peer.
/// </summary>
public sealed class OutageReporter(TimeProvider time)
{
    public static readonly TimeSpan RepeatInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private DateTimeOffset? _downSince;
    private DateTimeOffset _lastWarning;

    public bool IsDown
    {
        get { lock (_gate) return _downSince is not null; }
    }

    /// <summary>A failure: a Warning the first time and once a minute after; else Debug (a repeat).</summary>
    public OutageReport OnFailure()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_downSince is not { } since)
            {
                _downSince = now;
                _lastWarning = now;
                return new(LogLevel.Warning, OutageReportKind.Began, TimeSpan.Zero);
            }
            if (now - _lastWarning >= RepeatInterval)
            {
                _lastWarning = now;
                return new(LogLevel.Warning, OutageReportKind.Continues, now - since);
            }
            return new(LogLevel.Debug, OutageReportKind.Repeat, now - since);
        }
    }

    /// <summary>The peer answered: Information once if it had been away, else nothing.</summary>
    public OutageReport? OnSuccess()
    {
        lock (_gate)
        {
            if (_downSince is not { } since) return null;
            _downSince = null;
            return new(LogLevel.Information, OutageReportKind.Ended, time.GetUtcNow() - since);
        }
    }
}

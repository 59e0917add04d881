using System.Diagnostics;
using System.Threading.RateLimiting;
using EventRouter.Kafka;

namespace EventRouter.Benchmarks;

/// <summary>
/// Issue 20 asks for the BCL's token bucket (<see cref="TokenBucketRateLimiter"/>) instead of our
/// <see cref="IngestRateLimiter"/> unless a measurement shows it worse. Both are driven the way the
/// lane scheduler drives a limiter: take everything available, and when nothing is, wait until the
/// limiter says a token comes. Measured per rate: the rate achieved, the largest 100 ms burst, the
/// turns that found nothing; and the cost of one decision (available + take) on one thread.
/// </summary>
internal static class RateLimiterBench
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    public static void Run(HarnessOptions options, ResultTable table)
    {
        Console.WriteLine("ratelimit: IngestRateLimiter (ours) against System.Threading.RateLimiting.TokenBucketRateLimiter, same burst (a tenth of a second's worth)");
        foreach (var rate in new[] { 0.5, 7, 333, 2_500, 20_000 })
        {
            var seconds = rate < 1 ? Math.Max(10, options.Seconds) : Math.Min(options.Seconds, 5);
            var ours = Drive(new OursAdapter(rate), seconds);
            using var bcl = new BclAdapter(rate);
            var theirs = Drive(bcl, seconds);
            table.Add($"rate limit {rate:N1}/s over {seconds} s: achieved rate",
                $"{ours.Rate:N2}/s ({Deviation(ours.Rate, rate)})", $"{theirs.Rate:N2}/s ({Deviation(theirs.Rate, rate)})",
                $"{ours.Rate / theirs.Rate:N2}", "exact", $"largest 100 ms burst {ours.MaxBurst} / {theirs.MaxBurst}; empty turns {ours.EmptyTurns:N0} / {theirs.EmptyTurns:N0}");
        }

        var (oursNs, oursBytes) = Cost(new OursAdapter(1e9));
        using var fast = new BclAdapter(1e9);
        var (bclNs, bclBytes) = Cost(fast);
        table.Add("rate limit: one decision (available + take 1), 5M on one thread", $"{oursNs:N1} ns, {oursBytes:N1} B", $"{bclNs:N1} ns, {bclBytes:N1} B",
            $"{oursNs / bclNs:N2}", "no worse than the BCL", "ns and bytes allocated per decision");
    }

    private static string Deviation(double achieved, double wanted) => $"{(achieved - wanted) / wanted:+0.0%;-0.0%;0.0%}";

    private static (double Rate, int MaxBurst, long EmptyTurns) Drive(ILimiter limiter, int seconds)
    {
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(seconds);
        var windows = new int[(int)(duration / Window) + 2];
        long taken = 0, empty = 0;
        while (clock.Elapsed < duration)
        {
            var now = limiter.TakeAll(out var wait);
            if (now > 0)
            {
                taken += now;
                windows[(int)(clock.Elapsed / Window)] += now;
                continue;
            }
            empty++;
            // Both wait at least a millisecond: the shortest sleep the OS gives, and what a lane waits at least.
            Thread.Sleep(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1));
        }
        return (taken / clock.Elapsed.TotalSeconds, windows.Max(), empty);
    }

    private static (double Nanoseconds, double Bytes) Cost(ILimiter limiter)
    {
        const int Decisions = 5_000_000;
        for (var i = 0; i < 100_000; i++) limiter.TakeOne();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Decisions; i++) limiter.TakeOne();
        var elapsed = clock.Elapsed;
        return (elapsed.TotalNanoseconds / Decisions, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Decisions);
    }

    private interface ILimiter
    {
        /// <summary>Takes every token there is; when there is none, says how long until one comes.</summary>
        int TakeAll(out TimeSpan wait);

        /// <summary>One decision of the lane scheduler: may one record go now?</summary>
        bool TakeOne();
    }

    private sealed class OursAdapter(double rate) : ILimiter
    {
        private readonly IngestRateLimiter _limiter = new(rate, TimeProvider.System);

        public int TakeAll(out TimeSpan wait)
        {
            var available = _limiter.Available;
            wait = available > 0 ? TimeSpan.Zero : _limiter.UntilAvailable;
            if (available > 0) _limiter.Take(available);
            return available;
        }

        public bool TakeOne()
        {
            if (_limiter.Available == 0) return false;
            _limiter.Take(1);
            return true;
        }
    }

    /// <summary>
    /// The BCL limiter set up for the same average rate and burst: whole tokens per period (it has
    /// no fractional tokens), a period of tokens / rate (at least 1 ms), auto-replenished by its own timer.
    /// </summary>
    private sealed class BclAdapter : ILimiter, IDisposable
    {
        private readonly TokenBucketRateLimiter _limiter;
        private readonly TimeSpan _period;

        public BclAdapter(double rate)
        {
            var burst = (int)Math.Min(int.MaxValue, Math.Max(1, rate * Window.TotalSeconds));
            var period = TimeSpan.FromSeconds(burst / rate);
            _period = period < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : period;
            _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = burst,
                ReplenishmentPeriod = _period,
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        }

        public int TakeAll(out TimeSpan wait)
        {
            var available = (int)Math.Min(int.MaxValue, _limiter.GetStatistics()!.CurrentAvailablePermits);
            if (available > 0)
            {
                using var all = _limiter.AttemptAcquire(available);
                if (all.IsAcquired)
                {
                    wait = TimeSpan.Zero;
                    return available;
                }
            }
            using var one = _limiter.AttemptAcquire(1);
            if (one.IsAcquired)
            {
                wait = TimeSpan.Zero;
                return 1;
            }
            wait = one.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _period;
            return 0;
        }

        public bool TakeOne()
        {
            using var lease = _limiter.AttemptAcquire(1);
            return lease.IsAcquired;
        }

        public void Dispose() => _limiter.Dispose();
    }
}

namespace EventRouter.Kafka;

/// <summary>Capped exponential backoff with ±20% jitter for retrying a batch.</summary>
internal static class RetryBackoff
{
    /// <summary>
    /// The wait before attempt <paramref name="failedAttempts"/> + 1: <paramref name="initial"/> doubled
    /// for each failure after the first, never more than <paramref name="max"/>, jittered by up to 20%
    /// (also never above <paramref name="max"/>), so that instances recovering together spread out.
    /// </summary>
    public static TimeSpan Delay(int failedAttempts, TimeSpan initial, TimeSpan max, double jitter01)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var exponent = Math.Min(failedAttempts - 1, 30);
        var baseTicks = Math.Min((double)max.Ticks, initial.Ticks * Math.Pow(2, exponent));
        var factor = 0.8 + (0.4 * Math.Clamp(jitter01, 0, 1));
        return TimeSpan.FromTicks((long)Math.Min(max.Ticks, baseTicks * factor));
    }
}

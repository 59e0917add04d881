using EventRouter.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace EventRouter.Kafka.Tests;

public sealed class IngestRateLimiterTests
{
    [Fact]
    public void Available_AfterIdle_IsATenthOfASecondsWorthThenRefillsAtTheRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new IngestRateLimiter(200, time);

        Assert.Equal(20, limiter.Available);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(20, limiter.Available); // idle time does not pile up into a bigger burst

        limiter.Take(20);
        Assert.Equal(0, limiter.Available);
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.UntilAvailable);
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, limiter.Available);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, limiter.Available);
        Assert.Equal(TimeSpan.Zero, limiter.UntilAvailable);
        time.Advance(TimeSpan.FromMilliseconds(45));
        Assert.Equal(10, limiter.Available);
    }

    [Fact]
    public void Take_OverAMinuteOfGreedyTaking_HandsOutTheRatePlusOneBurst()
    {
        var time = new FakeTimeProvider();
        var limiter = new IngestRateLimiter(1000, time);
        var taken = 0;
        for (var step = 0; step < 60_000; step++)
        {
            var now = limiter.Available;
            limiter.Take(now);
            taken += now;
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(taken, 60_000, 60_000 + 100);
    }

    [Fact]
    public void Available_RateBelowOnePerSecond_AllowsOneRecordAtATime()
    {
        var time = new FakeTimeProvider();
        var limiter = new IngestRateLimiter(0.5, time);
        Assert.Equal(1, limiter.Available);
        limiter.Take(1);
        Assert.Equal(0, limiter.Available);
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.UntilAvailable);
    }
}

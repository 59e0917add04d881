using EventRouter.Kafka;

namespace EventRouter.Kafka.Tests;

public class RetryBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(1000, 30)]
    public void Delay_MiddleJitter_DoublesUpToTheCap(int failures, int expectedSeconds)
        => Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RetryBackoff.Delay(failures, Initial, Max, 0.5));

    [Fact]
    public void Delay_ExtremeJitter_StaysWithinTwentyPercentAndUnderTheCap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(800), RetryBackoff.Delay(1, Initial, Max, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(1200), RetryBackoff.Delay(1, Initial, Max, 1));
        Assert.Equal(Max, RetryBackoff.Delay(10, Initial, Max, 1));
        Assert.Equal(TimeSpan.FromSeconds(24), RetryBackoff.Delay(10, Initial, Max, 0));
    }

    [Fact]
    public void Delay_ZeroFailures_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.Delay(0, Initial, Max, 0.5));
}

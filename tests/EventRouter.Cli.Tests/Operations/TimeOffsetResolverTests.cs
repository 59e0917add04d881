using EventRouter.Cli.Operations;
using Moq;

namespace EventRouter.Cli.Tests.Operations;

/// <summary>
/// Finding a replay's start offset by time, at the seam between the resolver and the partition it
/// reads. librdkafka's mock cluster cannot answer offsets-for-times (it answers "none" for every
/// time), so the path where a real broker's answer is used is verified here, with a partition whose
/// broker answers like Kafka does; the integration tests cover the binary search against the mock.
/// </summary>
public sealed class TimeOffsetResolverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    // Offsets 100..109 at T0 + 0, 1, 2, 2, 2, 5, 6, 7, 8, 9 minutes (three messages share a minute).
    private static readonly int[] Minutes = [0, 1, 2, 2, 2, 5, 6, 7, 8, 9];
    private const long Low = 100, High = 110;

    /// <summary>What Kafka answers: the first offset with a timestamp at or after the time, none past the last.</summary>
    private static long? KafkaAnswer(DateTimeOffset time)
    {
        for (var i = 0; i < Minutes.Length; i++)
            if (T0.AddMinutes(Minutes[i]) >= time) return Low + i;
        return null;
    }

    private static Mock<IPartitionTimeIndex> Partition(Func<DateTimeOffset, long?> brokerAnswer)
    {
        var index = new Mock<IPartitionTimeIndex>(MockBehavior.Strict);
        index.Setup(i => i.OffsetForTime(It.IsAny<DateTimeOffset>())).Returns(brokerAnswer);
        index.Setup(i => i.TimestampAt(It.IsInRange(Low, High - 1, Moq.Range.Inclusive))).Returns((long o) => T0.AddMinutes(Minutes[o - Low]));
        return index;
    }

    [Theory]
    [InlineData(-5, 100)]    // before everything
    [InlineData(0, 100)]     // exactly the first message
    [InlineData(1.5, 102)]   // between two messages: the first after
    [InlineData(2, 102)]     // several messages at that time: the first of them
    [InlineData(3, 105)]     // in a gap
    [InlineData(9, 109)]     // exactly the last message
    [InlineData(30, 110)]    // after everything: the end, nothing re-read
    public void ACorrectBrokerAnswer_IsVerifiedWithAtMostTwoReads_AndUsed(double minutes, long expected)
    {
        var time = T0.AddMinutes(minutes);
        var index = Partition(KafkaAnswer);

        var (offset, how) = TimeOffsetResolver.Find(index.Object, Low, High, time);

        Assert.Equal(expected, offset);
        Assert.Equal("offsets-for-times (verified)", how);
        index.Verify(i => i.TimestampAt(It.IsAny<long>()), Times.AtMost(2));
    }

    [Theory]
    [InlineData(-5, 100)]
    [InlineData(1.5, 102)]
    [InlineData(2, 102)]
    [InlineData(3, 105)]
    [InlineData(9, 109)]
    public void TheMockClustersAnswer_None_IsRejected_AndBinarySearchFindsTheOffset(double minutes, long expected)
    {
        var index = Partition(_ => null);   // librdkafka's mock: "FIXME: by timestamp", offset -1

        var (offset, how) = TimeOffsetResolver.Find(index.Object, Low, High, T0.AddMinutes(minutes));

        Assert.Equal(expected, offset);
        Assert.Equal("binary search (broker answered 110)", how);
        index.Verify(i => i.TimestampAt(It.IsAny<long>()), Times.AtMost(1 + 5));   // the check, then ⌈log2(11)⌉ reads
    }

    [Theory]
    [InlineData(107L)]   // too late: would skip 102..106
    [InlineData(101L)]   // too early: would re-read 101, which is before the time
    [InlineData(50L)]    // below the oldest kept offset
    public void AnImplausibleBrokerAnswer_IsNotUsed(long wrong)
    {
        var index = Partition(_ => wrong);

        var (offset, how) = TimeOffsetResolver.Find(index.Object, Low, High, T0.AddMinutes(1.5));

        Assert.Equal(102, offset);
        Assert.StartsWith($"binary search (broker answered {wrong})", how);
    }

    [Fact]
    public void AnEmptyPartition_ReadsNothing()
    {
        var index = new Mock<IPartitionTimeIndex>(MockBehavior.Strict);

        Assert.Equal((7L, "empty partition"), TimeOffsetResolver.Find(index.Object, 7, 7, T0));
    }
}

using EventRouter.Kafka;

namespace EventRouter.Kafka.Tests;

public sealed class SkippedRecordsTrackerTests
{
    [Fact]
    public void ResetForward_NextRecordGivesTheSkippedRangeOnce()
    {
        var tracker = new SkippedRecordsTracker();
        // The group had committed 1,000; retention had deleted up to 3,504; the consumer went on at 3,505.
        tracker.OnOffsetReset(2, 1_000);
        Assert.True(tracker.Pending);
        Assert.Null(tracker.OnRecord(1, 50)); // another partition says nothing about partition 2
        Assert.Equal((1_000L, 3_504L), tracker.OnRecord(2, 3_505));
        Assert.False(tracker.Pending);
        Assert.Null(tracker.OnRecord(2, 3_506));
    }

    [Fact]
    public void ResetBackward_ReReadsAndSkipsNothing()
    {
        var tracker = new SkippedRecordsTracker();
        tracker.OnOffsetReset(0, 9_000); // committed past the end; reset to the earliest
        Assert.Null(tracker.OnRecord(0, 0));
        Assert.False(tracker.Pending);
    }

    [Fact]
    public void ResetAtTheNextRecord_SkipsNothing()
    {
        var tracker = new SkippedRecordsTracker();
        tracker.OnOffsetReset(0, 42);
        Assert.Null(tracker.OnRecord(0, 42));
    }

    [Fact]
    public void RevokedPartition_Forgotten_ItsNextOwnerIsNotBlamed()
    {
        var tracker = new SkippedRecordsTracker();
        tracker.OnOffsetReset(3, 10);
        tracker.Forget(3);
        Assert.Null(tracker.OnRecord(3, 500));
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(3, -1001)]
    public void ResetWithoutAPosition_Ignored(int partition, long offset)
    {
        var tracker = new SkippedRecordsTracker();
        tracker.OnOffsetReset(partition, offset);
        Assert.False(tracker.Pending);
    }
}

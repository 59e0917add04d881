using EventRouter.Cli.Sandbox;

namespace EventRouter.Cli.Tests.Sandbox;

public sealed class RecordLedgerTests
{
    private static RecordOutcome Outcome(long offset, OutcomeKind kind, string topic = "Notifications", int partition = 0, string queue = "events-user", PoisonReason? reason = null)
        => new(topic, partition, offset, kind, queue, reason, false);

    [Fact]
    public void Record_EachKindOnce_CountsEveryRowAndTheSum()
    {
        var ledger = new RecordLedger();
        ledger.Record([
            Outcome(0, OutcomeKind.Routed),
            Outcome(1, OutcomeKind.Unrouted, queue: "events-unrouted"),
            Outcome(2, OutcomeKind.Poisoned, queue: "events-poison", reason: PoisonReason.InvalidJson),
            Outcome(3, OutcomeKind.Duplicate),
            Outcome(4, OutcomeKind.Conflated, topic: "Prices", queue: "prices"),
        ]);

        var snapshot = ledger.Snapshot();
        Assert.Equal((1, 1, 1, 1, 1, 0), (snapshot.Routed, snapshot.Unrouted, snapshot.Poisoned, snapshot.Duplicates, snapshot.Conflated, snapshot.ReRead));
        Assert.Equal(5, snapshot.Distinct);
        Assert.Equal(2, snapshot.QueueMessagesWritten);
        Assert.Equal(1, snapshot.RoutedPerQueue["events-user"]);
        Assert.Equal(1, snapshot.RoutedPerQueue["events-unrouted"]);
        Assert.Equal(1, snapshot.PoisonedPerReason["invalid-json"]);
    }

    [Fact]
    public void Record_PartitionReadAgainAfterRebalance_CountsTheRecordsOnceAndTheRereadsApart()
    {
        var ledger = new RecordLedger();
        ledger.Record([.. Enumerable.Range(0, 100).Select(o => Outcome(o, OutcomeKind.Routed))]);
        // The new owner starts at the last commit (offset 60) and reads on to 150.
        ledger.Record([.. Enumerable.Range(60, 90).Select(o => Outcome(o, OutcomeKind.Routed))]);

        var snapshot = ledger.Snapshot();
        Assert.Equal(150, snapshot.Distinct);
        Assert.Equal(150, snapshot.Routed);
        Assert.Equal(40, snapshot.ReRead);
        Assert.Equal(190, snapshot.QueueMessagesWritten); // re-read records are written again
        Assert.Equal(150, snapshot.RoutedPerQueue["events-user"]);
    }

    [Fact]
    public void Record_SameOffsetOnAnotherPartitionOrTopic_IsAnotherRecord()
    {
        var ledger = new RecordLedger();
        ledger.Record([Outcome(7, OutcomeKind.Routed), Outcome(7, OutcomeKind.Routed, partition: 1), Outcome(7, OutcomeKind.Routed, topic: "Prices", queue: "prices")]);

        Assert.Equal(3, ledger.Snapshot().Distinct);
        Assert.Equal(0, ledger.Snapshot().ReRead);
    }

    [Fact]
    public void Record_RereadWithAnotherOutcome_KeepsTheFirstOutcome()
    {
        var ledger = new RecordLedger();
        ledger.Record([Outcome(0, OutcomeKind.Routed), Outcome(1, OutcomeKind.Duplicate)]);
        ledger.Record([Outcome(1, OutcomeKind.Routed)]); // alone in its batch this time: not a duplicate

        var snapshot = ledger.Snapshot();
        Assert.Equal((1, 1, 1), (snapshot.Routed, snapshot.Duplicates, snapshot.ReRead));
    }

    [Fact]
    public void Missing_GapInTheOffsets_CountsTheOffsetsNoDeliveryReported()
    {
        var ledger = new RecordLedger();
        ledger.Record([.. Enumerable.Range(0, 10).Select(o => Outcome(o, OutcomeKind.Routed))]);
        ledger.Record([.. Enumerable.Range(25, 5).Select(o => Outcome(o, OutcomeKind.Routed))]);

        Assert.Equal(15, ledger.Missing("Notifications", 0, 0, 30));
        Assert.Equal(5, ledger.Missing("Notifications", 0, 20, 30));
        Assert.Equal(0, ledger.Missing("Notifications", 0, 0, 10));
        Assert.Equal(4, ledger.Missing("Notifications", 3, 0, 4));
    }
}

public sealed class OffsetRangesTests
{
    [Fact]
    public void Add_InOrder_KeepsOneRange()
    {
        var ranges = new OffsetRanges();
        for (var i = 0; i < 1000; i++) Assert.True(ranges.Add(i));
        Assert.Equal(1, ranges.RangeCount);
        Assert.Equal(1000, ranges.CountWithin(0, long.MaxValue));
    }

    [Fact]
    public void Add_OutOfOrderAndRepeated_MatchesASetOfOffsets()
    {
        var random = new Random(3);
        var ranges = new OffsetRanges();
        var expected = new HashSet<long>();
        for (var i = 0; i < 5000; i++)
        {
            var offset = random.Next(0, 800);
            Assert.Equal(expected.Add(offset), ranges.Add(offset));
        }
        Assert.Equal(expected.Count, ranges.CountWithin(0, 800));
        Assert.Equal(expected.Count(o => o is >= 100 and < 300), ranges.CountWithin(100, 300));
    }

    [Fact]
    public void Add_FillingTheGapBetweenTwoRanges_MergesThem()
    {
        var ranges = new OffsetRanges();
        ranges.Add(0);
        ranges.Add(2);
        Assert.Equal(2, ranges.RangeCount);
        Assert.True(ranges.Add(1));
        Assert.Equal(1, ranges.RangeCount);
        Assert.False(ranges.Add(1));
    }
}

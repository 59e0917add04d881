using EventRouter.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static EventRouter.Kafka.Tests.Consuming.ConsumerTestKit;

namespace EventRouter.Kafka.Tests.Consuming;

/// <summary>
/// Options throughout: batches of 10 records or 1000 bytes, 2 partitions routed at once, 20 ms linger;
/// so the buffer's bound is 2 x 10 x 2 = 40 records (or 2000 bytes), its hard bound twice that.
/// </summary>
public sealed class LaneSchedulerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly KafkaMetricsProbe _metrics = new();
    private readonly PartitionOffsets _offsets;
    private readonly Dictionary<int, long> _nextOffset = [];

    public LaneSchedulerTests()
    {
        _offsets = new PartitionOffsets(Topic, "group", _metrics.Metrics, NullLogger.Instance, _time);
        _offsets.Assign([0, 1, 2, 3]);
    }

    public void Dispose() => _metrics.Dispose();

    private LaneScheduler Scheduler(Action<KafkaOptions>? configure = null) => new(Options(configure), _time, _offsets);

    private PartitionLane Lane(int partition) => _offsets.TryGetLane(partition, out var lane) ? lane : throw new InvalidOperationException();

    /// <summary>Buffers <paramref name="count"/> records of 10 bytes in <paramref name="partition"/>'s lane, arriving now.</summary>
    private bool Fill(LaneScheduler scheduler, int partition, int count, int size = 10)
    {
        var filled = false;
        for (var i = 0; i < count; i++)
        {
            var offset = _nextOffset.GetValueOrDefault(partition);
            _nextOffset[partition] = offset + 1;
            filled = scheduler.Add(Lane(partition), Record(partition, offset), size, _time.GetTimestamp());
        }

        return filled;
    }

    /// <summary>One dispatch round, each batch started as the service does; returns the batches in the order handed out.</summary>
    private List<InFlightBatch> Dispatch(LaneScheduler scheduler, bool stopping = false)
    {
        List<InFlightBatch> started = [];
        scheduler.BeginDispatch(stopping);
        while (scheduler.TakeNext() is { } next)
        {
            next.Batch.Task = new TaskCompletionSource<bool>().Task; // still routing
            _offsets.Start(next.Lane, next.Batch);
            started.Add(next.Batch);
        }

        return started;
    }

    [Fact]
    public void Add_TenthRecordOfALane_ReportsTheLaneFullAndCountsTheBuffer()
    {
        var scheduler = Scheduler();

        Assert.False(Fill(scheduler, 0, 9));
        Assert.True(Fill(scheduler, 0, 1));
        Assert.Equal(10, scheduler.BufferedRecords);
        Assert.Equal(100, scheduler.BufferedBytes);
    }

    [Fact]
    public void Saturated_OnlyOnceEveryUnpausedLaneHoldsAFullBatch()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 10);
        Fill(scheduler, 1, 10);
        Fill(scheduler, 2, 10);
        Assert.False(scheduler.Saturated); // lane 3 could take records

        Lane(3).Paused = true; // a paused lane takes nothing anyway
        Assert.True(scheduler.Saturated);
        Assert.False(scheduler.Pressed); // 30 of 40
    }

    [Fact]
    public void Saturated_BufferAtItsBound_WhateverTheLanes()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 39);
        Assert.False(scheduler.Saturated);

        Fill(scheduler, 0, 1);
        Assert.True(scheduler.Pressed);
        Assert.True(scheduler.Saturated);
        Assert.False(scheduler.BufferOverfull);
    }

    [Fact]
    public void Saturated_BytesAtTheirBound_WithFewRecords()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 1, size: 1999);
        Assert.False(scheduler.Pressed);

        Fill(scheduler, 1, 1, size: 1);
        Assert.True(scheduler.Pressed);
    }

    [Fact]
    public void TakeNext_FullLanes_GoAtOnceOldestFirstAndNoMoreThanMaxParallelPartitions()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 2, 10);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Fill(scheduler, 0, 10);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Fill(scheduler, 1, 10);

        var started = Dispatch(scheduler);

        Assert.Equal([2, 0], started.Select(b => b.Partition)); // oldest first; two at once
        Assert.All(started, b => Assert.Equal(10, b.Records.Count));
        Assert.Equal(10, scheduler.BufferedRecords); // partition 1's batch waits for a free slot
        Assert.Equal(Enumerable.Range(0, 10).Select(o => (long)o), started[1].Records.Select(r => r.Offset));
    }

    [Fact]
    public void TakeNext_LaneWithABatchInFlight_WaitsForIt()
    {
        // Its records reach the router in offset order, one batch after the other.
        var scheduler = Scheduler();
        Fill(scheduler, 0, 20);
        Assert.Single(Dispatch(scheduler));

        Assert.Empty(Dispatch(scheduler));
        Assert.Equal(10, scheduler.BufferedRecords);
    }

    [Fact]
    public void TakeNext_PartLane_GoesOnlyOnceItLingered()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 3);
        Assert.Empty(Dispatch(scheduler));
        Assert.Equal(TimeSpan.FromMilliseconds(20), scheduler.PollTimeout()); // the poll waits out the linger

        _time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Empty(Dispatch(scheduler));
        Assert.Equal(TimeSpan.FromMilliseconds(1), scheduler.PollTimeout());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, Assert.Single(Dispatch(scheduler)).Records.Count);
    }

    [Fact]
    public void TakeNext_BehindABacklog_PartLaneLingersTenTimesLonger()
    {
        // While librdkafka has more prefetched, taking it first makes full batches.
        var scheduler = Scheduler();
        scheduler.CaughtUp = false;
        Fill(scheduler, 0, 3);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Empty(Dispatch(scheduler));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single(Dispatch(scheduler));
    }

    [Fact]
    public void TakeNext_BufferPressed_EveryLaneGoesFullOrNot()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 35, size: 1);
        Fill(scheduler, 1, 5, size: 1); // neither full nor lingered
        Assert.True(scheduler.Pressed);

        var started = Dispatch(scheduler);

        Assert.Equal([(0, 10), (1, 5)], started.Select(b => (b.Partition, b.Records.Count)));
    }

    [Fact]
    public void TakeNext_PartitionWithAnAbandonedBatchUnwinding_GetsNoNewBatch()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 20);
        var first = Assert.Single(Dispatch(scheduler));
        _offsets.Abandon(first, "lost");

        Assert.Empty(Dispatch(scheduler));
        Assert.Equal(LaneScheduler.AbandonedReason, PauseReasonOf(scheduler, 0));
    }

    [Fact]
    public void BeginDispatch_Stopping_HandsOutNothing()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 10);

        Assert.Empty(Dispatch(scheduler, stopping: true));
        Assert.Equal(LaneScheduler.StoppingReason, scheduler.PauseReason(Lane(1), stopping: true));
    }

    [Fact]
    public void PollTimeout_IdleBusyOrWaitingForAnInFlightLane()
    {
        var scheduler = Scheduler();
        Assert.Equal(LaneScheduler.IdlePollTimeout, scheduler.PollTimeout());

        Fill(scheduler, 0, 15);
        Dispatch(scheduler);
        Assert.Equal(LaneScheduler.BusyPollTimeout, scheduler.PollTimeout());
    }

    [Fact]
    public void PauseReason_FailingBatch_PausesItsPartitionOnly()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 10);
        Fill(scheduler, 1, 10);
        var batches = Dispatch(scheduler);
        batches.Single(b => b.Partition == 0).RecordFailure();

        Assert.Equal(LaneScheduler.StorageFailingReason, PauseReasonOf(scheduler, 0));
        Assert.Null(PauseReasonOf(scheduler, 1));
    }

    [Fact]
    public void PauseReason_PastTheHardBound_PausesFullLanesThatCannotGoAndNoOthers()
    {
        var scheduler = Scheduler(o => o.MaxBatchSize = 100); // bound 400 records, hard bound 800
        Fill(scheduler, 0, 300, size: 1);
        Fill(scheduler, 1, 300, size: 1);
        Fill(scheduler, 2, 150, size: 1);
        Assert.Equal(2, Dispatch(scheduler).Count); // lanes 0 and 1 in flight: both slots taken
        Fill(scheduler, 0, 100, size: 1);
        Fill(scheduler, 1, 100, size: 1);
        Assert.Equal(750, scheduler.BufferedRecords);
        Assert.False(scheduler.BufferOverfull);
        Assert.Null(PauseReasonOf(scheduler, 0)); // saturated polls keep the group alive, no pause yet

        Fill(scheduler, 3, 50, size: 1);
        Assert.True(scheduler.BufferOverfull);
        Assert.Equal(LaneScheduler.BackPressureReason, PauseReasonOf(scheduler, 0)); // full, its batch in flight
        Assert.Equal(LaneScheduler.BackPressureReason, PauseReasonOf(scheduler, 2)); // full, no slot free
        Assert.Null(PauseReasonOf(scheduler, 3)); // not full: it may still fetch
        Assert.True(LaneScheduler.IsRoutine(LaneScheduler.BackPressureReason));
        Assert.False(LaneScheduler.IsRoutine(LaneScheduler.StorageFailingReason));
    }

    [Fact]
    public void ShouldHoldBack_SaturatedWhileBusy_PollsEveryBackPressureSliceCountedFromTheLastPoll()
    {
        var scheduler = Scheduler();
        var lastPoll = _time.GetTimestamp();
        Assert.Null(scheduler.ShouldHoldBack(allPaused: false, busy: true, lastPoll)); // lanes can take records

        foreach (var partition in new[] { 0, 1, 2, 3 }) Fill(scheduler, partition, 10);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var hold = scheduler.ShouldHoldBack(allPaused: false, busy: true, lastPoll);
        Assert.Equal(new LaneScheduler.HoldBack(LaneScheduler.BackPressureWaitSlice, TimeSpan.FromMilliseconds(150)), hold);
        Assert.Null(scheduler.ShouldHoldBack(allPaused: false, busy: false, lastPoll)); // nothing to wait for: take records
    }

    [Fact]
    public void ShouldHoldBack_EveryPartitionPaused_PollsEveryPausedSlice()
    {
        var scheduler = Scheduler();
        var hold = scheduler.ShouldHoldBack(allPaused: true, busy: true, _time.GetTimestamp());

        Assert.Equal(LaneScheduler.PausedWaitSlice, hold?.PollEvery);
        Assert.Equal(LaneScheduler.PausedWaitSlice, hold?.Wait);
    }

    [Fact]
    public void TakeNext_RateLimit_HandsOutATenthOfASecondsTokensThenWaitsForTheNextBucket()
    {
        // 100 per second: a bucket of 10, a token every 10 ms.
        var scheduler = Scheduler(o =>
        {
            o.MaxEventsPerSecond = 100;
            o.MaxBatchSize = 50;
            o.MaxParallelPartitions = 4;
        });
        Fill(scheduler, 0, 50);
        Fill(scheduler, 1, 50);

        var first = Assert.Single(Dispatch(scheduler));
        Assert.Equal(10, first.Records.Count);
        Assert.True(scheduler.RateLimited);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Empty(Dispatch(scheduler)); // 5 tokens: less than a bucket's worth
        Assert.True(scheduler.RateLimited);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        var second = Assert.Single(Dispatch(scheduler));
        Assert.Equal(1, second.Partition); // partition 0 still has its batch in flight
        Assert.Equal(10, second.Records.Count);
        Assert.Equal(80, scheduler.BufferedRecords); // nothing dropped: the rest waits in the lanes
    }

    [Fact]
    public void Saturated_RateLimited_StopsTakingRecordsOnceASecondsWorthWaits()
    {
        var scheduler = Scheduler(o =>
        {
            o.MaxEventsPerSecond = 30;
            o.MaxBatchSize = 100;
        });
        Fill(scheduler, 0, 29);
        Assert.False(scheduler.Saturated);

        Fill(scheduler, 0, 1);
        Assert.True(scheduler.Saturated);
        Assert.False(scheduler.Pressed);
    }

    [Fact]
    public void ShouldHoldBack_RateLimitedAndIdle_WakesForTheNextToken()
    {
        var scheduler = Scheduler(o =>
        {
            o.MaxEventsPerSecond = 100;
            o.MaxBatchSize = 100;
        });
        Fill(scheduler, 0, 110);
        var batch = Assert.Single(Dispatch(scheduler));
        batch.Task = Task.FromResult(true);
        _offsets.Settle(batch); // done at once; the next 10 tokens take 100 ms
        Assert.True(scheduler.Saturated); // a second's worth (100) waits
        Assert.Empty(Dispatch(scheduler));

        var hold = scheduler.ShouldHoldBack(allPaused: false, busy: false, _time.GetTimestamp());

        Assert.Equal(TimeSpan.FromMilliseconds(10), hold?.Wait); // the next token, not the whole slice
        Assert.Equal(TimeSpan.FromMilliseconds(10), scheduler.PollTimeout());
    }

    [Fact]
    public void DropBuffered_RevokedPartitions_ForgetsTheirRecordsOnly()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 5);
        Fill(scheduler, 1, 7);

        scheduler.DropBuffered(new HashSet<int> { 1 });
        Assert.Equal(5, scheduler.BufferedRecords);
        Assert.Equal(50, scheduler.BufferedBytes);
        Assert.Equal(0, Lane(1).BufferedCount);

        scheduler.DropBuffered(null);
        Assert.Equal(0, scheduler.BufferedRecords);
        Assert.Equal(0, scheduler.BufferedBytes);
    }

    [Fact]
    public void PlanPauses_FailingPartitionPausedHealedOneResumed_AndAllPausedOnlyWhenEveryLaneHasAReason()
    {
        var scheduler = Scheduler();
        Fill(scheduler, 0, 10);
        Fill(scheduler, 1, 10);
        var batches = Dispatch(scheduler);
        batches.Single(b => b.Partition == 0).RecordFailure();
        Lane(3).Paused = true; // paused earlier, no reason any more

        var allPaused = scheduler.PlanPauses(stopping: false, out var toPause, out var toResume);

        Assert.False(allPaused);
        Assert.Equal([(0, LaneScheduler.StorageFailingReason)], toPause!.Select(p => (p.Lane.Partition, p.Reason)));
        Assert.Equal([3], toResume!.Select(l => l.Partition));

        Assert.True(scheduler.PlanPauses(stopping: true, out toPause, out toResume));
        Assert.Equal([0, 1, 2], toPause!.Select(p => p.Lane.Partition)); // 3 is paused already
        Assert.Null(toResume);
    }

    [Fact]
    public void PlanPauses_NothingToChange_AllocatesNoLists()
    {
        var scheduler = Scheduler();
        Assert.False(scheduler.PlanPauses(stopping: false, out var toPause, out var toResume));
        Assert.Null(toPause);
        Assert.Null(toResume);
    }

    private string? PauseReasonOf(LaneScheduler scheduler, int partition) => scheduler.PauseReason(Lane(partition), stopping: false);
}

using Confluent.Kafka;
using EventRouter.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static EventRouter.Kafka.Tests.Consuming.ConsumerTestKit;

namespace EventRouter.Kafka.Tests.Consuming;

public sealed class PartitionOffsetsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly KafkaMetricsProbe _metrics = new();
    private readonly FakePartitionClient _client = new();
    private readonly PartitionOffsets _offsets;

    public PartitionOffsetsTests()
    {
        _offsets = new PartitionOffsets(Topic, "group", _metrics.Metrics, NullLogger.Instance, _time);
        _offsets.Assign([0, 1, 2]);
    }

    public void Dispose() => _metrics.Dispose();

    private (InFlightBatch Batch, TaskCompletionSource<bool> Done) Start(int partition, long first, int count)
    {
        var batch = Batch(partition, first, count);
        var done = new TaskCompletionSource<bool>();
        batch.Task = done.Task;
        Assert.True(_offsets.TryGetLane(partition, out var lane));
        _offsets.Start(lane, batch);
        return (batch, done);
    }

    [Fact]
    public void Complete_BatchReachedStorage_StoresItsEndOffsetThroughTheClientAndCountsIt()
    {
        var (batch, done) = Start(partition: 1, first: 40, count: 5);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        done.SetResult(true);

        _offsets.Complete(Assert.Single(_offsets.TakeCompleted()), _client);

        Assert.Equal([(1, 45L)], _client.Stored);
        Assert.True(_offsets.TryGetLane(1, out var lane));
        Assert.Equal(45, lane.StoredOffset);
        Assert.Equal(1, _metrics.Sum(KafkaTelemetryNames.Batches));
        Assert.Equal(5, _metrics.Sum(KafkaTelemetryNames.Records));
    }

    [Fact]
    public void Complete_StoreRefused_KeepsNoStoredOffsetButTheBatchIsInStorage()
    {
        // The partition was taken away in between: its next owner reads those records again.
        var (batch, done) = Start(partition: 0, first: 0, count: 2);
        done.SetResult(true);
        _client.Refuse = true;

        _offsets.Complete(batch, _client);

        Assert.True(_offsets.TryGetLane(0, out var lane));
        Assert.Null(lane.StoredOffset);
        Assert.Null(lane.InFlight);
        Assert.Equal(1, _metrics.Sum(KafkaTelemetryNames.Batches));
    }

    [Fact]
    public void Complete_FailedOrAbandonedBatch_StoresNothingAndCountsNothing()
    {
        var (failed, failedDone) = Start(partition: 0, first: 0, count: 2);
        var (abandoned, abandonedDone) = Start(partition: 1, first: 0, count: 2);
        _offsets.Abandon(abandoned, "partitions lost");
        failedDone.SetResult(false);
        abandonedDone.SetResult(true);

        _offsets.Complete(failed, _client);
        _offsets.Complete(abandoned, _client);

        Assert.Empty(_client.Stored);
        Assert.Equal(0, _metrics.Sum(KafkaTelemetryNames.Batches));
    }

    [Fact]
    public void Settle_BatchReachedStorage_StoresTheOffsetAfterItsLastRecordAndFreesTheLane()
    {
        var (batch, done) = Start(partition: 1, first: 40, count: 5);
        Assert.Empty(_offsets.TakeCompleted()); // still routing

        done.SetResult(true);
        var completed = Assert.Single(_offsets.TakeCompleted());

        Assert.Same(batch, completed);
        Assert.Equal(45, _offsets.Settle(batch));
        Assert.True(_offsets.TryGetLane(1, out var lane));
        Assert.Null(lane.InFlight);
        Assert.Empty(_offsets.InFlight);
    }

    [Fact]
    public void Start_SecondBatchWhileTheFirstIsInFlight_IsRefused()
    {
        // One batch per lane is what makes a stored offset the end of a prefix that is wholly in storage:
        // a later batch finishing first could otherwise store past records still being written.
        Start(partition: 0, first: 0, count: 10);
        Assert.True(_offsets.TryGetLane(0, out var lane));

        Assert.Throws<InvalidOperationException>(() => _offsets.Start(lane, Batch(0, 10, 10)));
        Assert.Single(_offsets.InFlight);
    }

    [Fact]
    public void Settle_BatchThatDidNotReachStorage_StoresNothing()
    {
        var (batch, done) = Start(partition: 0, first: 0, count: 3);
        done.SetResult(false); // cancelled

        Assert.Null(_offsets.Settle(Assert.Single(_offsets.TakeCompleted())));
        Assert.True(_offsets.TryGetLane(0, out var lane));
        Assert.Null(lane.InFlight);
        Assert.Null(lane.StoredOffset);
    }

    [Fact]
    public void Abandon_BatchThatLaterSucceeds_IsNeverStoredAndHoldsItsPartitionUntilItUnwinds()
    {
        // Revoked during a retry, or lost: the batch is cancelled and forgotten for commit.
        var (batch, done) = Start(partition: 2, first: 7, count: 4);

        _offsets.Abandon(batch, "lost");

        Assert.True(batch.Cancellation.IsCancellationRequested);
        Assert.False(batch.Committable);
        Assert.Empty(_offsets.InFlight);
        Assert.True(_offsets.TryGetLane(2, out var lane));
        Assert.Null(lane.InFlight);
        Assert.True(_offsets.IsWaitingForAbandoned(2));
        Assert.True(_offsets.Busy);
        Assert.Throws<InvalidOperationException>(() => _offsets.Start(lane, Batch(2, 7, 4)));

        done.SetResult(true); // the router finished anyway
        Assert.Empty(_offsets.TakeCompleted()); // an abandoned batch is not settled: nothing to store

        Assert.False(_offsets.IsWaitingForAbandoned(2));
        Assert.False(_offsets.Busy);
        Assert.Null(lane.StoredOffset);
        _offsets.Start(lane, Batch(2, 7, 4)); // the partition takes batches again
    }

    [Fact]
    public void Settle_AbandonedBatch_StoresNothingEvenIfItReachedStorage()
    {
        var (batch, done) = Start(partition: 0, first: 0, count: 2);
        _offsets.Abandon(batch, "lost");
        done.SetResult(true);

        Assert.Null(_offsets.Settle(batch));
    }

    [Fact]
    public void Release_PartitionsLostWhileABatchRuns_ForgetsTheirLanesAndCommittedOffsetsAndStoresNothingForThem()
    {
        var (batch, done) = Start(partition: 1, first: 0, count: 5);
        Assert.True(_offsets.OnCommitted(Committed((1, 0, ErrorCode.NoError), (2, 9, ErrorCode.NoError))));

        _offsets.Release(new HashSet<int> { 1 });
        done.SetResult(true);

        Assert.False(_offsets.TryGetLane(1, out _));
        Assert.Equal([0, 2], _offsets.Partitions);
        Assert.Equal(new Dictionary<int, long> { [2] = 9 }, _offsets.Committed);
        Assert.Null(_offsets.Settle(batch));
    }

    [Fact]
    public void InFlightOf_RevokedPartitions_ReturnsOnlyTheirBatches()
    {
        var (zero, _) = Start(partition: 0, first: 0, count: 1);
        Start(partition: 1, first: 0, count: 1);
        var (two, _) = Start(partition: 2, first: 0, count: 1);

        Assert.Equal([zero, two], _offsets.InFlightOf(new HashSet<int> { 0, 2 }).OrderBy(b => b.Partition));
    }

    [Fact]
    public void PausedAmong_RevokedPartitions_ReturnsTheirPausedLanesOnly()
    {
        foreach (var lane in _offsets.Lanes) lane.Paused = lane.Partition != 1;

        Assert.Equal([0], _offsets.PausedAmong(new HashSet<int> { 0, 1 }).Select(l => l.Partition));
    }

    [Fact]
    public void OnCommitted_CommitFailed_CountsTheFailureByErrorCodeAndKeepsTheLastCommittedOffsets()
    {
        Assert.True(_offsets.OnCommitted(Committed((0, 5, ErrorCode.NoError))));

        var changed = _offsets.OnCommitted(new CommittedOffsets([], new Error(ErrorCode.RequestTimedOut)));

        Assert.False(changed);
        Assert.Equal(new Dictionary<int, long> { [0] = 5 }, _offsets.Committed);
        Assert.Equal([nameof(ErrorCode.RequestTimedOut)], _metrics.Tags(KafkaTelemetryNames.CommitFailures, KafkaTelemetryNames.ErrorTypeTag));
    }

    [Fact]
    public void OnCommitted_NothingNewToCommit_IsNoFailure()
    {
        Assert.False(_offsets.OnCommitted(new CommittedOffsets([], new Error(ErrorCode.Local_NoOffset))));
        Assert.Empty(_metrics.Tags(KafkaTelemetryNames.CommitFailures, KafkaTelemetryNames.ErrorTypeTag));
    }

    [Fact]
    public void OnCommitted_OnePartitionFails_CountsItAndRecordsTheOthersOfAssignedPartitionsOnly()
    {
        var changed = _offsets.OnCommitted(Committed(
            (0, 12, ErrorCode.NoError),
            (1, 3, ErrorCode.OffsetMetadataTooLarge),
            (2, Offset.Unset.Value, ErrorCode.NoError), // nothing stored for it: not an offset
            (5, 99, ErrorCode.NoError))); // no longer ours

        Assert.True(changed);
        Assert.Equal(new Dictionary<int, long> { [0] = 12 }, _offsets.Committed);
        Assert.Equal([nameof(ErrorCode.OffsetMetadataTooLarge)], _metrics.Tags(KafkaTelemetryNames.CommitFailures, KafkaTelemetryNames.ErrorTypeTag));
    }

    [Fact]
    public void CancelInFlight_AtTheEndOfTheShutdown_CancelsAndForgetsEveryBatch()
    {
        var (a, _) = Start(partition: 0, first: 0, count: 1);
        var (b, _) = Start(partition: 1, first: 0, count: 1);

        var cancelled = _offsets.CancelInFlight();

        Assert.Equal([a, b], cancelled.OrderBy(x => x.Partition));
        Assert.All(cancelled, batch => Assert.True(batch.Cancellation.IsCancellationRequested));
        Assert.Empty(_offsets.InFlight);
    }

    [Fact]
    public void MaxFailedAttempts_IsTheMostOfAnyBatchInFlight()
    {
        var (a, _) = Start(partition: 0, first: 0, count: 1);
        var (b, _) = Start(partition: 1, first: 0, count: 1);
        a.RecordFailure();
        b.RecordFailure();
        b.RecordFailure();

        Assert.Equal(2, _offsets.MaxFailedAttempts);
    }

    private static CommittedOffsets Committed(params (int Partition, long Offset, ErrorCode Error)[] offsets)
        => new([.. offsets.Select(o => new TopicPartitionOffsetError(new TopicPartition(Topic, o.Partition), o.Offset, new Error(o.Error)))], new Error(ErrorCode.NoError));
}

using EventRouter.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static EventRouter.Kafka.Tests.Consuming.ConsumerTestKit;

namespace EventRouter.Kafka.Tests.Consuming;

public sealed class PartitionPauserTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly KafkaMetricsProbe _metrics = new();
    private readonly FakePartitionClient _client = new();
    private readonly ListLogger _logger = new();
    private readonly PartitionOffsets _offsets;
    private readonly LaneScheduler _scheduler;
    private readonly PartitionPauser _pauser;

    public PartitionPauserTests()
    {
        _offsets = new PartitionOffsets(Topic, "group", _metrics.Metrics, NullLogger.Instance, _time);
        _offsets.Assign([0, 1, 2]);
        _scheduler = new LaneScheduler(Options(), _time, _offsets);
        _pauser = new PartitionPauser(Topic, _scheduler, _time, _logger);
    }

    public void Dispose() => _metrics.Dispose();

    private PartitionLane Lane(int partition) => _offsets.TryGetLane(partition, out var lane) ? lane : throw new InvalidOperationException();

    private InFlightBatch Failing(int partition)
    {
        _scheduler.Add(Lane(partition), Record(partition, 0), 10, _time.GetTimestamp());
        var batch = Batch(partition, 0, 1);
        _offsets.Start(Lane(partition), batch);
        batch.RecordFailure();
        return batch;
    }

    [Fact]
    public void Update_StorageFailsForOnePartition_PausesItAloneWithTheReasonAndResumesItOnceItSucceeds()
    {
        var batch = Failing(partition: 1);

        Assert.False(_pauser.Update(_client, stopping: false, out var changed));
        Assert.True(changed);
        Assert.Equal([[1]], _client.Pauses);
        Assert.True(Lane(1).Paused);
        Assert.Equal(_time.GetTimestamp(), Lane(1).PausedAt);
        var paused = Assert.Single(_logger.Entries);
        Assert.Equal(("PartitionsPaused", LogLevel.Information), (paused.EventName, paused.Level));
        Assert.EndsWith("partitions [1]: storage is failing", paused.Message, StringComparison.Ordinal);

        _pauser.Update(_client, stopping: false, out changed);
        Assert.False(changed); // paused already: no second call
        Assert.Single(_client.Pauses);

        batch.Task = Task.FromResult(true);
        _offsets.Settle(batch);
        _pauser.Update(_client, stopping: false, out changed);
        Assert.True(changed);
        Assert.Equal([[1]], _client.Resumes);
        Assert.False(Lane(1).Paused);
    }

    [Fact]
    public void Update_Stopping_PausesEveryPartitionInOneCall()
    {
        Assert.True(_pauser.Update(_client, stopping: true, out _));
        Assert.Equal([[0, 1, 2]], _client.Pauses);
        Assert.All(_offsets.Lanes, lane => Assert.True(lane.Paused));
    }

    [Fact]
    public void Update_PauseRefused_LeavesTheLaneUnpausedToTryAgain()
    {
        Failing(partition: 0);
        _client.Refuse = true;

        _pauser.Update(_client, stopping: false, out _);

        Assert.False(Lane(0).Paused);
        Assert.Equal("PauseResumeFailed", Assert.Single(_logger.Entries).EventName);
    }

    [Fact]
    public void Resume_Refused_StillCountsTheLanesResumed()
    {
        // Released partitions librdkafka no longer has are not paused either.
        Lane(2).Paused = true;
        _client.Refuse = true;

        _pauser.Resume(_client, [Lane(2)]);

        Assert.False(Lane(2).Paused);
        Assert.Equal("PauseResumeFailed", Assert.Single(_logger.Entries).EventName);
    }
}

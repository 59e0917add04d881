using Confluent.Kafka;
using EventRouter.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static EventRouter.Kafka.Tests.Consuming.ConsumerTestKit;

namespace EventRouter.Kafka.Tests.Consuming;

public sealed class LagReporterTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly KafkaMetricsProbe _metrics = new();
    private readonly PartitionOffsets _offsets;
    private readonly LaneScheduler _scheduler;
    private readonly LagReporter _reporter;
    private readonly FakePartitionClient _positions = new();

    public LagReporterTests()
    {
        _offsets = new PartitionOffsets(Topic, "group", _metrics.Metrics, NullLogger.Instance, _time);
        _offsets.Assign([0, 1]);
        _scheduler = new LaneScheduler(Options(), _time, _offsets);
        _reporter = new LagReporter(Topic, "group", _time, _offsets, _scheduler, NullLogger.Instance) { RefreshInterval = TimeSpan.FromSeconds(5) };
    }

    public void Dispose() => _metrics.Dispose();

    private PartitionLane Lane(int partition) => _offsets.TryGetLane(partition, out var lane) ? lane : throw new InvalidOperationException();

    private Dictionary<string, long> LagByPartition() => _reporter.Lag.ToDictionary(
        m => (string)m.Tags.ToArray().Single(t => t.Key == KafkaTelemetryNames.PartitionTag).Value!, m => m.Value);

    [Fact]
    public void NextOffsetToRoute_FromTheBatchInFlightThenTheBufferThenWhatWasStoredThenThePosition()
    {
        var lane = Lane(0);
        _positions.Fetched[0] = 100;
        Assert.Equal(100, LagReporter.NextOffsetToRoute(lane, _positions));

        _offsets.Stored(0, 40);
        Assert.Equal(40, LagReporter.NextOffsetToRoute(lane, _positions));

        _scheduler.Add(lane, Record(0, 45), 10, _time.GetTimestamp());
        Assert.Equal(45, LagReporter.NextOffsetToRoute(lane, _positions));

        _offsets.Start(lane, Batch(0, 41, 4));
        Assert.Equal(41, LagReporter.NextOffsetToRoute(lane, _positions));

        _positions.Fetched[1] = Offset.Unset.Value;
        Assert.Null(LagReporter.NextOffsetToRoute(Lane(1), _positions)); // nothing fetched yet
    }

    [Fact]
    public void RefreshIfDue_RecordsNotYetInStorage_AreTheLagAndRefreshOnlyEveryInterval()
    {
        _positions.High[0] = 250;
        _positions.High[1] = 80;
        _positions.Fetched[0] = 200; // fetched up to 200, but batch 150-199 is still in flight
        _positions.Fetched[1] = 80;
        _offsets.Start(Lane(0), Batch(0, 150, 50));

        _reporter.RefreshIfDue(_positions);
        Assert.Equal(new Dictionary<string, long> { ["0"] = 100, ["1"] = 0 }, LagByPartition());

        _positions.High[0] = 300;
        _time.Advance(TimeSpan.FromSeconds(4.9));
        _reporter.RefreshIfDue(_positions);
        Assert.Equal(100, LagByPartition()["0"]); // not due yet

        _time.Advance(TimeSpan.FromMilliseconds(100));
        _reporter.RefreshIfDue(_positions);
        Assert.Equal(150, LagByPartition()["0"]);
        Assert.Equal(0, _positions.Queries); // the cached watermarks were good enough
    }

    [Fact]
    public void RefreshIfDue_PartitionPausedForAnInterval_AsksTheBrokerForItsStaleWatermark()
    {
        // A paused partition is not fetched, so librdkafka's cached high watermark stops moving.
        _positions.High[0] = 10;
        _positions.QueriedHigh[0] = 500;
        _positions.Fetched[0] = 10;
        _positions.Fetched[1] = 0;
        _positions.High[1] = 0;
        var lane = Lane(0);
        lane.Paused = true;
        lane.PausedAt = _time.GetTimestamp();

        _reporter.RefreshIfDue(_positions);
        Assert.Equal(0, LagByPartition()["0"]); // a brief pause keeps the cached watermark
        Assert.Equal(0, _positions.Queries);

        _time.Advance(TimeSpan.FromSeconds(5));
        _reporter.RefreshIfDue(_positions);
        Assert.Equal(490, LagByPartition()["0"]);
        Assert.Equal(1, _positions.Queries);
    }

    [Fact]
    public void RefreshIfDue_WatermarkUnknownOrTheClientFails_LeavesThatPartitionOut()
    {
        _positions.High[0] = Offset.Unset.Value;
        _positions.QueriedHigh[0] = Offset.Unset.Value;
        _positions.Fetched[0] = 0;
        _positions.FailingPartition = 1;

        _reporter.RefreshIfDue(_positions);

        Assert.Empty(_reporter.Lag);
        Assert.Equal(1, _positions.Queries); // the unknown one was asked for once
    }

    [Fact]
    public void PublishCommitted_MeasuresEachAssignedPartitionsCommit()
    {
        _offsets.OnCommitted(new CommittedOffsets(
            [new TopicPartitionOffsetError(new TopicPartition(Topic, 1), 33, new Error(ErrorCode.NoError))], new Error(ErrorCode.NoError)));

        _reporter.PublishCommitted();

        var measurement = Assert.Single(_reporter.CommittedOffsets);
        Assert.Equal(33, measurement.Value);
        var tags = measurement.Tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("1", tags[KafkaTelemetryNames.PartitionTag]);
        Assert.Equal(Topic, tags[KafkaTelemetryNames.TopicTag]);
        Assert.Equal("group", tags[KafkaTelemetryNames.ConsumerGroupTag]);

        _reporter.Clear();
        Assert.Empty(_reporter.CommittedOffsets);
    }

    [Fact]
    public void PublishStatus_ShowsAssignmentPausesBatchesFailuresAndTheBuffer()
    {
        Assert.Same(KafkaSourceStatus.NotStarted, _reporter.Status);
        _scheduler.Add(Lane(1), Record(1, 0), 10, _time.GetTimestamp());
        var batch = Batch(0, 0, 5);
        _offsets.Start(Lane(0), batch);
        batch.RecordFailure();
        Lane(0).Paused = true;
        _reporter.HasAssignment = true;

        _reporter.PublishStatus(running: true);

        var status = _reporter.Status;
        Assert.True(status.Running);
        Assert.True(status.HasAssignment);
        Assert.Equal([0, 1], status.AssignedPartitions);
        Assert.Equal([0], status.PausedPartitions);
        Assert.Equal(1, status.BatchesInFlight);
        Assert.Equal(1, status.FailedAttempts);
        Assert.Equal(1, status.BufferedRecords);
        Assert.False(status.RateLimited);
    }
}

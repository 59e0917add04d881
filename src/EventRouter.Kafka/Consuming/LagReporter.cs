using System.Diagnostics.Metrics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Log = EventRouter.Kafka.KafkaSourceService.Log;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// The figures the consumer shows to other threads: the lag gauge (records of each assigned partition
/// not yet in storage), the committed-offset gauge and the <see cref="KafkaSourceStatus"/> snapshot.
/// Computed on the consume thread and published as immutable values, read from any thread.
/// </summary>
internal sealed class LagReporter(
    string topic,
    string? consumerGroup,
    TimeProvider time,
    PartitionOffsets offsets,
    LaneScheduler scheduler,
    ILogger logger)
{
    private static readonly TimeSpan WatermarkQueryTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan WatermarkQueryBudget = TimeSpan.FromSeconds(1);

    private long _nextRefreshAt;
    private volatile Measurement<long>[] _lag = [];
    private volatile Measurement<long>[] _committed = [];
    private volatile KafkaSourceStatus _status = KafkaSourceStatus.NotStarted;

    /// <summary>How often the lag gauge's values are recomputed.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The group answered with an assignment (possibly empty) since this member joined: for readiness.</summary>
    public bool HasAssignment { get; set; }

    /// <summary>The lag gauge's measurements, one per partition whose lag is known.</summary>
    public Measurement<long>[] Lag => _lag;

    /// <summary>The committed-offset gauge's measurements, one per assigned partition with a commit.</summary>
    public Measurement<long>[] CommittedOffsets => _committed;

    public KafkaSourceStatus Status => _status;

    /// <summary>
    /// Recomputes the lag once <see cref="RefreshInterval"/> has passed since the last time. Paused
    /// partitions are not fetched, so their cached watermark goes stale: after a pause of a refresh
    /// interval or more the broker is asked (blocking, within a budget); brief pauses (back-pressure,
    /// the rate limit) keep the cached one.
    /// </summary>
    public void RefreshIfDue(IPartitionClient positions)
    {
        var now = time.GetTimestamp();
        if (now < _nextRefreshAt)
        {
            return;
        }

        _nextRefreshAt = now + (long)(RefreshInterval.TotalSeconds * time.TimestampFrequency);
        var measurements = new List<Measurement<long>>(offsets.Lanes.Count);
        foreach (var lane in offsets.Lanes)
        {
            try
            {
                var watermarks = positions.Cached(lane.Partition);
                var stale = lane.Paused && time.GetElapsedTime(lane.PausedAt, now) >= RefreshInterval;
                if ((watermarks.High.IsSpecial || stale) && time.GetElapsedTime(now) < WatermarkQueryBudget)
                {
                    watermarks = positions.Query(lane.Partition, WatermarkQueryTimeout);
                }

                var next = NextOffsetToRoute(lane, positions);
                if (watermarks.High.IsSpecial || next is null)
                {
                    continue;
                }

                measurements.Add(KafkaMetrics.LagMeasurement(topic, lane.Partition, consumerGroup, Math.Max(0, watermarks.High.Value - next.Value)));
            }
            catch (KafkaException ex)
            {
                Log.LagUnavailable(logger, topic, lane.Partition, ex.Error.Reason);
            }
        }

        _lag = [.. measurements];
    }

    /// <summary>The first offset of the lane's partition that has not reached storage yet, when known.</summary>
    internal static long? NextOffsetToRoute(PartitionLane lane, IPartitionClient positions)
    {
        if (lane.InFlight is { } batch)
        {
            return batch.FirstOffset;
        }

        if (lane.FirstBufferedOffset is { } buffered)
        {
            return buffered;
        }

        if (lane.StoredOffset is { } stored)
        {
            return stored;
        }

        var position = positions.Position(lane.Partition);
        return position.IsSpecial ? null : position.Value;
    }

    /// <summary>Publishes the committed offsets <see cref="PartitionOffsets"/> holds.</summary>
    public void PublishCommitted()
        => _committed = [.. offsets.Committed.Select(c => new Measurement<long>(c.Value,
            new KeyValuePair<string, object?>(KafkaTelemetryNames.TopicTag, topic),
            new KeyValuePair<string, object?>(KafkaTelemetryNames.PartitionTag, c.Key.ToString(CultureInfo.InvariantCulture)),
            new KeyValuePair<string, object?>(KafkaTelemetryNames.ConsumerGroupTag, consumerGroup)))];

    /// <summary>Publishes a new status snapshot.</summary>
    public void PublishStatus(bool running)
        => _status = new KafkaSourceStatus(
            running,
            [.. offsets.Partitions],
            [.. offsets.Lanes.Where(l => l.Paused).Select(l => l.Partition)],
            offsets.InFlight.Count,
            offsets.MaxFailedAttempts,
            scheduler.BufferedRecords,
            scheduler.RateLimited)
        {
            HasAssignment = HasAssignment,
        };

    /// <summary>The consumer stopped: its gauges report nothing.</summary>
    public void Clear()
    {
        _lag = [];
        _committed = [];
    }
}

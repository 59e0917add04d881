using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Log = EventRouter.Kafka.KafkaSourceService.Log;

namespace EventRouter.Kafka.Consuming;

/// <summary>
/// Pauses and resumes the partitions as <see cref="LaneScheduler.PlanPauses"/> decides, one call per
/// reason, and keeps each lane's <see cref="PartitionLane.Paused"/> in step. A refused pause leaves the
/// lane unpaused (tried again next turn); a refused resume still counts the lane as resumed, since a
/// partition librdkafka no longer has is not paused either.
/// </summary>
internal sealed class PartitionPauser(string topic, LaneScheduler scheduler, TimeProvider time, ILogger logger)
{
    /// <summary>Pauses each partition that must not fetch now and resumes the others.</summary>
    /// <param name="changed">A lane was paused or resumed (the status snapshot is out of date).</param>
    /// <returns>True when every assigned partition is (now) paused.</returns>
    public bool Update(IPartitionClient client, bool stopping, out bool changed)
    {
        var allPaused = scheduler.PlanPauses(stopping, out var toPause, out var toResume);
        changed = toPause is not null || toResume is not null;
        if (toPause is not null)
        {
            foreach (var group in toPause.GroupBy(p => p.Reason))
            {
                var lanes = group.Select(p => p.Lane).ToList();
                try
                {
                    client.Pause(lanes.Select(l => l.Partition));
                    var now = time.GetTimestamp();
                    lanes.ForEach(l =>
                    {
                        l.Paused = true;
                        l.PausedAt = now;
                    });
                    var level = LaneScheduler.IsRoutine(group.Key) ? LogLevel.Debug : LogLevel.Information;
                    Log.PartitionsPaused(logger, level, topic, KafkaSourceService.Format(lanes.Select(l => l.Partition)), group.Key);
                }
                catch (KafkaException ex)
                {
                    Log.PauseResumeFailed(logger, topic, ex.Error.Reason);
                }
            }
        }

        if (toResume is not null)
        {
            Resume(client, toResume);
        }

        return allPaused;
    }

    /// <summary>Resumes <paramref name="lanes"/> (released partitions too, so a later re-assignment starts unpaused).</summary>
    public void Resume(IPartitionClient client, List<PartitionLane> lanes)
    {
        if (lanes.Count == 0)
        {
            return;
        }

        try
        {
            client.Resume(lanes.Select(l => l.Partition));
            Log.PartitionsResumed(logger, topic, KafkaSourceService.Format(lanes.Select(l => l.Partition)));
        }
        catch (KafkaException ex)
        {
            Log.PauseResumeFailed(logger, topic, ex.Error.Reason);
        }

        lanes.ForEach(l => l.Paused = false);
    }
}

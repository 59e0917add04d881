using System.Globalization;
using Confluent.Kafka;
using EventRouter.Kafka;

namespace EventRouter.Cli.Operations;

/// <summary>Where a replay starts: the beginning, an offset, or the first message at or after a time.</summary>
internal sealed record ReplayFrom(ReplayFromKind Kind, long Offset = 0, DateTimeOffset Time = default)
{
    public static bool TryParse(string text, out ReplayFrom? from)
    {
        from = null;
        if (string.Equals(text, "beginning", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "earliest", StringComparison.OrdinalIgnoreCase))
            from = new ReplayFrom(ReplayFromKind.Beginning);
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            from = new ReplayFrom(ReplayFromKind.Offset, offset);
        else if (text.Contains('T', StringComparison.OrdinalIgnoreCase) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                 && (text.EndsWith('Z') || text.EndsWith('z') || text.Length > 6 && text[^6] is '+' or '-'))
            from = new ReplayFrom(ReplayFromKind.Time, Time: time);
        return from is not null;
    }

    public override string ToString() => Kind switch
    {
        ReplayFromKind.Beginning => "beginning",
        ReplayFromKind.Offset => $"offset {Offset}",
        _ => Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
    };
}

internal enum ReplayFromKind { Beginning, Offset, Time }

/// <summary>One partition of a replay: the committed offset before, the target, and how the target was found.</summary>
internal sealed record ReplayPartition(string Topic, int Partition, long Low, long High, long? Before, long Target, string How)
{
    public long? After { get; set; }
    /// <summary>Messages the group will read again (negative: skipped forward).</summary>
    public long Redelivered => (Before ?? Low) - Target;
}

internal sealed record ReplayPlan(string ConsumerGroup, string Topic, ReplayFrom From, IReadOnlyList<ReplayPartition> Partitions);

/// <summary>
/// <c>eventrouter replay</c>: moves the configured consumer group's committed offsets of one topic,
/// through Kafka's admin APIs (<see cref="KafkaGroupAdmin"/>). The group must have no active members,
/// or the running worker would overwrite the commit with its own positions: the group is described
/// first (DescribeConsumerGroups), and a broker refuses a member-less commit to a group that has
/// members anyway, which covers brokers that cannot describe groups (librdkafka's mock cluster).
/// For a time, the broker's offsets-for-times answer is checked (the message at it and the one
/// before must straddle the time) and, when wrong (librdkafka's mock answers -1 for every time),
/// replaced by a binary search over message timestamps, which assumes they grow with the offset.
/// </summary>
internal sealed class ReplayService(KafkaClientConfigFactory configs, string consumerGroup)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public async Task<ReplayPlan> PlanAsync(string topic, ReplayFrom from, int? onlyPartition)
    {
        using var admin = new KafkaGroupAdmin(configs, Timeout, "eventrouter-replay");
        var partitions = (admin.Partitions(topic) ?? throw new ReplayException($"topic '{topic}' does not exist (or this user may not describe it)"))
            .Where(tp => onlyPartition is null || tp.Partition.Value == onlyPartition).ToList();
        if (partitions.Count == 0) throw new ReplayException($"topic '{topic}' has no partition {onlyPartition}");

        var committed = await admin.CommittedAsync(consumerGroup, partitions);
        var watermarks = await admin.WatermarksAsync(partitions);
        using var reader = from.Kind == ReplayFromKind.Time ? CreateReader(topic) : null;
        var result = new List<ReplayPartition>();
        foreach (var tp in partitions)
        {
            var (low, high) = watermarks[tp];
            var (target, how) = from.Kind switch
            {
                ReplayFromKind.Beginning => (low, "beginning"),
                ReplayFromKind.Offset => (Math.Clamp(from.Offset, low, high), from.Offset < low ? "offset (clamped to the oldest kept)" : from.Offset > high ? "offset (clamped to the end)" : "offset"),
                _ => TimeOffsetResolver.Find(new ConsumerTimeIndex(reader!, tp, Timeout), low, high, from.Time),
            };
            result.Add(new ReplayPartition(topic, tp.Partition.Value, low, high, committed.GetValueOrDefault(tp), target, how));
        }
        return new ReplayPlan(consumerGroup, topic, from, result);
    }

    /// <summary>
    /// Null when the group has no active members (or the broker cannot describe groups: then the
    /// commit in <see cref="ApplyAsync"/> is the check); otherwise why the replay must not run.
    /// </summary>
    public async Task<string?> ActiveMembersAsync()
    {
        using var admin = new KafkaGroupAdmin(configs, Timeout, "eventrouter-replay");
        var group = await admin.DescribeAsync(consumerGroup);
        _describedGroup = group.Describable;
        MembershipCheck = group.Describable
            ? $"described the group (state {group.State})"
            : "the broker cannot describe groups; the offset commit itself is refused while the group has members";
        if (group.Error is { } error) return $"cannot describe group '{consumerGroup}': {error}";
        return group.Members.Count == 0 ? null
            : $"group '{consumerGroup}' has {group.Members.Count} active member(s) ({string.Join(", ", group.Members.Take(5).Select(m => m.ClientId + "@" + m.Host))}); stop the workers first";
    }

    /// <summary>How <see cref="ActiveMembersAsync"/> could check (for the output).</summary>
    public string? MembershipCheck { get; private set; }

    private bool _describedGroup;

    /// <summary>Commits the plan's targets for the group (without joining it) and reads them back.</summary>
    public async Task ApplyAsync(ReplayPlan plan)
    {
        using var admin = new KafkaGroupAdmin(configs, Timeout, "eventrouter-replay");
        var offsets = plan.Partitions.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, p.Target)).ToList();
        try
        {
            await admin.AlterAsync(plan.ConsumerGroup, offsets);
        }
        catch (GroupHasMembersException ex)
        {
            var why = $"{ex.Message}; stop the workers first";
            if (!_describedGroup)
            {
                // Only a broker that cannot describe groups gets here with an empty group: librdkafka's
                // mock cluster keeps every group it has seen and refuses member-less commits to it forever.
                why += " (a broker that cannot describe groups, such as librdkafka's mock cluster, also refuses this for a group that had members " +
                       "and has none now: there, replay only a group the worker has not joined yet)";
            }
            throw new ReplayException(why);
        }
        var after = await admin.CommittedAsync(plan.ConsumerGroup, offsets.Select(o => o.TopicPartition).ToList());
        foreach (var p in plan.Partitions)
        {
            p.After = after.GetValueOrDefault(new TopicPartition(p.Topic, p.Partition));
        }
    }

    /// <summary>One partition read through an unjoined consumer: the broker's lookup and single-message reads.</summary>
    private sealed class ConsumerTimeIndex(IConsumer<byte[], byte[]> consumer, TopicPartition tp, TimeSpan timeout) : IPartitionTimeIndex
    {
        public long? OffsetForTime(DateTimeOffset time)
        {
            var answer = consumer.OffsetsForTimes([new TopicPartitionTimestamp(tp, new Timestamp(time))], timeout)[0].Offset;
            return answer.IsSpecial ? null : answer.Value;
        }

        public DateTimeOffset TimestampAt(long offset)
        {
            consumer.Assign(new TopicPartitionOffset(tp, offset));
            var result = consumer.Consume(timeout) ?? throw new ReplayException($"no message at {tp.Topic}/{tp.Partition.Value}@{offset} within {timeout.TotalSeconds:0} s");
            return DateTimeOffset.FromUnixTimeMilliseconds(result.Message.Timestamp.UnixTimestampMs);
        }
    }

    /// <summary>A consumer that only reads single messages by offset: it never joins a group or commits.</summary>
    private IConsumer<byte[], byte[]> CreateReader(string topic)
    {
        var config = configs.CreateConsumerConfig(topic);
        config.ClientId = "eventrouter-replay";
        config.GroupInstanceId = null; // a reader of its own group, never a static member of the worker's
        config.EnableAutoCommit = false;
        config.GroupId = $"eventrouter-replay-reader-{Guid.NewGuid():N}";
        return new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
    }
}

internal sealed class ReplayException(string message) : Exception(message);

/// <summary>What finding an offset by time needs from one partition (the seam the resolver is tested at).</summary>
internal interface IPartitionTimeIndex
{
    /// <summary>The broker's offsets-for-times answer: the first offset whose timestamp is at or after the time; null for none (the end).</summary>
    long? OffsetForTime(DateTimeOffset time);

    /// <summary>The timestamp of the message at <paramref name="offset"/> (low ≤ offset &lt; high).</summary>
    DateTimeOffset TimestampAt(long offset);
}

/// <summary>
/// The first offset of a partition whose message is at or after a time. The broker's
/// offsets-for-times answer is used when it checks out (the message at it is at or after the time
/// and the one before is earlier: two reads); otherwise (librdkafka's mock cluster answers "none"
/// for every time) the offset is found by binary search over message timestamps, about log2(n)
/// reads, which assumes timestamps do not decrease with the offset (true for LogAppendTime, and for
/// CreateTime when producers set the time of production).
/// </summary>
internal static class TimeOffsetResolver
{
    public static (long Offset, string How) Find(IPartitionTimeIndex index, long low, long high, DateTimeOffset time)
    {
        if (low == high) return (high, "empty partition");
        var candidate = index.OffsetForTime(time) ?? high;
        if (Straddles(index, low, high, candidate, time)) return (candidate, "offsets-for-times (verified)");

        long lo = low, hi = high;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (index.TimestampAt(mid) >= time) hi = mid;
            else lo = mid + 1;
        }
        return (lo, $"binary search (broker answered {candidate})");
    }

    /// <summary>The message at <paramref name="offset"/> is at or after the time and the one before is earlier.</summary>
    private static bool Straddles(IPartitionTimeIndex index, long low, long high, long offset, DateTimeOffset time)
    {
        if (offset < low || offset > high) return false;
        if (offset < high && index.TimestampAt(offset) < time) return false;
        return offset == low || index.TimestampAt(offset - 1) < time;
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace EventRouter.Kafka;

/// <summary>
/// A consumer group seen from outside, through Kafka's admin APIs: who is in it, what it has
/// committed, and moving its offsets. Used by the operator commands (<c>replay</c>, <c>stats</c>);
/// it never joins the group.
/// </summary>
/// <remarks>
/// <c>ListConsumerGroups</c> is deliberately not used: in Confluent.Kafka 2.16 a listing that
/// carries per-broker errors (a broker down, or one without the ListGroups API such as librdkafka's
/// mock) frees librdkafka's error objects twice and aborts the process ("double free",
/// reproduced here; <c>AdminClient.extractListConsumerGroupsResults</c> builds each error with
/// <c>new Error(ptr)</c>, which destroys it, while the result still owns it).
/// </remarks>
public sealed class KafkaGroupAdmin : IDisposable
{
    private readonly IAdminClient _admin;
    private readonly TimeSpan _timeout;

    internal KafkaGroupAdmin(KafkaClientConfigFactory configs, TimeSpan timeout, string clientId = "eventrouter-admin")
    {
        KafkaNativeLibrary.EnsureLoaded();
        _timeout = timeout;
        _admin = new AdminClientBuilder(configs.CreateAdminConfig(clientId)).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>The group's state and members, or <see cref="GroupMembership.NotDescribable"/> when the broker has no DescribeGroups API.</summary>
    public async Task<GroupMembership> DescribeAsync(string group)
    {
        try
        {
            var report = await _admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = _timeout }).ConfigureAwait(false);
            return GroupMembership.From(report.ConsumerGroupDescriptions.Single());
        }
        catch (DescribeConsumerGroupsException ex) when (ex.Results.ConsumerGroupDescriptions.SingleOrDefault() is { } description)
        {
            return description.Error.Code == ErrorCode.Local_UnsupportedFeature
                ? GroupMembership.NotDescribable
                : GroupMembership.From(description);
        }
    }

    /// <summary>The group's committed offset of each partition; null where it has none.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long?>> CommittedAsync(string group, IReadOnlyCollection<TopicPartition> partitions)
    {
        var results = await _admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, [.. partitions])],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = _timeout }).ConfigureAwait(false);
        return results.Single().Partitions.ToDictionary(p => p.TopicPartition, p => p.Offset.IsSpecial ? (long?)null : p.Offset.Value);
    }

    /// <summary>
    /// Commits <paramref name="offsets"/> for the group without joining it. A broker refuses this
    /// while the group has members; that refusal is <see cref="GroupHasMembersException"/>.
    /// </summary>
    public async Task AlterAsync(string group, IReadOnlyCollection<TopicPartitionOffset> offsets)
    {
        try
        {
            await _admin.AlterConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitionOffsets(group, [.. offsets])],
                new AlterConsumerGroupOffsetsOptions { RequestTimeout = _timeout }).ConfigureAwait(false);
        }
        catch (AlterConsumerGroupOffsetsException ex)
        {
            var errors = ex.Results.SelectMany(r => r.Partitions.Select(p => p.Error)).Append(ex.Error).Where(e => e.IsError).ToList();
            if (errors.FirstOrDefault(e => IsActiveGroup(e.Code)) is { } refused)
            {
                throw new GroupHasMembersException(group, refused.Reason);
            }

            throw new KafkaException(errors.FirstOrDefault() ?? ex.Error);
        }
    }

    /// <summary>The oldest kept and the end offset of each partition.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, (long Low, long High)>> WatermarksAsync(IReadOnlyCollection<TopicPartition> partitions)
    {
        var low = ListOffsetsAsync(partitions, OffsetSpec.Earliest());
        var high = ListOffsetsAsync(partitions, OffsetSpec.Latest());
        var (lows, highs) = (await low.ConfigureAwait(false), await high.ConfigureAwait(false));
        return partitions.ToDictionary(tp => tp, tp => (lows[tp], highs[tp]));
    }

    /// <summary>
    /// The group's lag on every partition of <paramref name="topics"/>: end offset minus committed
    /// offset (minus the oldest kept offset where the group has committed nothing).
    /// </summary>
    /// <exception cref="KafkaException">A topic does not exist, or the broker did not answer.</exception>
    public async Task<IReadOnlyList<PartitionLag>> LagAsync(string group, IEnumerable<string> topics)
    {
        var partitions = new List<TopicPartition>();
        foreach (var topic in topics)
        {
            partitions.AddRange(Partitions(topic) ?? throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"topic '{topic}' does not exist (or this user may not describe it)")));
        }

        if (partitions.Count == 0) return [];
        var committed = await CommittedAsync(group, partitions).ConfigureAwait(false);
        var watermarks = await WatermarksAsync(partitions).ConfigureAwait(false);
        return [.. partitions.Select(tp =>
        {
            var (low, high) = watermarks[tp];
            var offset = committed.GetValueOrDefault(tp);
            return new PartitionLag(tp.Topic, tp.Partition.Value, low, high, offset, high - (offset ?? low));
        })];
    }

    /// <summary>The partitions of <paramref name="topic"/> in order, or null when the topic does not exist (or may not be described).</summary>
    public IReadOnlyList<TopicPartition>? Partitions(string topic)
    {
        var metadata = _admin.GetMetadata(topic, _timeout).Topics.FirstOrDefault(t => t.Topic == topic);
        return metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0
            ? null
            : [.. metadata.Partitions.Select(p => p.PartitionId).Order().Select(p => new TopicPartition(topic, p))];
    }

    public void Dispose() => _admin.Dispose();

    internal static bool IsActiveGroup(ErrorCode code) =>
        code is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress;

    private async Task<Dictionary<TopicPartition, long>> ListOffsetsAsync(IReadOnlyCollection<TopicPartition> partitions, OffsetSpec spec)
    {
        var result = await _admin.ListOffsetsAsync(
            partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = _timeout }).ConfigureAwait(false);
        return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }
}

/// <summary>A consumer group's state and members as the broker describes them.</summary>
public sealed record GroupMembership(bool Describable, string State, IReadOnlyList<GroupMemberInfo> Members, string? Error)
{
    /// <summary>The broker cannot describe groups (no DescribeGroups API, as in librdkafka's mock cluster).</summary>
    public static readonly GroupMembership NotDescribable = new(false, "unknown", [], null);

    internal static GroupMembership From(ConsumerGroupDescription description) => new(
        true,
        description.State.ToString(),
        [.. description.Members.Select(m => new GroupMemberInfo(m.ClientId, m.Host, m.Assignment?.TopicPartitions?.Count ?? 0))],
        description.Error.IsError && description.Error.Code != ErrorCode.GroupIdNotFound ? description.Error.Reason : null);
}

/// <summary>One partition of a group's lag: watermarks, the committed offset (null: none yet) and the lag.</summary>
public sealed record PartitionLag(string Topic, int Partition, long Low, long High, long? Committed, long Lag);

/// <summary>One member of a group: its client id, host and how many partitions it holds.</summary>
public sealed record GroupMemberInfo(string ClientId, string Host, int Partitions);

/// <summary>The broker refused an offset change because the group has members.</summary>
public sealed class GroupHasMembersException(string group, string reason)
    : Exception($"the broker refused the commit ({reason}): group '{group}' has active members")
{
    public string Group { get; } = group;
}

namespace EventRouter.Kafka;

/// <summary>What a <see cref="KafkaSourceService"/> is doing, for tests and diagnostics.</summary>
/// <param name="Running">The consume thread is running.</param>
/// <param name="AssignedPartitions">Partitions currently assigned to this consumer.</param>
/// <param name="PausedPartitions">Assigned partitions this consumer has paused.</param>
/// <param name="BatchesInFlight">Batches being routed (at most one per partition).</param>
/// <param name="FailedAttempts">The most failed routing attempts of any in-flight batch so far.</param>
/// <param name="BufferedRecords">Records consumed but not yet handed to the router.</param>
/// <param name="RateLimited">Fetching is paused by <see cref="KafkaOptions.MaxEventsPerSecond"/>.</param>
internal sealed record KafkaSourceStatus(
    bool Running,
    IReadOnlyList<int> AssignedPartitions,
    IReadOnlyList<int> PausedPartitions,
    int BatchesInFlight,
    int FailedAttempts,
    int BufferedRecords,
    bool RateLimited)
{
    public static readonly KafkaSourceStatus NotStarted = new(false, [], [], 0, 0, 0, false);

    /// <summary>The group gave this member an assignment since it joined, possibly empty (more members than partitions).</summary>
    public bool HasAssignment { get; init; }

    /// <summary>At least one batch is being routed.</summary>
    public bool BatchInFlight => BatchesInFlight > 0;
}

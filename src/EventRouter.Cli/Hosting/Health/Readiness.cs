namespace EventRouter.Cli.Hosting.Health;

/// <summary>One Kafka consumer as readiness sees it.</summary>
/// <param name="Topic">Its topic.</param>
/// <param name="Running">Its consume loop runs.</param>
/// <param name="HasAssignment">The group gave it an assignment since it joined (possibly empty: more members than partitions).</param>
/// <param name="AssignedPartitions">How many partitions it owns.</param>
internal sealed record ConsumerReadiness(string Topic, bool Running, bool HasAssignment, int AssignedPartitions);

/// <summary>One storage connection as readiness sees it.</summary>
/// <param name="Connection">Its name (<c>EventStorage</c>, a <c>Routing:ShardConnections</c> entry): a name, never its value.</param>
/// <param name="LastSuccess">When it last answered the probe, or null when it never has.</param>
internal sealed record StorageReadiness(string Connection, DateTimeOffset? LastSuccess);

/// <summary>What readiness is decided from.</summary>
/// <param name="Consumers">The Kafka consumers (none in a <c>--process-only</c> worker).</param>
/// <param name="Storage">Every storage connection a queue lives in (<c>EventStorage</c> first, then the shard connections).</param>
/// <param name="PausedOnStorageFailureSince">Since when a partition has been paused because its batch could not be written, or null.</param>
/// <param name="Now">Now.</param>
/// <param name="Threshold">How long storage may fail before the worker is not ready (<see cref="HealthOptions.StorageFailureThreshold"/>).</param>
internal sealed record ReadinessInputs(
    IReadOnlyList<ConsumerReadiness> Consumers,
    IReadOnlyList<StorageReadiness> Storage,
    DateTimeOffset? PausedOnStorageFailureSince,
    DateTimeOffset Now,
    TimeSpan Threshold);

/// <summary>The answer: ready, or the reasons it is not.</summary>
internal sealed record HealthReport(bool Healthy, IReadOnlyList<string> Reasons)
{
    public static readonly HealthReport Ok = new(true, []);
}

/// <summary>The decisions behind <c>/healthz</c> and <c>/readyz</c>, as pure functions.</summary>
internal static class Readiness
{
    /// <summary>
    /// Ready when every consumer runs and has its assignment (owning no partition counts: the group
    /// has more members than partitions), storage answered within the threshold, and no partition has
    /// been paused on a storage failure for longer than the threshold. Each storage connection counts
    /// on its own: one account down stops the shards in it, so the worker is not ready, and the
    /// reason names that connection.
    /// </summary>
    public static HealthReport Decide(ReadinessInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var reasons = new List<string>();
        foreach (var consumer in inputs.Consumers)
        {
            if (!consumer.Running) reasons.Add($"the {consumer.Topic} consumer is not running");
            else if (!consumer.HasAssignment) reasons.Add($"the {consumer.Topic} consumer has no partition assignment yet (joining its group)");
        }

        foreach (var storage in inputs.Storage)
        {
            if (storage.LastSuccess is not { } last)
            {
                reasons.Add($"storage {storage.Connection} has not answered yet");
            }
            else if (inputs.Now - last > inputs.Threshold)
            {
                reasons.Add($"storage {storage.Connection} has not answered for {Seconds(inputs.Now - last)} s (more than {Seconds(inputs.Threshold)} s)");
            }
        }

        if (inputs.PausedOnStorageFailureSince is { } paused && inputs.Now - paused > inputs.Threshold)
        {
            reasons.Add($"partitions paused on a storage failure for {Seconds(inputs.Now - paused)} s (more than {Seconds(inputs.Threshold)} s)");
        }

        return reasons.Count == 0 ? HealthReport.Ok : new HealthReport(false, reasons);
    }

    /// <summary>Live while none of the worker's loops has ended on its own (<paramref name="loops"/>: name, ended).</summary>
    public static HealthReport Live(IReadOnlyList<(string Name, bool Ended)> loops)
    {
        ArgumentNullException.ThrowIfNull(loops);
        var reasons = loops.Where(l => l.Ended).Select(l => $"the {l.Name} loop has ended").ToList();
        return reasons.Count == 0 ? HealthReport.Ok : new HealthReport(false, reasons);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}

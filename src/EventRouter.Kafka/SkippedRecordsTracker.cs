namespace EventRouter.Kafka;

/// <summary>
/// Finds records the broker no longer had when the consumer asked for them. librdkafka answers a
/// fetch below the partition's first offset (the records were deleted by retention while the group
/// was behind) with an offset reset to the earliest one, and tells the application once
/// (<c>Local_AutoOffsetReset</c>, at the offset it asked for); the partition's next record shows
/// where it went on. Records between are gone: this turns the two into the skipped range. A reset
/// that moves backwards (a committed offset past the end) re-reads records and skips none.
/// Used on the polling thread only.
/// </summary>
internal sealed class SkippedRecordsTracker
{
    private readonly Dictionary<int, long> _resetAt = [];

    public bool Pending => _resetAt.Count > 0;

    /// <summary>The consumer reported an offset reset of <paramref name="partition"/> at <paramref name="offset"/> (the offset it asked for).</summary>
    public void OnOffsetReset(int partition, long offset)
    {
        if (partition >= 0 && offset >= 0) _resetAt[partition] = offset;
    }

    /// <summary>The first record after a reset: the range skipped (first and last offset), or null when nothing was.</summary>
    public (long First, long Last)? OnRecord(int partition, long offset) =>
        _resetAt.Remove(partition, out var at) && offset > at ? (at, offset - 1) : null;

    /// <summary>The partition is no longer ours: a reset seen for it says nothing about its next owner.</summary>
    public void Forget(int partition) => _resetAt.Remove(partition);
}

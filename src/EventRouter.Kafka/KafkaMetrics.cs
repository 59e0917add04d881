using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventRouter.Diagnostics;

namespace EventRouter.Kafka;

/// <summary>Instrument and tag names of the Kafka source. Changing one is a breaking change for dashboards.</summary>
internal static class KafkaTelemetryNames
{
    /// <summary>
    /// The Meter shared by all of EventRouter. Created through <see cref="IMeterFactory"/> with the same
    /// name and version as the core's <see cref="EventRouterTelemetry"/>, so the factory hands back the same instance.
    /// </summary>
    public const string MeterName = TelemetryNames.MeterName;

    public const string ConsumerLag = "eventrouter.kafka.consumer.lag";
    public const string Batches = "eventrouter.kafka.batches";
    public const string Records = "eventrouter.kafka.records";
    public const string BatchRetries = "eventrouter.kafka.batch.retries";
    public const string BatchDuration = "eventrouter.kafka.batch.duration";
    public const string RecordDelay = "eventrouter.kafka.record.delay";
    public const string RecordsSkipped = "eventrouter.kafka.records.skipped";
    public const string CommittedOffset = "eventrouter.kafka.committed.offset";
    public const string CommitFailures = "eventrouter.kafka.commit.failures";
    public const string Rebalances = "eventrouter.kafka.rebalances";

    // OpenTelemetry messaging attribute names (semantic conventions, "Development" stability).
    public const string TopicTag = TelemetryNames.DestinationName;
    public const string PartitionTag = TelemetryNames.PartitionId;
    public const string ConsumerGroupTag = "messaging.consumer.group.name";
    public const string ErrorTypeTag = TelemetryNames.ErrorType;
    public const string RebalanceKindTag = "eventrouter.rebalance.kind";

    /// <summary><see cref="RebalanceKindTag"/> values of <see cref="Rebalances"/>.</summary>
    public const string Assigned = "assigned";
    public const string Revoked = "revoked";
    public const string Lost = "lost";

    /// <summary><see cref="ErrorTypeTag"/> values of <see cref="BatchRetries"/>.</summary>
    public const string TransientError = "transient";
    public const string PermanentError = "permanent";
    public const string UnexpectedError = "unexpected";
}

/// <summary>
/// The Kafka source's metrics. One instance per host; each consumer registers a callback that
/// reports its partitions' lag. Tags are topic, partition and group only: never an event id, key or offset.
/// </summary>
internal sealed class KafkaMetrics
{
    private readonly Counter<long> _batches;
    private readonly Counter<long> _records;
    private readonly Counter<long> _batchRetries;
    private readonly Counter<long> _recordsSkipped;
    private long _skippedTotal;
    private readonly Histogram<double> _batchDuration;
    private readonly Histogram<double> _recordDelay;
    private readonly Counter<long> _commitFailures;
    private readonly Counter<long> _rebalances;
    private readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> _lagSources = new();
    private readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> _committedSources = new();

    public KafkaMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(KafkaTelemetryNames.MeterName, EventRouterTelemetry.Version);
        _batches = meter.CreateCounter<long>(KafkaTelemetryNames.Batches, "{batch}", "Batches routed to storage and stored for commit.");
        _records = meter.CreateCounter<long>(KafkaTelemetryNames.Records, "{record}", "Records routed to storage and stored for commit.");
        _recordsSkipped = meter.CreateCounter<long>(KafkaTelemetryNames.RecordsSkipped, "{record}",
            "Records never routed because the broker no longer had them when the consumer asked (retention deleted them while the group was behind).");
        _batchRetries = meter.CreateCounter<long>(KafkaTelemetryNames.BatchRetries, "{attempt}", "Failed routing attempts of a batch that will be retried.");
        _batchDuration = meter.CreateHistogram<double>(KafkaTelemetryNames.BatchDuration, "s", "Time from handing a batch to the router until it reached storage, retries included.");
        _recordDelay = meter.CreateHistogram(KafkaTelemetryNames.RecordDelay, "s",
            "Time from each record's Kafka timestamp until its batch was in storage: the end-to-end delay, " +
            "the producer's, the broker's and any backlog's share included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DelayBuckets });
        meter.CreateObservableGauge(KafkaTelemetryNames.ConsumerLag, ObserveLag, "{record}",
            "Records in an assigned partition not yet routed: the partition's high watermark minus the next offset to route.");
        meter.CreateObservableGauge(KafkaTelemetryNames.CommittedOffset, () => Observe(_committedSources), "{offset}",
            "The group's last offset committed by this consumer per assigned partition: the next offset a restart or new owner reads.");
        _commitFailures = meter.CreateCounter<long>(KafkaTelemetryNames.CommitFailures, "{commit}",
            "Offset commits the broker refused (the offsets stay stored and go with the next commit; until one succeeds, a restart re-reads).");
        _rebalances = meter.CreateCounter<long>(KafkaTelemetryNames.Rebalances, "{rebalance}",
            "Partitions assigned to, revoked from or lost by this consumer, one per group event.");
    }

    public void CommitFailed(string topic, string? group, string errorType)
        => _commitFailures.Add(1, new TagList
        {
            { KafkaTelemetryNames.TopicTag, topic },
            { KafkaTelemetryNames.ConsumerGroupTag, group },
            { KafkaTelemetryNames.ErrorTypeTag, errorType },
        });

    public void Rebalanced(string topic, string? group, string kind)
        => _rebalances.Add(1, new TagList
        {
            { KafkaTelemetryNames.TopicTag, topic },
            { KafkaTelemetryNames.ConsumerGroupTag, group },
            { KafkaTelemetryNames.RebalanceKindTag, kind },
        });

    /// <summary>Adds a source of committed offsets; dispose the result to remove it.</summary>
    public IDisposable RegisterCommittedOffsetSource(Func<IEnumerable<Measurement<long>>> observe)
    {
        var key = new object();
        _committedSources[key] = observe;
        return new Registration(() => _committedSources.TryRemove(key, out _));
    }

    /// <summary>Records skipped by every consumer of this host so far (what the sandbox shows).</summary>
    public long SkippedRecords => Interlocked.Read(ref _skippedTotal);

    public void RecordsSkipped(string topic, string? group, long count)
    {
        Interlocked.Add(ref _skippedTotal, count);
        _recordsSkipped.Add(count, new TagList { { KafkaTelemetryNames.TopicTag, topic }, { KafkaTelemetryNames.ConsumerGroupTag, group } });
    }

    public void BatchRouted(string topic, string? group, int records, TimeSpan elapsed)
    {
        var tags = new TagList { { KafkaTelemetryNames.TopicTag, topic }, { KafkaTelemetryNames.ConsumerGroupTag, group } };
        _batches.Add(1, tags);
        _records.Add(records, tags);
        _batchDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>
    /// Records how long ago each record of a routed batch was produced. The Kafka timestamp is the
    /// producer's clock (CreateTime) or the broker's (LogAppendTime); a record without one is skipped,
    /// and a clock ahead of ours counts as no delay rather than a negative one.
    /// </summary>
    public void RecordsDelivered(string topic, string? group, IReadOnlyList<InboundRecord> records, DateTimeOffset now)
    {
        if (!_recordDelay.Enabled)
        {
            return; // nobody listens: skip the loop over the batch
        }

        var tags = new TagList { { KafkaTelemetryNames.TopicTag, topic }, { KafkaTelemetryNames.ConsumerGroupTag, group } };
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].Timestamp is { } produced)
            {
                _recordDelay.Record(Math.Max(0, (now - produced).TotalSeconds), tags);
            }
        }
    }

    public void BatchRetried(string topic, string? group, string errorType)
        => _batchRetries.Add(1, new TagList
        {
            { KafkaTelemetryNames.TopicTag, topic },
            { KafkaTelemetryNames.ConsumerGroupTag, group },
            { KafkaTelemetryNames.ErrorTypeTag, errorType },
        });

    /// <summary>One partition's lag as the lag gauge reports it: the one place its attributes are set (dashboards and alerts rely on them).</summary>
    public static Measurement<long> LagMeasurement(string topic, int partition, string? group, long lag) =>
        new(lag,
            new KeyValuePair<string, object?>(KafkaTelemetryNames.TopicTag, topic),
            new KeyValuePair<string, object?>(KafkaTelemetryNames.PartitionTag, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new KeyValuePair<string, object?>(KafkaTelemetryNames.ConsumerGroupTag, group));

    /// <summary>Adds a lag source; dispose the result to remove it.</summary>
    public IDisposable RegisterLagSource(Func<IEnumerable<Measurement<long>>> observe)
    {
        var key = new object();
        _lagSources[key] = observe;
        return new Registration(() => _lagSources.TryRemove(key, out _));
    }

    /// <summary>
    /// Seconds; from a few milliseconds (routing behind a fast broker and storage) to minutes (a
    /// backlog or an outage), where the default boundaries, made for milliseconds, would put
    /// everything above 10 s in one bucket.
    /// </summary>
    private static readonly IReadOnlyList<double> DelayBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    private IEnumerable<Measurement<long>> ObserveLag() => Observe(_lagSources);

    private static IEnumerable<Measurement<long>> Observe(ConcurrentDictionary<object, Func<IEnumerable<Measurement<long>>>> sources)
    {
        foreach (var source in sources.Values)
        {
            foreach (var measurement in source())
            {
                yield return measurement;
            }
        }
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventRouter.Diagnostics;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.Metrics;

namespace EventRouter.ApplicationInsights;

/// <summary>
/// Forwards the <c>EventRouter</c> <see cref="Meter"/> and <see cref="ActivitySource"/> to Application
/// Insights. Instruments become pre-aggregated custom metrics named like the instrument
/// (<c>customMetrics | where name == "eventrouter.events.poisoned"</c>) with their tags as dimensions;
/// spans become in-process dependencies of the current operation, so in the Functions worker they
/// nest under the invocation's request. Registered as an <see cref="ITelemetryModule"/>: the
/// Application Insights SDK initializes it with the app's <see cref="TelemetryConfiguration"/>.
/// </summary>
/// <remarks>
/// Telemetry must never break routing: a failure while exporting one measurement is swallowed
/// (and counted in <see cref="DroppedMeasurements"/>) instead of escaping into the instrument call.
/// </remarks>
public sealed class EventRouterTelemetryModule : ITelemetryModule, IDisposable
{
    /// <summary>Dependency type of exported spans; Application Insights renders in-process work with it.</summary>
    public const string DependencyType = "InProc";

    /// <summary>Application Insights pre-aggregated metrics take at most this many dimensions.</summary>
    private const int MaxDimensions = 10;

    private readonly ConcurrentDictionary<string, Metric> _metrics = new(StringComparer.Ordinal);
    private readonly TimeSpan _observableInterval;
    private TelemetryClient? _client;
    private MeterListener? _meters;
    private ActivityListener? _activities;
    private Timer? _observables;
    private long _dropped;

    public EventRouterTelemetryModule() : this(TimeSpan.FromSeconds(30))
    {
    }

    /// <param name="observableInterval">How often observable instruments (gauges) are read.</param>
    public EventRouterTelemetryModule(TimeSpan observableInterval) => _observableInterval = observableInterval;

    /// <summary>Measurements that could not be exported (for diagnostics and tests).</summary>
    public long DroppedMeasurements => Interlocked.Read(ref _dropped);

    public void Initialize(TelemetryConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (_client is not null) return;
        _client = new TelemetryClient(configuration);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TelemetryNames.MeterName) listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Track(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Track(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Track(i, v, tags));
        _meters.SetMeasurementEventCallback<float>((i, v, tags, _) => Track(i, v, tags));
        _meters.Start();
        _observables = new Timer(_ => RecordObservables(), null, _observableInterval, _observableInterval);

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Export,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    /// <summary>Reads observable instruments now (the timer does it every interval).</summary>
    public void RecordObservables()
    {
        try
        {
            _meters?.RecordObservableInstruments();
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public void Dispose()
    {
        _observables?.Dispose();
        _meters?.Dispose();
        _activities?.Dispose();
    }

    private void Track(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        try
        {
            var count = Math.Min(tags.Length, MaxDimensions);
            var pairs = new KeyValuePair<string, object?>[count];
            tags[..count].CopyTo(pairs);
            // A fixed dimension order per tag set: the SDK keys a metric by its dimension names.
            Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));

            var names = new string[count];
            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = pairs[i].Key;
                values[i] = Convert.ToString(pairs[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }

            var key = count == 0 ? instrument.Name : instrument.Name + "|" + string.Join('|', names);
            var metric = _metrics.GetOrAdd(key, _ => _client!.GetMetric(new MetricIdentifier(MetricIdentifier.DefaultMetricNamespace, instrument.Name, names)));
            if (metric.TryGetDataSeries(out var series, true, values))
            {
                series.TrackValue(value);
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private void Export(Activity activity)
    {
        try
        {
            var dependency = new DependencyTelemetry
            {
                Name = activity.DisplayName,
                Type = DependencyType,
                Target = TelemetryNames.ActivitySourceName,
                Timestamp = activity.StartTimeUtc,
                Duration = activity.Duration,
                Success = activity.Status != ActivityStatusCode.Error,
                Id = activity.SpanId.ToHexString(),
            };
            if (activity.Status == ActivityStatusCode.Error && !string.IsNullOrEmpty(activity.StatusDescription))
            {
                dependency.ResultCode = activity.StatusDescription;
            }
            dependency.Context.Operation.Id = activity.TraceId.ToHexString();
            if (activity.ParentSpanId != default)
            {
                dependency.Context.Operation.ParentId = activity.ParentSpanId.ToHexString();
            }
            foreach (var (key, value) in activity.TagObjects)
            {
                dependency.Properties[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
            _client!.TrackDependency(dependency);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}

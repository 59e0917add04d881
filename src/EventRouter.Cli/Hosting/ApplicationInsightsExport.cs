using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventRouter.Diagnostics;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventRouter.Cli.Hosting;

/// <summary>
/// Sends the worker's logs, metrics and traces to Application Insights when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. The Application Insights 2.x SDK (the one that
/// restores here; the Azure Monitor OpenTelemetry exporter does not) collects logs and HTTP
/// dependencies itself, but not <see cref="Meter"/> instruments or our <see cref="ActivitySource"/>,
/// so this bridge forwards those: counters and histograms as pre-aggregated metrics with their
/// tags as dimensions, consumer spans as requests and the rest as dependencies.
/// </summary>
internal static class ApplicationInsightsExport
{
    public static void Add(IServiceCollection services, string connectionString)
    {
        services.AddApplicationInsightsTelemetryWorkerService(o => o.ConnectionString = connectionString);
        services.AddHostedService<TelemetryBridge>();
    }

    private sealed class TelemetryBridge(TelemetryClient client) : IHostedService, IDisposable
    {
        private MeterListener? _meters;
        private ActivityListener? _activities;
        private Timer? _gauges;

        public Task StartAsync(CancellationToken cancellationToken)
        {
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
            _meters.Start();
            _gauges = new Timer(_ => _meters?.RecordObservableInstruments(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == TelemetryNames.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Export,
            };
            ActivitySource.AddActivityListener(_activities);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            Dispose();
            await client.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            _gauges?.Dispose();
            _meters?.Dispose();
            _activities?.Dispose();
        }

        private void Track(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            switch (tags.Length)
            {
                case 0:
                    client.GetMetric(instrument.Name).TrackValue(value);
                    break;
                case 1:
                    client.GetMetric(instrument.Name, tags[0].Key).TrackValue(value, tags[0].Value?.ToString());
                    break;
                default:
                    client.GetMetric(instrument.Name, tags[0].Key, tags[1].Key).TrackValue(value, tags[0].Value?.ToString(), tags[1].Value?.ToString());
                    break;
            }
        }

        private void Export(Activity activity)
        {
            var success = activity.Status != ActivityStatusCode.Error;
            if (activity.Kind == ActivityKind.Consumer)
            {
                var request = new RequestTelemetry(activity.DisplayName, activity.StartTimeUtc, activity.Duration, success ? "0" : "1", success);
                Copy(activity, request.Properties);
                client.TrackRequest(request);
            }
            else
            {
                var dependency = new DependencyTelemetry("EventRouter", activity.DisplayName, activity.DisplayName, null, activity.StartTimeUtc, activity.Duration, null, success);
                Copy(activity, dependency.Properties);
                client.TrackDependency(dependency);
            }
        }

        private static void Copy(Activity activity, IDictionary<string, string> properties)
        {
            foreach (var (key, value) in activity.TagObjects) properties[key] = value?.ToString() ?? "";
        }
    }
}

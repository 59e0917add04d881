using System.Diagnostics.Metrics;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace EventRouter.Kafka.Tests;

/// <summary>The Kafka source's commit and rebalance instruments: their tags, and the committed-offset gauge's sources.</summary>
public sealed class KafkaMetricsTests
{
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];

    private (KafkaMetrics Metrics, MeterListener Listener, ServiceProvider Services) Create()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new KafkaMetrics(factory);
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags) copy[tag.Key] = tag.Value;
            lock (_measurements) _measurements.Add((instrument.Name, value, copy));
        });
        listener.Start();
        return (metrics, listener, services);
    }

    [Fact]
    public void CommitFailedAndRebalanced_CountWithTopicGroupAndKind()
    {
        var (metrics, listener, services) = Create();
        using (services)
        using (listener)
        {
            metrics.CommitFailed("Notifications", "eventrouter", "RebalanceInProgress");
            metrics.Rebalanced("Notifications", "eventrouter", KafkaTelemetryNames.Revoked);
        }

        var failure = Assert.Single(_measurements, m => m.Instrument == KafkaTelemetryNames.CommitFailures);
        Assert.Equal(1, failure.Value);
        Assert.Equal("RebalanceInProgress", failure.Tags[KafkaTelemetryNames.ErrorTypeTag]);
        Assert.Equal("eventrouter", failure.Tags[KafkaTelemetryNames.ConsumerGroupTag]);
        var rebalance = Assert.Single(_measurements, m => m.Instrument == KafkaTelemetryNames.Rebalances);
        Assert.Equal("revoked", rebalance.Tags[KafkaTelemetryNames.RebalanceKindTag]);
        Assert.Equal("Notifications", rebalance.Tags[KafkaTelemetryNames.TopicTag]);
    }

    [Fact]
    public void CommittedOffsetGauge_ReportsEachRegisteredSource_UntilItIsDisposed()
    {
        var (metrics, listener, services) = Create();
        using (services)
        using (listener)
        {
            var registration = metrics.RegisterCommittedOffsetSource(() =>
                [new Measurement<long>(1042, new KeyValuePair<string, object?>(KafkaTelemetryNames.PartitionTag, "3"))]);
            listener.RecordObservableInstruments();
            registration.Dispose();
            listener.RecordObservableInstruments();
        }

        var offset = Assert.Single(_measurements, m => m.Instrument == KafkaTelemetryNames.CommittedOffset);
        Assert.Equal(1042, offset.Value);
        Assert.Equal("3", offset.Tags[KafkaTelemetryNames.PartitionTag]);
    }
}

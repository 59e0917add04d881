using System.Diagnostics.Metrics;

namespace EventRouter.Testing;

/// <summary>
/// Records the measurements of one <see cref="Meter"/> instance (not every meter of that name, so
/// tests running in parallel do not see each other's counts).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Measurement> _measurements = [];

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    public IReadOnlyList<Measurement> Get(string instrument)
    {
        lock (_measurements) return _measurements.Where(m => m.Instrument == instrument).ToList();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements, optionally only those with tag <paramref name="tag"/> = <paramref name="value"/>.</summary>
    public double Sum(string instrument, string? tag = null, object? value = null)
        => Get(instrument).Where(m => tag is null || (m.Tags.TryGetValue(tag, out var v) && Equals(v, value))).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        lock (_measurements) _measurements.Add(new Measurement(instrument.Name, value, copy));
    }
}

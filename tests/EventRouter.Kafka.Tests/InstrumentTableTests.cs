using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using EventRouter.Diagnostics;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace EventRouter.Kafka.Tests;

/// <summary>
/// docs/operations.md's instrument table against the <c>EventRouter</c> Meter, both ways: every
/// instrument the code creates is in the table with its type and unit, and the table lists nothing
/// the Meter lacks (the workbook and alerts are written from that table).
/// </summary>
public sealed partial class InstrumentTableTests
{
    [Fact]
    public void OperationsTable_ListsExactlyTheMetersInstruments_WithTypeAndUnit()
    {
        var meter = MeterInstruments();
        var table = TableRows();

        Assert.NotEmpty(meter);
        var missing = meter.Keys.Except(table.Keys).Order().ToList();
        var extra = table.Keys.Except(meter.Keys).Order().ToList();
        Assert.True(missing.Count == 0, "instruments missing from docs/operations.md (### Instruments): " + string.Join(", ", missing));
        Assert.True(extra.Count == 0, "docs/operations.md lists instruments the Meter lacks (or this test does not create their owner yet): " + string.Join(", ", extra));
        foreach (var (name, (type, unit)) in meter)
        {
            Assert.True(table[name] == (type, unit), $"{name}: the Meter says {type} in {unit}, the table {table[name].Type} in {table[name].Unit}");
        }
    }

    /// <summary>Every instrument of the Meter, from every class that creates some, by name.</summary>
    private static Dictionary<string, (string Type, string Unit)> MeterInstruments()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        _ = new EventRouterTelemetry(factory);
        _ = new KafkaMetrics(factory);

        var found = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            // Only this factory's meter: other tests create their own at the same time.
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == TelemetryNames.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    lock (found) found[instrument.Name] = (TypeName(instrument), instrument.Unit ?? "");
                }
            },
        };
        listener.Start();
        return found;
    }

    private static string TypeName(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var t when t == typeof(Counter<>) => "counter",
        var t when t == typeof(UpDownCounter<>) => "up-down counter",
        var t when t == typeof(Histogram<>) => "histogram",
        var t when t == typeof(Gauge<>) => "gauge",
        var t when t == typeof(ObservableGauge<>) => "gauge",
        var t when t == typeof(ObservableCounter<>) => "observable counter",
        var t when t == typeof(ObservableUpDownCounter<>) => "observable up-down counter",
        var t => t.Name,
    };

    private static Dictionary<string, (string Type, string Unit)> TableRows()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "operations.md"));
        var start = text.IndexOf("### Instruments", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/operations.md has no '### Instruments' section");
        var end = text.IndexOf("\n#", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        var rows = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (Match row in Row().Matches(section))
        {
            Assert.True(rows.TryAdd(row.Groups["name"].Value, (row.Groups["type"].Value.Trim(), row.Groups["unit"].Value)), $"{row.Groups["name"].Value} is listed twice");
        }
        return rows;
    }

    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "docs", "operations.md"))) return dir.FullName;
            }
        }
        throw new InvalidOperationException("docs/operations.md not found above " + AppContext.BaseDirectory);
    }

    // | `eventrouter.events.routed` | counter | `{event}` | attributes | meaning |
    [GeneratedRegex(@"^\| `(?<name>[a-z0-9_.]+)` \| (?<type>[a-z -]+) \| `(?<unit>[^`]*)` \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}

using System.Text;
using EventRouter.Routing;
using EventRouter.Testing;
using EventRouter.Validation;

namespace EventRouter.Benchmarks;

/// <summary>
/// Before and after in the same conditions: validate+route of one event by the current code and by
/// the previous validator and type decoding (the unit tests' frozen copy, as in <c>micro</c>),
/// alternated in blocks of <see cref="BlockEvents"/> events in one process, each block timed in CPU
/// time of the thread (<see cref="ThreadCpuClock"/>).
/// </summary>
/// <remarks>
/// Why besides <c>micro</c>: this VM runs the same code at one of two speeds about 2x apart and
/// switches every few seconds to minutes; benchmarks measured a few seconds apart, even in
/// interleaved rounds, can meet different speeds. Two blocks here are a few milliseconds apart, so
/// each pair sees the same speed, and the median of the per-pair ratios is the before/after figure
/// least moved by it. Both implementations share one process, so they share the JSON reader's
/// compiled code; neither runs anything the other does not.
/// </remarks>
internal static class PairedBench
{
    private const int BlockEvents = 20_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static void Run(HarnessOptions options, ResultTable table)
    {
        var clock = new ThreadCpuClock();
        if (!clock.IsAvailable)
        {
            Console.WriteLine("paired: needs Linux (thread CPU time); skipped");
            return;
        }
        var routes = new RouteTable(new RoutingOptions());
        var cases = new (string Name, byte[] Event, EventFieldNames Fields)[]
        {
            ("300 B event", BenchEvents.Create(300, type: "ORDER.FILLED"), EventFieldNames.Default),
            ("300 B event, mapped field names", BenchEvents.CreateStreamShaped(300, type: "ORDER.FILLED"), BenchEvents.StreamFields),
            ("5 KB event", BenchEvents.Create(5 * 1024, type: "ORDER.FILLED"), EventFieldNames.Default),
        };
        Console.WriteLine($"paired: current against previous validate+route, blocks of {BlockEvents:N0} events alternated for {options.Seconds} s per event");
        foreach (var (name, value, fields) in cases)
        {
            if (Current(routes, value, fields) != "events-order" || Previous(routes, value, fields) != "events-order")
                throw new InvalidOperationException($"{name}: not routed to events-order");
            var (current, previous) = Alternate(clock, TimeSpan.FromSeconds(options.Seconds),
                () => Current(routes, value, fields), () => Previous(routes, value, fields));
            var ratios = current.Zip(previous, (c, p) => c / p).Order().ToList();
            table.Add($"validate+route {name}, current against previous (ns per event, median of blocks)",
                $"{Median(current):N0} ns", $"{Median(previous):N0} ns", $"{Median(ratios):0.000}", "<= 0.85",
                $"{ratios.Count} block pairs; min {current.Min():N0} / {previous.Min():N0} ns; ratio quartiles {ratios[ratios.Count / 4]:0.000}-{ratios[ratios.Count * 3 / 4]:0.000}");
        }
    }

    private static string Current(RouteTable routes, byte[] value, EventFieldNames fields)
    {
        var validation = EventValidator.Validate(value, fields);
        if (!validation.IsValid) return routes.PoisonQueue;
        return validation.TryGetTypeUtf8(value, out var type)
            ? routes.Resolve("Notifications", type).Queue
            : routes.Resolve("Notifications", validation.GetEventType(value)).Queue;
    }

    private static string Previous(RouteTable routes, byte[] value, EventFieldNames fields)
    {
        var validation = ReferenceEventValidator.Validate(value, fields);
        if (!validation.IsValid) return routes.PoisonQueue;
        if (!validation.TryGetTypeUtf8(value, out var type)) return routes.Resolve("Notifications", validation.GetEventType(value)).Queue;
        Span<char> chars = stackalloc char[256];
        var length = Encoding.UTF8.GetChars(type, chars);
        return routes.Resolve("Notifications", chars[..length]).Queue;
    }

    /// <summary>Nanoseconds per event of each block of <paramref name="current"/> and of the <paramref name="previous"/> block next to it.</summary>
    private static (List<double> Current, List<double> Previous) Alternate(ThreadCpuClock clock, TimeSpan duration, Func<string> current, Func<string> previous)
    {
        var sink = 0;
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.Elapsed < WarmUp)
        {
            for (var i = 0; i < BlockEvents; i++) sink += current().Length + previous().Length;
        }
        var currentTimes = new List<double>();
        var previousTimes = new List<double>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var pair = 0; watch.Elapsed < duration; pair++)
        {
            // Which goes first alternates, so neither gains from following the other.
            var (first, second) = pair % 2 == 0 ? (current, previous) : (previous, current);
            var start = clock.GetTimestamp();
            for (var i = 0; i < BlockEvents; i++) sink += first().Length;
            var middle = clock.GetTimestamp();
            for (var i = 0; i < BlockEvents; i++) sink += second().Length;
            var end = clock.GetTimestamp();
            var (firstTime, secondTime) = ((middle - start) / (double)BlockEvents, (end - middle) / (double)BlockEvents);
            currentTimes.Add(pair % 2 == 0 ? firstTime : secondTime);
            previousTimes.Add(pair % 2 == 0 ? secondTime : firstTime);
        }
        GC.KeepAlive(sink);
        return (currentTimes, previousTimes);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

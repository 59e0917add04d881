using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace EventRouter.Benchmarks;

/// <summary>
/// How <c>micro</c> measures. One operation = one event; every benchmark is single-threaded, so
/// op/s is per core.
/// </summary>
/// <remarks>
/// Three things made the old in-process figures untrustworthy on this shared 2-core VM, each handled here:
/// <list type="number">
/// <item>In process, every benchmark of a class shared one JIT state: the validator's tier-1 code and
/// its dynamic-PGO profile were whatever earlier code had made of them (a warm-up mixing all six
/// inputs, poison included, then the benchmarks before it), so a figure could depend on what ran
/// before. Now each benchmark runs in its own process (BenchmarkDotNet's default toolchain: one
/// generated project, built once per run), with the runtime's default tiered compilation and
/// dynamic PGO, as in production. With <c>DOTNET_JitDisasmSummary=1</c> on the job, the whole
/// validate+route path reached its final tier (tier 1 with dynamic PGO) during the pilot stage,
/// before any warm-up iteration.</item>
/// <item>Wall-clock time counts the time the benchmark waited for a core while other people's
/// processes ran. Where it is available (Linux) the clock is the CPU time of the benchmark's own
/// thread (<see cref="ThreadCpuClock"/>).</item>
/// <item>Even in CPU time, this VM runs the same code at one of two speeds, about 2x apart, and
/// switches every few seconds to minutes (the figures are in docs/performance.md, "Pitfall found
/// while measuring"; no alignment or JIT change involved): most likely the host's
/// doing, out of reach from inside. A benchmark that happened to run in a slow stretch came out twice as slow
/// as its neighbours, which is how a 300 B event measured slower than a 5 KB one. So each benchmark
/// is measured in <see cref="Rounds"/> short rounds, and the rounds are interleaved (every benchmark
/// of a class once, then all again), so that the benchmarks sample the machine at nearly the same
/// moments; <see cref="PrintCombined"/> then gives mean, median and min over all rounds.</item>
/// </list>
/// Per round: 5 warm-up and 8 measured iterations of 250 ms of CPU time (tiering is over by then,
/// see above), 6 to 8 s per benchmark with the process start and the pilot stage: 6 to 8 minutes for
/// the 9 benchmarks here, the build included, depending on the load. More, shorter rounds sample
/// the machine at more moments than fewer, longer ones. On this VM trust the Min most: the mean
/// and the median still depend on how many slow stretches a benchmark's rounds happened to meet.
/// </remarks>
internal static class MicroConfig
{
    public const int Rounds = 6;

    public static IConfig Create()
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.OperationsPerSecond)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOrderer(new RoundsInterleaved())
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var round = Job.Default
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithWarmupCount(5)
            .WithIterationCount(8);
        var clock = new ThreadCpuClock();
        if (clock.IsAvailable) round = round.WithClock(clock);
        for (var i = 1; i <= Rounds; i++)
        {
            config.AddJob(round.WithId(RoundId(i)));
        }
        return config;
    }

    /// <summary>
    /// Mean, median and min per benchmark over the measured iterations of all rounds (BenchmarkDotNet's
    /// own tables show each round apart), and bytes allocated per operation.
    /// </summary>
    public static void PrintCombined(IEnumerable<Summary> summaries)
    {
        var clock = new ThreadCpuClock().IsAvailable ? "thread CPU time" : "wall-clock time";
        Console.WriteLine();
        Console.WriteLine($"Combined over {Rounds} interleaved rounds ({clock} per event):");
        Console.WriteLine();
        Console.WriteLine("| benchmark | Mean | Median | Min | events/s on one core (Mean) | allocated per event | iterations |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var summary in summaries)
        {
            foreach (var benchmark in summary.Reports.GroupBy(r => r.BenchmarkCase.Descriptor))
            {
                var nanoseconds = benchmark.SelectMany(r => r.GetResultRuns()).Select(m => m.Nanoseconds / m.Operations).Order().ToList();
                if (nanoseconds.Count == 0) continue;
                var allocated = benchmark.Select(r => r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase)).FirstOrDefault(b => b is not null);
                var mean = nanoseconds.Average();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {benchmark.Key.WorkloadMethodDisplayInfo} | {mean:N0} ns | {Median(nanoseconds):N0} ns | {nanoseconds[0]:N0} ns | {1e9 / mean:N0} | {allocated?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} B | {nanoseconds.Count} |"));
            }
        }
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static string RoundId(int round) => "Round" + round.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs round 1 of every benchmark of a class, then round 2 of every one, and so on.</summary>
    private sealed class RoundsInterleaved : DefaultOrderer
    {
        public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
        {
            var declared = base.GetExecutionOrder(benchmarkCases, order).ToList();
            return declared.OrderBy(b => b.Job.Id, StringComparer.Ordinal).ThenBy(declared.IndexOf);
        }
    }
}

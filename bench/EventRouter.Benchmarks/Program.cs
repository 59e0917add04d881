using BenchmarkDotNet.Running;
using EventRouter.Benchmarks;

// micro: BenchmarkDotNet (validate+route, message building). paired: current against previous validate+route,
// alternated in one process. kafka|parallel|conflation|storage|shards|e2e|drain|all: system harness. sandbox: the real
// `eventrouter dev --json` process (--count events, at each of --rates; not part of all).
// Options: --count N (events), --seconds N (e2e duration per rate; paired: per event), --partitions 64 (kafka backlog),
//          --sweep 1,4,16 (kafka partition sweep), --rates 500,2000 (e2e), --warmup 10 (e2e, seconds at the rate before
//          measuring), --azurite-in-memory (storage, e2e), --discard (e2e into a discarding sink, no storage),
//          --out DIR (kafka, e2e, drain: their series as CSV), --chart (and as PNG). chart CSV PNG: any such CSV as a chart.
//          See docs/performance.md.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: EventRouter.Benchmarks micro [BenchmarkDotNet args] | paired [--seconds N] | kafka|parallel|conflation|storage|shards|e2e|drain|sandbox|ratelimit|all [--count N] [--seconds N] [--partitions N] [--sweep 1,4,16] [--rates 500,2000] [--warmup 10] [--azurite-in-memory] [--discard] [--out DIR [--chart]] | chart CSV PNG [--title TEXT] [--log2x]");
    return 2;
}

if (args[0] == "chart") return BenchResults.RenderCommand(args);

// Not for people: the e2e and drain benchmarks start the worker in a process of its own this way.
if (args[0] == WorkerChild.Command) return await WorkerChild.RunAsync(args);

if (args[0] == "micro")
{
    var rest = args.Skip(1).ToArray();
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, MicroConfig.Create());
    MicroConfig.PrintCombined(summaries);
    return 0;
}

HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"benchmark {args[0]}: {e.Message}");
    return 2;
}
try
{
    // A missing font is found before minutes of measuring, not after.
    if (options.Chart) EventRouter.Charts.ChartFont.EnsureRegistered();
}
catch (EventRouter.Charts.ChartFontException e)
{
    Console.Error.WriteLine($"benchmark {args[0]} --chart: {e.Message}");
    return 2;
}
var table = new ResultTable();
Console.WriteLine($"machine: {Environment.ProcessorCount} logical CPUs, {MachineInfo.CpuModel()}, .NET {Environment.Version}; started {DateTime.UtcNow:u}");
try
{
    if (args[0] is "paired") PairedBench.Run(options, table);
    if (args[0] is "ratelimit") RateLimiterBench.Run(options, table);
    if (args[0] is "kafka" or "all") await KafkaBench.RunAsync(options, table);
    if (args[0] is "parallel" or "all") await ParallelismBench.RunAsync(options, table);
    if (args[0] is "conflation" or "all") await ConflationBench.RunAsync(options, table);
    if (args[0] is "storage" or "all") await StorageBench.RunAsync(options, table);
    if (args[0] is "shards" or "all") await ShardsBench.RunAsync(options, table);
    if (args[0] is "e2e" or "all") await EndToEndBench.RunAsync(options, table);
    if (args[0] is "drain" or "all") await DrainBench.RunAsync(options, table);
    if (args[0] is "sandbox") await SandboxBench.RunAsync(options, table);
}
catch (Exception e)
{
    // A benchmark that fails still leaves the rows measured before it, and a reason, not an abort.
    table.Print();
    Console.Error.WriteLine($"benchmark {args[0]} failed: {e}");
    return 1;
}
table.Print();
return 0;

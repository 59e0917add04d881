using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EventRouter.Benchmarks;

/// <summary>
/// <c>sandbox</c>: the sandbox's own code, as a user runs it: the real <c>eventrouter dev --events N
/// --rate R --json</c> process (mock broker, Azurite, the whole pipeline with the queue stage), read
/// from its JSON report: events per second through the whole pipeline (produced until handled by
/// the queue stage) and into the queues, and Azurite requests per event by kind. The rate is above
/// what the pipeline takes, so the pipeline is the bound (the producer waits while it is 10,000
/// behind). The load average is printed next to the figures: the machine is shared. So is the CPU
/// each process spent per event (<see cref="ProcessTreeCpu"/>), which load changes much less.
/// </summary>
internal static class SandboxBench
{
    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        var count = options.Count ?? 20_000;
        foreach (var rate in options.Rates)
        {
            var before = LoadAverage();
            var clock = Stopwatch.StartNew();
            var (exitCode, report, stderr, cpu) = await RunSandboxAsync(count, rate);
            var after = LoadAverage();
            if (report is null)
            {
                table.Add($"sandbox, {count:N0} events at {rate:N0}/s", "failed", "", "", ">= 500/s", $"exit {exitCode}: {Last(stderr)}");
                continue;
            }
            using (report)
            {
                var root = report.RootElement;
                double Number(string name) => root.TryGetProperty(name, out var value) ? value.GetDouble() : double.NaN;
                var requests = root.GetProperty("storageRequests").EnumerateObject()
                    .OrderByDescending(r => r.Value.GetInt64())
                    .Select(r => $"{r.Name.Replace("queue: ", "", StringComparison.Ordinal).Replace("blob: ", "", StringComparison.Ordinal)} {r.Value.GetInt64() / Math.Max(1, Number("accountedFor")):0.00}");
                table.Add(
                    $"sandbox, {count:N0} events at {rate:N0}/s, whole pipeline",
                    $"{Number("eventsPerSecondWholePipeline"):N0}/s",
                    $"into queues {Number("eventsPerSecondIntoQueues"):N0}/s",
                    "",
                    ">= 500/s",
                    $"{(root.GetProperty("succeeded").GetBoolean() ? "sum = N" : "FAILED: " + root.GetProperty("closingLine").GetString())}; " +
                    $"{Number("storageRequestsPerEvent"):0.00} Azurite requests/event ({string.Join(", ", requests)}); " +
                    $"re-read {Number("reRead"):N0}; {CpuPerEvent(cpu, Number("accountedFor"))}; " +
                    $"{clock.Elapsed.TotalSeconds:N0} s in all; load average {before} before, {after} after");
            }
        }
    }

    /// <summary>CPU milliseconds per event by process, and the rate all of this machine's cores would allow at that cost.</summary>
    private static string CpuPerEvent(IReadOnlyDictionary<string, double> cpuSeconds, double events)
    {
        if (events <= 0 || cpuSeconds.Count == 0) return "CPU not sampled";
        var perEvent = cpuSeconds.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value * 1000 / events:0.00}");
        var total = cpuSeconds.Values.Sum() * 1000 / events;
        return $"CPU ms/event {total:0.00} ({string.Join(", ", perEvent)}), so at most {Environment.ProcessorCount * 1000 / total:N0}/s on {Environment.ProcessorCount} cores";
    }

    private static async Task<(int ExitCode, JsonDocument? Report, string Stderr, IReadOnlyDictionary<string, double> Cpu)> RunSandboxAsync(int count, int rate)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "EventRouter.Cli.dll"), "dev", "--events", count.ToString(CultureInfo.InvariantCulture), "--rate", rate.ToString(CultureInfo.InvariantCulture), "--json" })
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start eventrouter dev");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        IReadOnlyDictionary<string, double> cpu;
        await using (var sampler = new ProcessTreeCpu(process.Id))
        {
            await process.WaitForExitAsync();
            cpu = sampler.SecondsByRole();
        }
        var text = await stdout;
        JsonDocument? report = null;
        try
        {
            if (text.Length > 0) report = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            // Reported as a failed row with the last line of stderr.
        }
        return (process.ExitCode, report, await stderr, cpu);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Last(string text) => text.TrimEnd().Split('\n').LastOrDefault() ?? "";
}

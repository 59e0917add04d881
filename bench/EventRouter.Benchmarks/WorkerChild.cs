using System.Diagnostics;
using System.Globalization;
using EventRouter.Delivery;
using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Benchmarks;

/// <summary>
/// The product worker (generic host with <c>AddEventRouter</c> + <c>AddEventRouterKafka</c>,
/// product defaults) in a process of its own, so that its memory is its own: in the harness's
/// process the mock broker, which holds every record, and the producer would be counted too.
/// The only difference from <c>eventrouter run --ingest-only</c> is the dispatcher, wrapped to
/// record produce-to-queue latency (<see cref="AcknowledgedLatencyDispatcher"/>).
/// The child talks over its standard streams: it prints <c>acked N</c> every 200 ms, stops when
/// it reads <c>stop</c>, then writes its latencies (one per line, ms) to the file it was given and
/// prints <c>peak-rss BYTES</c> (VmHWM) before it exits.
/// </summary>
internal static class WorkerChild
{
    public const string Command = "worker";

    /// <summary>The child's side: <c>worker BOOTSTRAP TOPIC GROUP QUEUE_PREFIX STORAGE|discard CAPACITY LATENCY_FILE</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (bootstrap, topic, group, queuePrefix, storage, capacity, latencyFile) =
            (args[1], args[2], args[3], args[4], args[5], int.Parse(args[6], CultureInfo.InvariantCulture), args[7]);
        var discard = storage == "discard";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(KafkaBenchSettings.For(bootstrap, topic, group));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Routing:CategoryQueuePrefix"] = queuePrefix,
            // The discarding sink never connects; the setting must still be valid to start.
            ["EventStorage"] = discard ? "UseDevelopmentStorage=true" : storage,
        });
        // As in `eventrouter run`, environment variables override (e.g. Kafka__Consumer__queued.max.messages.kbytes).
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.ClearProviders();
        AcknowledgedLatencyDispatcher? dispatcher = null;
        builder.Services.AddSingleton<IQueueDispatcher>(sp => dispatcher = new AcknowledgedLatencyDispatcher(
            discard ? null : ActivatorUtilities.CreateInstance<AzureQueueDispatcher>(sp), capacity));
        builder.Services.AddEventRouter(builder.Configuration);
        builder.Services.AddEventRouterKafka(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        _ = host.Services.GetRequiredService<IQueueDispatcher>();

        using var stopReporting = new CancellationTokenSource();
        long peakManaged = 0;
        var reporter = Task.Run(async () =>
        {
            while (!stopReporting.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetGCMemoryInfo().TotalCommittedBytes);
                Console.WriteLine($"acked {dispatcher!.Acknowledged}");
                try { await Task.Delay(200, stopReporting.Token); } catch (OperationCanceledException) { }
            }
        });
        while (await Console.In.ReadLineAsync() is { } line && line != "stop") { }
        await host.StopAsync();
        await stopReporting.CancelAsync();
        await reporter;
        await File.WriteAllLinesAsync(latencyFile, dispatcher!.Latencies().Select(l => l.ToString("R", CultureInfo.InvariantCulture)));
        // The managed share of the peak, to tell the GC heap from librdkafka's native buffers.
        Console.WriteLine($"peak-managed {peakManaged}");
        Console.WriteLine($"peak-rss {MachineInfo.PeakRssBytes()}");
        return 0;
    }
}

/// <summary>The harness's side of <see cref="WorkerChild"/>: starts it, follows its progress, samples its RSS, stops it.</summary>
internal sealed class WorkerChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _latencyFile = Path.GetTempFileName();
    private readonly TaskCompletionSource<long> _peakRss = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopSampling = new();
    private readonly Task _sampler;
    private long _acknowledged;
    private long _sampledPeakRss;

    public WorkerChildProcess(string bootstrap, string topic, string group, string queuePrefix, string? storage, int capacity)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        // Started as `dotnet EventRouter.Benchmarks.dll` the host is dotnet, and needs the assembly.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(WorkerChild).Assembly.Location);
        // The product's worker runs with server GC (EventRouter.Cli.csproj); this project keeps
        // workstation GC for the harness and the micro benchmarks, so the child is told here.
        // An explicit DOTNET_gcServer in the environment still wins, to compare the two.
        if (Environment.GetEnvironmentVariable("DOTNET_gcServer") is null) info.Environment["DOTNET_gcServer"] = "1";
        foreach (var a in new[] { WorkerChild.Command, bootstrap, topic, group, queuePrefix, storage ?? "discard", capacity.ToString(CultureInfo.InvariantCulture), _latencyFile })
            info.ArgumentList.Add(a);
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { _process.Kill(); } catch (InvalidOperationException) { } };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data.StartsWith("acked ", StringComparison.Ordinal)) Interlocked.Exchange(ref _acknowledged, long.Parse(e.Data[6..], CultureInfo.InvariantCulture));
            else if (e.Data.StartsWith("peak-managed ", StringComparison.Ordinal)) PeakManagedBytes = long.Parse(e.Data[13..], CultureInfo.InvariantCulture);
            else if (e.Data.StartsWith("peak-rss ", StringComparison.Ordinal)) _peakRss.TrySetResult(long.Parse(e.Data[9..], CultureInfo.InvariantCulture));
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("  worker: " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _sampler = Task.Run(async () =>
        {
            while (!_stopSampling.IsCancellationRequested && !_process.HasExited)
            {
                var rss = ReadRss(_process.Id);
                if (rss > Interlocked.Read(ref _sampledPeakRss)) Interlocked.Exchange(ref _sampledPeakRss, rss);
                try { await Task.Delay(100, _stopSampling.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>The highest GC-committed bytes the worker saw (sampled every 200 ms); known after <see cref="StopAsync"/>.</summary>
    public long PeakManagedBytes { get; private set; }

    /// <summary>The worker's VmRSS now (0 once it has exited).</summary>
    public long Rss => ReadRss(_process.Id);

    /// <summary>Highest VmRSS seen by sampling every 100 ms so far.</summary>
    public long SampledPeakRss => Interlocked.Read(ref _sampledPeakRss);

    /// <summary>Waits until the worker has had <paramref name="count"/> messages acknowledged; false on timeout or exit.</summary>
    public async Task<bool> WaitForAcknowledgedAsync(long count, TimeSpan timeout, Action<long>? progress = null)
    {
        var watch = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (Acknowledged < count)
        {
            if (watch.Elapsed > timeout || _process.HasExited) return false;
            if (progress is not null && watch.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = watch.Elapsed;
                progress(Acknowledged);
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Stops the worker; returns its latencies and its own peak RSS (VmHWM, from its whole life).</summary>
    public async Task<(double[] LatenciesMs, long PeakRssBytes)> StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        var peak = await _peakRss.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var latencies = (await File.ReadAllLinesAsync(_latencyFile)).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        return (latencies, peak);
    }

    private static long ReadRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
    }

    public void Dispose()
    {
        _stopSampling.Cancel();
        try { _sampler.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
        _stopSampling.Dispose();
        try { File.Delete(_latencyFile); } catch (IOException) { }
    }
}

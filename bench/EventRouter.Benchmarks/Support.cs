using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventRouter.Benchmarks;

internal sealed record HarnessOptions(int? Count, int Seconds, int Partitions, int[] Sweep, int[] Rates, bool AzuriteInMemory = false, int WarmupSeconds = 10, bool DiscardSink = false)
{
    /// <summary><c>--out DIR</c>: where the benchmarks that have a chart write their CSV (and, with <see cref="Chart"/>, their PNG).</summary>
    public string? OutDirectory { get; init; }

    /// <summary><c>--chart</c>: render each CSV written to <see cref="OutDirectory"/> as a PNG next to it.</summary>
    public bool Chart { get; init; }

    public static HarnessOptions Parse(string[] args)
    {
        int? count = null;
        var seconds = 60;
        var partitions = 64;
        int[] sweep = [1, 4, 16];
        int[] rates = [500, 2000];
        var inMemory = false;
        var warmup = 10;
        var discard = false;
        string? outDirectory = null;
        var chart = false;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--chart")
            {
                chart = true;
                continue;
            }
            if (args[i] == "--azurite-in-memory")
            {
                inMemory = true;
                continue;
            }
            if (args[i] == "--discard")
            {
                discard = true;
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--count": count = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--sweep": sweep = value.Split(',').Select(int.Parse).ToArray(); break;
                case "--rates": rates = value.Split(',').Select(int.Parse).ToArray(); break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--out": outDirectory = value; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
            i++;
        }
        if (chart && outDirectory is null) throw new ArgumentException("--chart needs --out DIR (the PNG goes next to its CSV)");
        return new HarnessOptions(count, seconds, partitions, sweep, rates, inMemory, warmup, discard) { OutDirectory = outDirectory, Chart = chart };
    }
}

/// <summary>Rows of the final table; every row also printed as it is measured.</summary>
internal sealed class ResultTable
{
    private readonly List<string[]> _rows = [];

    public void Add(string benchmark, string measured, string baseline, string ratio, string target, string note = "")
    {
        string[] row = [benchmark, measured, baseline, ratio, target, note];
        _rows.Add(row);
        Console.WriteLine("  => " + string.Join(" | ", row));
    }

    public void Print()
    {
        string[] header = ["benchmark", "EventRouter", "baseline (same run)", "ratio", "target", "note"];
        Console.WriteLine();
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in _rows) Console.WriteLine("| " + string.Join(" | ", row) + " |");
    }
}

internal static class MachineInfo
{
    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    /// <summary>Current resident set size of this process in bytes (VmRSS).</summary>
    public static long RssBytes() => ReadStatusKb("VmRSS:") * 1024;

    /// <summary>Peak resident set size of this process in bytes (VmHWM, since start).</summary>
    public static long PeakRssBytes() => ReadStatusKb("VmHWM:") * 1024;

    private static long ReadStatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return 0;
    }
}

/// <summary>Samples this process's RSS every 100 ms and keeps the maximum.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public RssSampler()
    {
        _peak = MachineInfo.RssBytes();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var rss = MachineInfo.RssBytes();
                if (rss > Volatile.Read(ref _peak)) Volatile.Write(ref _peak, rss);
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public long PeakBytes => Volatile.Read(ref _peak);

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait();
        _stop.Dispose();
    }
}

/// <summary>Provider-shaped events of a chosen size (unique UUIDs, valid RFC 3339 dates, known categories).</summary>
internal static class BenchEvents
{
    private static readonly string[] Categories = ["USER", "ORDER", "ACCOUNT", "EXECUTION", "POSITION", "CASH_BALANCE", "INSTRUMENT", "PORTFOLIO"];

    public static byte[] Create(int targetBytes, int index = 0, long producedAtTicks = 0, string? type = null)
    {
        type ??= Categories[index % Categories.Length] + ".CREATED";
        var head = $$"""{"id":"{{Guid.NewGuid()}}","created_at":"2026-11-22T10:00:00.123Z","type":"{{type}}","object":{"id":"{{Guid.NewGuid()}}","sent":{{producedAtTicks}},"status":"CREATED","note":""" + "\"";
        const string tail = "\"},\"webhook_id\":\"00000000-0000-0000-0000-000000000000\"}";
        var pad = Math.Max(0, targetBytes - head.Length - tail.Length);
        var text = head + new string('x', pad) + tail;
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Field names of a stream in another shape, for <see cref="CreateStreamShaped"/>.</summary>
    public static readonly EventRouter.Validation.EventFieldNames StreamFields = new("event_id", "event_type", "timestamp", "data");

    /// <summary>
    /// The same event with its top-level fields named as in <see cref="StreamFields"/>, and of the
    /// same size: the longer names' extra bytes come out of the padding.
    /// </summary>
    public static byte[] CreateStreamShaped(int targetBytes, string type)
    {
        var text = Encoding.UTF8.GetString(Create(targetBytes, type: type));
        text = RenameFirst(text, "{\"id\":", "{\"event_id\":");
        text = RenameFirst(text, "\"created_at\":", "\"timestamp\":");
        text = RenameFirst(text, "\"type\":", "\"event_type\":");
        text = RenameFirst(text, "\"object\":", "\"data\":");
        var extra = text.Length - targetBytes;
        if (extra > 0) text = text.Remove(text.IndexOf("xxxx", StringComparison.Ordinal), extra);
        return Encoding.UTF8.GetBytes(text);
    }

    private static string RenameFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        return text[..at] + to + text[(at + from.Length)..];
    }
}

/// <summary>Azurite from the repository's npm install (queue + blob), on free loopback ports, data on disk or in memory.</summary>
internal sealed class Azurite : IAsyncDisposable
{
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;
    private readonly string _dir;

    private Azurite(Process process, string dir, int queuePort, int blobPort)
    {
        _process = process;
        _dir = dir;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{Account};QueueEndpoint=http://127.0.0.1:{queuePort}/{Account};";
    }

    public string ConnectionString { get; }

    public static async Task<Azurite> StartAsync(bool inMemory = false)
    {
        var exe = Find();
        var dir = Directory.CreateTempSubdirectory("eventrouter-bench-azurite-").FullName;
        int queuePort = FreePort(), blobPort = FreePort(), tablePort = FreePort();
        var info = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // Azurite refuses --location together with --inMemoryPersistence.
        foreach (var a in (inMemory ? new[] { "--inMemoryPersistence" } : new[] { "--location", dir }).Concat(new[] { "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
                     "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
                     "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture) }))
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start Azurite");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, dir, queuePort, blobPort);
        // Ctrl+C or SIGTERM of the harness must not leave the emulator running.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await Listening(queuePort) && await Listening(blobPort)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await azurite.DisposeAsync();
                throw new InvalidOperationException("Azurite did not start");
            }
            await Task.Delay(50);
        }
        return azurite;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }

    private static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var c = Path.Combine(d.FullName, "node_modules", ".bin", "azurite");
                if (File.Exists(c)) return c;
            }
        throw new FileNotFoundException("Azurite is not installed: run `npm ci` in the repository root.");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task<bool> Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

internal static class Fmt
{
    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + "/s";
    public static string Ratio(double r) => r.ToString("0.00", CultureInfo.InvariantCulture);
    public static string Ms(double ms) => ms.ToString("N0", CultureInfo.InvariantCulture) + " ms";
    public static string MiB(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture) + " MiB";
}

/// <summary>The Kafka settings every benchmark worker shares: the mock cluster, one Notifications topic, no Prices.</summary>
internal static class KafkaBenchSettings
{
    /// <summary>The benchmark consumers' <c>fetch.wait.max.ms</c> on the mock cluster (see <see cref="For"/>); kcat gets it too where the settings must match.</summary>
    public const string MockFetchWaitMaxMs = "10";

    public static Dictionary<string, string?> For(string bootstrap, string topic, string group) => new()
    {
        ["Kafka:BootstrapServers"] = bootstrap,
        ["Kafka:SecurityProtocol"] = "Plaintext",
        ["Kafka:ConsumerGroup"] = group,
        ["Kafka:Topics:Notifications"] = topic,
        ["Kafka:Topics:Prices"] = "",
        ["Kafka:Consumer:session.timeout.ms"] = "6000",
        // The mock cluster answers a fetch that finds no data only after the whole fetch.wait.max.ms
        // (librdkafka's default 500 ms), even if records arrive meanwhile (rdkafka_mock_handlers.c says
        // so); a real broker answers as soon as there is data. Without this, every record produced
        // while a fetch waits sits up to 500 ms on the mock, which only the end-to-end latency sees.
        ["Kafka:Consumer:fetch.wait.max.ms"] = MockFetchWaitMaxMs,
    };
}

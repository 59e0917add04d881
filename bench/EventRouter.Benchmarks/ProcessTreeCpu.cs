using System.Globalization;

namespace EventRouter.Benchmarks;

/// <summary>
/// CPU time of a process and its descendants, grouped by role (the process itself, each kind of
/// Azurite child, the rest), sampled from <c>/proc</c> while they run. Per-event CPU is what the
/// machine's load does not change much, where throughput is what it changes most; divided into
/// the cores it says how fast this machine could go with nothing else running. The last interval
/// of each process (under <see cref="Interval"/>) is not seen.
/// </summary>
internal sealed class ProcessTreeCpu : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    private readonly int _root;
    private readonly Dictionary<int, (string Role, long Ticks)> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public ProcessTreeCpu(int rootProcessId)
    {
        _root = rootProcessId;
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>CPU seconds by role, after <see cref="DisposeAsync"/> or while sampling.</summary>
    public IReadOnlyDictionary<string, double> SecondsByRole()
    {
        lock (_seen)
        {
            return _seen.Values.GroupBy(v => v.Role).ToDictionary(g => g.Key, g => g.Sum(v => v.Ticks) / TicksPerSecond);
        }
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Sample();
            try { await Task.Delay(Interval, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    private void Sample()
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                // Fields after the command name, which is in parentheses and may hold spaces.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // Gone between the listing and the read.
            }
        }
        foreach (var (pid, used) in ticks)
        {
            if (!DescendsFromRoot(pid, parents)) continue;
            lock (_seen)
            {
                var role = _seen.TryGetValue(pid, out var known) ? known.Role : RoleOf(pid);
                _seen[pid] = (role, used);
            }
        }
    }

    private bool DescendsFromRoot(int pid, Dictionary<int, int> parents)
    {
        for (var current = pid; current > 1; current = parents.GetValueOrDefault(current))
        {
            if (current == _root) return true;
        }
        return false;
    }

    private string RoleOf(int pid)
    {
        if (pid == _root) return "worker";
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            if (commandLine.Contains("azurite-queue", StringComparison.Ordinal)) return "azurite-queue";
            if (commandLine.Contains("azurite-blob", StringComparison.Ordinal)) return "azurite-blob";
            if (commandLine.Contains("azurite", StringComparison.Ordinal)) return "azurite";
        }
        catch (IOException)
        {
        }
        return "other";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}

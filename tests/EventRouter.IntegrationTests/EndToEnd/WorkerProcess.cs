using System.Collections.Concurrent;
using System.Diagnostics;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// The real <c>eventrouter</c> program as a child process (the build copies EventRouter.Cli.dll next
/// to the tests), configured through environment variables like a container would be. It can be
/// stopped gracefully (SIGTERM) or killed (SIGKILL) and started again.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string[] _arguments;
    private Process? _process;

    public WorkerProcess(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        _environment = environment;
        _arguments = arguments.Length == 0 ? ["run", "--ingest-only"] : arguments;
    }

    /// <summary>Everything the worker wrote to stdout and stderr, across restarts.</summary>
    public ConcurrentQueue<string> Output { get; } = new();
    public int? LastExitCode { get; private set; }

    public void Start()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("Already running.");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventRouter.Cli.dll"));
        foreach (var argument in _arguments) startInfo.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment) startInfo.Environment[key] = value;
        _process = Process.Start(startInfo)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is committed on the way out.</summary>
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        LastExitCode = _process.ExitCode;
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM, then waits for a clean exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (_process is null) return LastExitCode ?? 0;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        LastExitCode = _process.ExitCode;
        _process.Dispose();
        _process = null;
        return LastExitCode.Value;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is null) return LastExitCode ?? 0;
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        LastExitCode = _process.ExitCode;
        return LastExitCode.Value;
    }

    public string OutputText => string.Join('\n', Output);

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) Kill();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}

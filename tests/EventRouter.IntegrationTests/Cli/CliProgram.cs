using System.Diagnostics;
using System.Text;

namespace EventRouter.IntegrationTests.Cli;

/// <summary>
/// The real <c>eventrouter</c> program (EventRouter.Cli.dll, copied next to the tests) as a user runs
/// it: arguments, environment, stdout and stderr apart, the exit code. The environment is cleared of
/// EventRouter settings the test machine may have, so only what a test passes counts.
/// </summary>
internal sealed class CliProgram : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private CliProgram(IReadOnlyDictionary<string, string>? environment, string[] arguments, string? workingDirectory)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventRouter.Cli.dll"));
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        foreach (var key in startInfo.Environment.Keys.ToList())
        {
            if (key.StartsWith("Kafka__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("EventStorage", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("Routing__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Processing__", StringComparison.OrdinalIgnoreCase))
                startInfo.Environment.Remove(key);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) startInfo.Environment[key] = value;
        _process = Process.Start(startInfo)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }
    public string Error { get { lock (_error) return _error.ToString(); } }

    public static CliProgram Start(IReadOnlyDictionary<string, string>? environment, params string[] arguments) => new(environment, arguments, null);

    /// <summary>Runs to the end (at most <paramref name="timeout"/>, default a minute).</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, string[] arguments,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        using var program = new CliProgram(environment, arguments, workingDirectory);
        var code = await program.WaitAsync(timeout ?? TimeSpan.FromMinutes(1));
        return (code, program.Output, program.Error);
    }

    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    /// <summary>Ctrl+C, as a terminal sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString()]);
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// Azurite (the Azure Storage emulator) from the repository's npm dependency, as a child process
/// on loopback ports: the storage peer of <c>eventrouter dev</c> and of the integration tests.
/// Data lives in a folder, so a restart on the same ports keeps queues and messages. For a run
/// that keeps nothing (<see cref="StartScratchAsync"/>), the folder is a throwaway one on a
/// memory-backed file system, and the queue and blob services can run as two processes
/// (<c>azurite-queue</c>, <c>azurite-blob</c>): each Azurite process serves every request on one
/// node.js thread, and that thread is what bounds the sandbox, so two of them serve about twice as
/// much on a machine with a core to spare.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account; it is public and only ever valid for the emulator.
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _executable;
    private readonly bool _split;
    private readonly List<Process> _processes = [];
    // The last lines each process wrote to stderr: why it exited, when it does at start.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errorLines = new();
    private const int ErrorLinesKept = 5;
    private bool _ownsDirectory;

    private AzuriteProcess(string executable, string dataDirectory, int queuePort, int blobPort, bool split = false)
    {
        _executable = executable;
        _split = split;
        DataDirectory = dataDirectory;
        QueuePort = queuePort;
        BlobPort = blobPort;
    }

    /// <summary>The data folder.</summary>
    public string DataDirectory { get; }
    public int QueuePort { get; }
    public int BlobPort { get; }
    public bool IsRunning => _processes.Count > 0 && _processes.All(p => !p.HasExited);

    /// <summary>True when the queue and blob services run as two processes.</summary>
    public bool Split => _split;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};";

    /// <summary>Starts Azurite on free ports (or the given ones) and waits until both services accept connections.</summary>
    public static async Task<AzuriteProcess> StartAsync(string? dataDirectory = null, int queuePort = 0, int blobPort = 0, CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable();
        var temporary = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("eventrouter-azurite-").FullName;
        Directory.CreateDirectory(dataDirectory);
        var azurite = new AzuriteProcess(executable, dataDirectory,
            queuePort == 0 ? FreePort() : queuePort, blobPort == 0 ? FreePort() : blobPort) { _ownsDirectory = temporary };
        await azurite.StartAsync(cancellationToken).ConfigureAwait(false);
        return azurite;
    }

    /// <summary>
    /// Starts Azurite with its data in a throwaway folder, on <c>/dev/shm</c> where the machine has
    /// that memory-backed file system, deleted at dispose: each run starts empty.
    /// </summary>
    /// <remarks>
    /// Not Azurite's <c>--inMemoryPersistence</c>: it keeps every message as an extent of its own,
    /// and its garbage collection removes them one at a time, each removal rebuilding the indexes
    /// of all the others, so the cost of deletes grows with the square of the messages handled
    /// (docs/performance.md, "The sandbox"). A data folder appends messages to shared extent files.
    /// </remarks>
    /// <param name="split">Run the queue and blob services as two processes.</param>
    public static async Task<AzuriteProcess> StartScratchAsync(bool split = false, CancellationToken cancellationToken = default)
    {
        var directory = CreateScratchDirectory();
        var azurite = new AzuriteProcess(FindExecutable(), directory, FreePort(), FreePort(), split) { _ownsDirectory = true };
        try
        {
            await azurite.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return azurite;
    }

    private const string ScratchPrefix = "eventrouter-azurite-";

    // <prefix><pid>-<guid>: the process id lets a later run remove what a killed one left behind,
    // which on /dev/shm would otherwise hold memory until the machine restarts.
    private static string CreateScratchDirectory()
    {
        var root = !OperatingSystem.IsWindows() && Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        foreach (var stale in Directory.EnumerateDirectories(root, ScratchPrefix + "*"))
        {
            var parts = Path.GetFileName(stale)[ScratchPrefix.Length..].Split('-');
            if (parts is [var owner, { Length: 32 }] && int.TryParse(owner, out var pid) && !IsAlive(pid))
            {
                try { Directory.Delete(stale, recursive: true); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            }
        }
        var directory = Path.Combine(root, $"{ScratchPrefix}{Environment.ProcessId}-{Guid.NewGuid():n}");
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // it holds the run's events
        return directory;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    /// <summary>Starts the process again on the same ports and data folder (after <see cref="Kill"/>).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning) return;
        Kill(); // whatever is left of an earlier start
        _errorLines.Clear(); // so that a failed restart gives this start's reason, not an earlier life's
        string[] common = ["--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"];
        string[] storage = ["--location", DataDirectory];
        string[] queue = ["--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        string[] blob = ["--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (_split)
        {
            Launch(_executable + "-queue", [.. common, .. storage, .. queue]);
            Launch(_executable + "-blob", [.. common, .. storage, .. blob]);
        }
        else
        {
            Launch(_executable, [.. common, .. storage, .. queue, .. blob,
                "--tableHost", "127.0.0.1", "--tablePort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await IsListeningAsync(QueuePort).ConfigureAwait(false) && await IsListeningAsync(BlobPort).ConfigureAwait(false)))
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
            {
                exited.WaitForExit(); // until its stderr is read to the end
                var code = exited.ExitCode;
                Kill(); // the other service of a split pair, too
                throw new AzuriteStartException($"Azurite (the storage emulator) exited at start with code {code}{Reason()}.");
            }
            if (DateTime.UtcNow > deadline)
            {
                Kill();
                throw new AzuriteStartException($"Azurite (the storage emulator) did not listen on ports {QueuePort}/{BlobPort} within 30 s{Reason()}.");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private string Reason() => _errorLines.IsEmpty ? "" : ": " + string.Join(" ", _errorLines);

    private void Launch(string executable, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new AzuriteStartException($"Could not start {executable}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Kill();
            throw new AzuriteStartException($"Could not start {executable}: {ex.Message}.");
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data)) return;
            _errorLines.Enqueue(e.Data.Trim());
            while (_errorLines.Count > ErrorLinesKept) _errorLines.TryDequeue(out string? _);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    /// <summary>
    /// Stops the emulator the way an orderly shutdown does (SIGINT, after which Azurite writes its
    /// metadata out), or kills it when it has not exited within <paramref name="timeout"/>.
    /// </summary>
    /// <remarks>
    /// Fault injection uses this, not <see cref="Kill"/>: Azurite acknowledges writes before they
    /// are on disk (a SIGKILL loses some acknowledged messages: docs/guarantees.md, "Azurite is not
    /// durable across SIGKILL"), which real
    /// Azure Storage never does, so a SIGKILL would test the emulator's durability, not ours.
    /// </remarks>
    public void Stop(TimeSpan timeout)
    {
        foreach (var process in _processes.ToArray())
        {
            try
            {
                if (!process.HasExited && SendSignal(process.Id, SigInt) == 0 && process.WaitForExit(timeout))
                {
                    process.Dispose();
                    _processes.Remove(process);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
        Kill();
    }

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Kills the emulator at once (shutdown; acknowledged writes may be lost, see <see cref="Stop"/>).</summary>
    public void Kill()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }
        _processes.Clear();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        if (_ownsDirectory)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The repository's npm-installed Azurite, searched upwards from the current and the program's folder.</summary>
    internal static string FindExecutable()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules", ".bin", "azurite");
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException(
            "Azurite is not installed: run `npm ci` in the EventRouter repository root (it installs the pinned Azure Storage emulator into node_modules).");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

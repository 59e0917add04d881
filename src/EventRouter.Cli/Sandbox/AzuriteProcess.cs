using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// Azurite (the Azure Storage emulator) from the repository's npm dependency, as a child process
/// on loopback ports: the storage peer of <c>eventrouter dev</c> and of the integration tests.
/// Data lives in a folder, so a restart on the same ports keeps queues and messages; or, faster,
/// in memory (<see cref="StartInMemoryAsync"/>), lost when the process ends.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account; it is public and only ever valid for the emulator.
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _executable;
    private Process? _process;
    private bool _ownsDirectory;

    private AzuriteProcess(string executable, string? dataDirectory, int queuePort, int blobPort)
    {
        _executable = executable;
        DataDirectory = dataDirectory;
        QueuePort = queuePort;
        BlobPort = blobPort;
    }

    /// <summary>The data folder, or null when the data lives in memory.</summary>
    public string? DataDirectory { get; }
    public int QueuePort { get; }
    public int BlobPort { get; }
    public bool IsRunning => _process is { HasExited: false };

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

    /// <summary>Starts Azurite keeping its data in memory (faster; a restart starts empty).</summary>
    public static async Task<AzuriteProcess> StartInMemoryAsync(CancellationToken cancellationToken = default)
    {
        var azurite = new AzuriteProcess(FindExecutable(), null, FreePort(), FreePort());
        await azurite.StartAsync(cancellationToken).ConfigureAwait(false);
        return azurite;
    }

    /// <summary>Starts the process again on the same ports and data folder (after <see cref="Kill"/>).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning) return;
        var startInfo = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", FreePort().ToString(),
        })
        {
            startInfo.ArgumentList.Add(argument);
        }
        if (DataDirectory is null)
        {
            startInfo.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            startInfo.ArgumentList.Add("--location");
            startInfo.ArgumentList.Add(DataDirectory);
        }
        _process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await IsListeningAsync(QueuePort).ConfigureAwait(false) && await IsListeningAsync(BlobPort).ConfigureAwait(false)))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Azurite exited at start with code {_process.ExitCode} (ports {QueuePort}/{BlobPort}).");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Azurite did not listen on ports {QueuePort}/{BlobPort} within 30 s.");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the emulator the way an orderly shutdown does (SIGINT, after which Azurite writes its
    /// metadata out), or kills it when it has not exited within <paramref name="timeout"/>.
    /// </summary>
    /// <remarks>
    /// Fault injection uses this, not <see cref="Kill"/>: Azurite acknowledges writes before they
    /// are on disk (measured: 238 of 2,000 acknowledged messages gone after a SIGKILL), which real
    /// Azure Storage never does, so a SIGKILL would test the emulator's durability, not ours.
    /// </remarks>
    public void Stop(TimeSpan timeout)
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited && SendSignal(_process.Id, SigInt) == 0 && _process.WaitForExit(timeout))
            {
                _process.Dispose();
                _process = null;
                return;
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        Kill();
    }

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Kills the emulator at once (shutdown; acknowledged writes may be lost, see <see cref="Stop"/>).</summary>
    public void Kill()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        if (_ownsDirectory && DataDirectory is not null)
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

using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>Locates the repository and runs the Bicep, node, bash and openssl tools the checks use.</summary>
internal static class RepositoryTools
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    public static string PathOf(string relative) => Path.Combine(RepoRoot, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")) && Directory.Exists(Path.Combine(dir.FullName, "infra")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Cannot find the repository root (Functions.sln and infra/) above {AppContext.BaseDirectory}.");
    }

    /// <summary>Fails with one clear message when the pinned npm packages are not installed.</summary>
    public static void RequireNodeModules()
    {
        var missing = new[] { "yaml" }
            .Where(p => !Directory.Exists(Path.Combine(RepoRoot, "node_modules", p)))
            .ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"node_modules lacks {string.Join(", ", missing)}. Run `npm ci` in {RepoRoot} before these tests.");
        }
    }

    public static ToolResult Node(params string[] args)
    {
        RequireNodeModules();
        return Run("node", args);
    }

    public static JsonDocument NodeJson(params string[] args)
    {
        var result = Node(args);
        if (string.IsNullOrWhiteSpace(result.StdOut))
        {
            throw new InvalidOperationException($"node {string.Join(' ', args)} printed nothing (exit {result.ExitCode}):\n{result.StdErr}");
        }

        return JsonDocument.Parse(result.StdOut);
    }

    public static ToolResult Run(string fileName, IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            var hint = fileName == "node" ? " Install Node.js 20 or later, then run `npm ci`." : string.Empty;
            throw new InvalidOperationException($"'{fileName}' is not installed or not on PATH.{hint}", e);
        }

        using (process)
        {
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { stdout.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { stderr.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in time.");
            }

            process.WaitForExit();
            return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }
}

internal sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    public string Describe() => $"exit code {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eventrouter-infra-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

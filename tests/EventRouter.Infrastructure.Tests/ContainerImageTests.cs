using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The Dockerfile, checked without a Docker engine (none runs here or in CI): its stages and user,
/// the paths its build stage copies, and its publish command run for real, with the final stage's
/// entry point, the bundled librdkafka and the shared frameworks checked against that output.
/// </summary>
public sealed class ContainerImageTests
{
    private static readonly Dockerfile File = Dockerfile.Load();

    /// <summary>The final stage's <c>USER</c> (the manifests run the pods as it).</summary>
    public static string ImageUser() => Assert.Single(File.Final.Instructions, i => i.Name == "USER").Arguments;

    [Fact]
    public void Stages_BuildOnTheSdkAndRunOnTheDotnetRuntime_NothingInstalledFromApt()
    {
        Assert.Equal(2, File.Stages.Count);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", File.Stages[0].Image);
        Assert.Equal("build", File.Stages[0].Name);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/(runtime|aspnet):10\.0$", File.Final.Image);

        // The final stage only copies the publish output: no RUN, so no package manager either.
        Assert.DoesNotContain(File.Final.Instructions, i => i.Name == "RUN");
        Assert.All(File.Stages.SelectMany(s => s.Instructions).Where(i => i.Name == "RUN"), run =>
            Assert.DoesNotMatch(@"\b(apt-get|apt|apk|yum|dnf|microdnf)\b", run.Arguments));
    }

    [Fact]
    public void FinalStage_RunsAsANumericNonRootUser()
    {
        var user = ImageUser();
        Assert.Matches(@"^[0-9]+$", user); // numeric, so that Kubernetes' runAsNonRoot can check it
        Assert.NotEqual("0", user);
    }

    [Fact]
    public void BuildStage_CopiesOnlyWhatExists_AndTheDockerignoreKeepsIt()
    {
        var ignored = System.IO.File.ReadAllLines(RepositoryTools.PathOf(".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var copies = File.Stages[0].Instructions.Where(i => i.Name == "COPY").ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var parts = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.DoesNotContain(parts, p => p.StartsWith("--from", StringComparison.Ordinal));
            foreach (var source in parts[..^1])
            {
                var path = RepositoryTools.PathOf(source.TrimEnd('/'));
                Assert.True(System.IO.File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
                Assert.DoesNotContain(source.TrimEnd('/') + "/", ignored);
                Assert.DoesNotContain(source, ignored);
            }
        }

        // The project it publishes is among what was copied.
        var project = PublishCommand().Project;
        Assert.True(System.IO.File.Exists(RepositoryTools.PathOf(project)), project);
        Assert.Contains(copies, c => project.StartsWith(c.Arguments.Split(' ')[0].TrimEnd('/') + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void PublishOutput_HasTheEntryPoint_TheBundledLibrdkafka_AndNeedsOnlyTheImagesFrameworks()
    {
        var (project, output, options) = PublishCommand();
        using var publish = new TempDirectory();

        // The Dockerfile's own command, into a folder of ours. --no-build: the build this test project
        // depends on made the same Release output (ProjectReference), and rebuilding it here would
        // write under the feet of the other test projects running at the same time.
        var run = RepositoryTools.Run("dotnet", ["publish", project, .. options, "--output", publish.Path, "--no-build"], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.Describe());

        // COPY --from=build <output> <WORKDIR>: the entry point's paths are inside the output.
        var copy = Assert.Single(File.Final.Instructions, i => i.Name == "COPY").Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["--from=build", output.TrimEnd('/'), "./"], [copy[0], copy[1].TrimEnd('/'), copy[2]]);
        var workdir = Assert.Single(File.Final.Instructions, i => i.Name == "WORKDIR").Arguments.TrimEnd('/');
        var entrypoint = JsonSerializer.Deserialize<string[]>(Assert.Single(File.Final.Instructions, i => i.Name == "ENTRYPOINT").Arguments)!;
        Assert.Equal("dotnet", entrypoint[0]);
        Assert.StartsWith(workdir + "/", entrypoint[1], StringComparison.Ordinal);
        var dll = Path.Combine(publish.Path, entrypoint[1][(workdir.Length + 1)..]);
        Assert.True(System.IO.File.Exists(dll), $"{entrypoint[1]} is not in the publish output");
        Assert.Equal("EventRouter.Cli.dll", Path.GetFileName(dll)); // the eventrouter command's assembly
        Assert.Equal(["run"], JsonSerializer.Deserialize<string[]>(Assert.Single(File.Final.Instructions, i => i.Name == "CMD").Arguments)!);

        // librdkafka from the NuGet package, where KafkaNativeLibrary looks for it (the self-contained build first).
        foreach (var native in new[] { "runtimes/linux-x64/native/centos8-librdkafka.so", "runtimes/linux-x64/native/librdkafka.so" })
        {
            Assert.True(System.IO.File.Exists(Path.Combine(publish.Path, native)), $"{native} is not in the publish output");
        }

        // Framework-dependent: every shared framework the worker needs must be in the final image.
        using var runtimeConfig = JsonDocument.Parse(System.IO.File.ReadAllText(Path.ChangeExtension(dll, ".runtimeconfig.json")));
        var runtimeOptions = runtimeConfig.RootElement.GetProperty("runtimeOptions");
        var frameworks = (runtimeOptions.TryGetProperty("frameworks", out var list) ? list.EnumerateArray() : new[] { runtimeOptions.GetProperty("framework") }.AsEnumerable())
            .Select(f => f.GetProperty("name").GetString()!).ToArray();
        var provided = File.Final.Image.Contains("/aspnet:", StringComparison.Ordinal)
            ? new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" }
            : ["Microsoft.NETCore.App"];
        Assert.All(frameworks, f => Assert.Contains(f, provided));

        // And the output runs: the mock cluster loads the bundled librdkafka from it and answers.
        AssertMockKafkaStartsFrom(dll);
    }

    /// <summary>The <c>RUN dotnet publish</c> of the build stage: project, <c>--output</c>, and the other options.</summary>
    private static (string Project, string Output, string[] Options) PublishCommand()
    {
        var run = Assert.Single(File.Stages[0].Instructions, i => i.Name == "RUN" && i.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var words = run.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];
        var project = words[0];
        var output = words[Array.IndexOf(words, "--output") + 1];
        var options = new List<string>();
        for (var i = 1; i < words.Length; i++)
        {
            if (words[i] == "--output")
            {
                i++; // and its value
                continue;
            }

            options.Add(words[i]);
        }

        Assert.EndsWith(".csproj", project, StringComparison.Ordinal);
        return (project, output, [.. options]);
    }

    private static void AssertMockKafkaStartsFrom(string dll)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("mock-kafka");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var first = process.StandardOutput.ReadLineAsync();
            Assert.True(first.Wait(TimeSpan.FromSeconds(60)), "eventrouter mock-kafka from the publish output said nothing within 60 s");
            Assert.StartsWith("bootstrap ", first.Result ?? $"(exited: {stderr.Result})", StringComparison.Ordinal);
            process.StandardInput.WriteLine("exit");
            process.StandardInput.Flush();
            Assert.True(process.WaitForExit(30_000), "eventrouter mock-kafka did not exit");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>A Dockerfile read into stages and instructions (line continuations joined, comments dropped).</summary>
internal sealed record Dockerfile(IReadOnlyList<DockerStage> Stages)
{
    public DockerStage Final => Stages[^1];

    public static Dockerfile Load()
    {
        var logical = new List<string>();
        var current = "";
        foreach (var raw in System.IO.File.ReadAllLines(RepositoryTools.PathOf("Dockerfile")))
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#'))) continue;
            if (line.EndsWith('\\'))
            {
                current += line[..^1].Trim() + " ";
                continue;
            }

            logical.Add((current + line).Trim());
            current = "";
        }

        var stages = new List<DockerStage>();
        foreach (var line in logical)
        {
            var space = line.IndexOf(' ');
            var name = line[..space].ToUpperInvariant();
            var arguments = line[(space + 1)..].Trim();
            if (name == "FROM")
            {
                var from = Regex.Match(arguments, @"^(\S+)(?:\s+AS\s+(\S+))?$", RegexOptions.IgnoreCase);
                stages.Add(new DockerStage(from.Groups[1].Value, from.Groups[2].Success ? from.Groups[2].Value : null, new List<DockerInstruction>()));
            }
            else
            {
                ((List<DockerInstruction>)stages[^1].Instructions).Add(new DockerInstruction(name, arguments));
            }
        }

        return new Dockerfile(stages);
    }
}

internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions);

internal sealed record DockerInstruction(string Name, string Arguments);

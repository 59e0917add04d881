using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace EventRouter.Functions.Tests;

/// <summary>
/// The Functions app as the worker SDK built and published it (the test project's build publishes
/// it into <c>functions-app/</c> beside the test binaries), and the repository files it derives from.
/// </summary>
internal static class FunctionsAppOutput
{
    public static string PublishDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "functions-app");

    /// <summary>Whether this build has the Kafka-triggered functions (MSBuild property KafkaTrigger).</summary>
    public static bool HasKafkaTrigger { get; } = bool.Parse(
        typeof(FunctionsAppOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "KafkaTrigger").Value!);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static JsonDocument ReadJson(string relativePath)
    {
        var path = Path.Combine(PublishDirectory, relativePath);
        Assert.True(File.Exists(path), $"{path} is missing: the SDK did not write it, or the publish step did not run.");
        return JsonDocument.Parse(File.ReadAllText(path));
    }

    private static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Functions.sln"))) return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Functions.sln not found above {AppContext.BaseDirectory} or {sourceFile}");
    }
}

/// <summary>One function of <c>functions.metadata</c> and its trigger binding.</summary>
internal sealed record GeneratedFunction(string Name, string EntryPoint, JsonElement Trigger, JsonElement? Retry)
{
    public string TriggerType => Trigger.GetProperty("type").GetString()!;

    public string? Binding(string property) =>
        Trigger.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, property, StringComparison.OrdinalIgnoreCase)).Value is
            { ValueKind: not JsonValueKind.Undefined } value ? value.ToString() : null;

    public static IReadOnlyList<GeneratedFunction> ReadAll(JsonDocument metadata) =>
        [.. metadata.RootElement.EnumerateArray().Select(function => new GeneratedFunction(
            function.GetProperty("name").GetString()!,
            function.GetProperty("entryPoint").GetString()!,
            function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)),
            function.TryGetProperty("retry", out var retry) && retry.ValueKind == JsonValueKind.Object ? retry : null))];
}

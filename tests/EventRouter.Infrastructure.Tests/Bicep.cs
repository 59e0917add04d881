using System.Reflection;
using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The Bicep CLI from the Azure.Bicep.CommandLine package, and what this project's build made with it:
/// every template compiled to ARM JSON (<c>bicep/templates/</c>) and every environment's .bicepparam
/// compiled to a parameters file (<c>bicep/parameters/</c>), beside the test binaries.
/// </summary>
internal static class Bicep
{
    public static string CliPath { get; } =
        typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    public static string CompiledDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "bicep");

    /// <summary>The ARM JSON the build compiled from <c>infra/&lt;relative&gt;.bicep</c>.</summary>
    public static JsonDocument CompiledTemplate(string relativeToInfra) =>
        ReadJson(Path.Combine(CompiledDirectory, "templates", Path.ChangeExtension(relativeToInfra, ".json")));

    /// <summary>The parameters file the build compiled from <c>infra/env/&lt;environment&gt;.bicepparam</c>.</summary>
    public static JsonDocument CompiledParameters(string environment) =>
        ReadJson(Path.Combine(CompiledDirectory, "parameters", $"{environment}.parameters.json"));

    public static ToolResult Run(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        RepositoryTools.Run(CliPath, args, TimeSpan.FromMinutes(3), environment);

    private static JsonDocument ReadJson(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: building this project compiles infra/ (target CompileInfrastructure).");
        return JsonDocument.Parse(File.ReadAllText(path));
    }
}

using System.Collections.Concurrent;
using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// What a deployment of infra/main.bicep creates, as <c>bicep snapshot</c> predicts it: the compiled
/// template evaluated by the deployment engine the Bicep CLI carries, with one set of parameters, every
/// loop, condition and module expanded. Values only known in Azure (a vault's URI, an identity's ids)
/// stay ARM expressions such as <c>[reference('/subscriptions/…/vaults/kv-…', '2023-07-01').vaultUri]</c>.
/// </summary>
internal sealed class PredictedDeployment
{
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000aa";
    public const string TenantId = "00000000-0000-0000-0000-0000000000bb";
    public const string ResourceGroup = "rg-eventrouter-test";
    public const string SampleBootstrapServers = "broker-1.provider.example:9094,broker-2.provider.example:9094";

    private static readonly ConcurrentDictionary<string, Lazy<PredictedDeployment>> Cache = new();

    private PredictedDeployment(string name, JsonDocument snapshot)
    {
        Name = name;
        Resources = [.. snapshot.RootElement.GetProperty("predictedResources").EnumerateArray().Select(r => r.Clone())];
        Outputs = snapshot.RootElement.GetProperty("outputs").Clone();
    }

    public string Name { get; }
    public IReadOnlyList<JsonElement> Resources { get; }
    public JsonElement Outputs { get; }

    public IEnumerable<JsonElement> OfType(string type) =>
        Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    public JsonElement Single(string type) => Assert.Single(OfType(type));

    /// <summary>The last segment of each resource name of <paramref name="type"/> (<c>st…/default/events-user</c> → <c>events-user</c>).</summary>
    public IReadOnlyList<string> ChildNames(string type) =>
        [.. OfType(type).Select(r => r.GetProperty("name").GetString()!.Split('/')[^1])];

    public IReadOnlyDictionary<string, string> AppSettings =>
        Single("Microsoft.Web/sites/config").GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());

    public string ResourceId(string type, string name) =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/{type}/{name}";

    public string NameOf(string type) => Single(type).GetProperty("name").GetString()!;

    /// <summary>The deployment of one environment's parameters file, infra/env/&lt;environment&gt;.bicepparam.</summary>
    public static PredictedDeployment ForEnvironment(string environment) => Get(environment, () => ParamLines(environment));

    /// <summary>A deployment of the sandbox parameters with some of them replaced.</summary>
    public static PredictedDeployment SandboxWith(string name, IReadOnlyDictionary<string, string> overrides) =>
        Get(name, () =>
        {
            var lines = ParamLines("sandbox").Where(l => !overrides.ContainsKey(ParamName(l)));
            return lines.Concat(overrides.Select(o => $"param {o.Key} = {o.Value}"));
        });

    private static IEnumerable<string> ParamLines(string environment) =>
        File.ReadAllLines(RepositoryTools.PathOf($"infra/env/{environment}.bicepparam")).Where(l => l.StartsWith("param ", StringComparison.Ordinal));

    private static string ParamName(string line) => line.Split(' ', 3)[1];

    private static PredictedDeployment Get(string name, Func<IEnumerable<string>> paramLines) =>
        Cache.GetOrAdd(name, _ => new Lazy<PredictedDeployment>(() => Predict(name, paramLines()))).Value;

    private static PredictedDeployment Predict(string name, IEnumerable<string> paramLines)
    {
        // A .bicepparam names its template by a relative path, so the file lives beside the test binaries.
        var directory = Path.Combine(AppContext.BaseDirectory, "bicep", "snapshots");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{name}.bicepparam");
        var template = Path.GetRelativePath(directory, RepositoryTools.PathOf("infra/main.bicep")).Replace('\\', '/');
        File.WriteAllLines(file, [$"using '{template}'", "", .. paramLines]);

        var result = Bicep.Run(
            ["snapshot", file, "--mode", "overwrite", "--subscription-id", SubscriptionId, "--tenant-id", TenantId,
             "--resource-group", ResourceGroup, "--location", "westeurope", "--deployment-name", "eventrouter"],
            new Dictionary<string, string> { ["KAFKA_BOOTSTRAP_SERVERS"] = SampleBootstrapServers });
        Assert.True(result.ExitCode == 0, $"bicep snapshot {name}: {result.Describe()}");
        using var snapshot = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(file, ".snapshot.json")));
        Assert.Empty(snapshot.RootElement.GetProperty("diagnostics").EnumerateArray());
        return new PredictedDeployment(name, snapshot);
    }
}

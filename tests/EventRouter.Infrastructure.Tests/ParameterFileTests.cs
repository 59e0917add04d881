using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The environments' parameters (infra/env/*.bicepparam, compiled by `bicep build-params`, which
/// refuses a missing or unknown parameter) and azd's infra/main.parameters.json, checked against the
/// compiled template's parameters.
/// </summary>
public sealed class ParameterFileTests
{
    private static JsonElement TemplateParameters()
    {
        using var main = Bicep.CompiledTemplate("main.bicep");
        return main.RootElement.GetProperty("parameters").Clone();
    }

    public static TheoryData<string> Environments => ["sandbox", "production"];

    [Fact]
    public void Environments_AreExactlySandboxAndProduction()
    {
        var files = Directory.EnumerateFiles(RepositoryTools.PathOf("infra/env")).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(["production.bicepparam", "sandbox.bicepparam"], files);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void EnvironmentParameters_AreTemplateParameters_ForTheirOwnProviderEnvironment(string environment)
    {
        using var compiled = Bicep.CompiledParameters(environment);
        var parameters = compiled.RootElement.GetProperty("parameters");
        var template = TemplateParameters();

        Assert.All(parameters.EnumerateObject(), p => Assert.True(template.TryGetProperty(p.Name, out _), $"{environment}: {p.Name} is not a parameter of main.bicep"));
        Assert.All(template.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _) && !p.Value.TryGetProperty("nullable", out _)),
            p => Assert.True(parameters.TryGetProperty(p.Name, out _), $"{environment}: required parameter {p.Name} is missing"));
        Assert.Equal(environment, parameters.GetProperty("providerEnvironment").GetProperty("value").GetString());
        Assert.Equal(environment, parameters.GetProperty("environmentName").GetProperty("value").GetString());
        Assert.False(parameters.TryGetProperty("kafkaPassword", out _), "a committed parameters file must not carry the SASL password");
    }

    [Theory]
    [InlineData("param kafkaTopic = 'Notifications'", "BCP259")]
    [InlineData("", "BCP258")]
    public void BuildParams_RefusesAnUnknownOrAMissingParameter(string extraLine, string expectedError)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "bicep", "refused");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{expectedError}.bicepparam");
        var template = Path.GetRelativePath(directory, RepositoryTools.PathOf("infra/main.bicep")).Replace('\\', '/');
        var lines = new List<string> { $"using '{template}'", "param environmentName = 'x'", "param providerEnvironment = 'sandbox'",
            "param kafkaBootstrapServers = 'b:9094'", "param kafkaSaslMechanism = 'Plain'" };
        if (extraLine.Length > 0) lines.Add(extraLine);
        if (expectedError == "BCP259") lines.Add("param kafkaConsumerGroup = 'g'");
        File.WriteAllLines(file, lines);

        var result = Bicep.Run(["build-params", file, "--stdout"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expectedError, result.StdErr + result.StdOut);
    }

    [Fact]
    public void EnvironmentWithoutBootstrapServers_DoesNotCompile()
    {
        var result = Bicep.Run(["build-params", RepositoryTools.PathOf("infra/env/sandbox.bicepparam"), "--stdout"],
            new Dictionary<string, string> { ["KAFKA_BOOTSTRAP_SERVERS"] = "" });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("kafkaBootstrapServers", File.ReadAllText(RepositoryTools.PathOf("infra/env/sandbox.bicepparam")));
    }

    [Fact]
    public void AzdParameters_NameTemplateParameters_AndCoverTheRequiredOnes()
    {
        using var azd = JsonDocument.Parse(File.ReadAllText(RepositoryTools.PathOf("infra/main.parameters.json")));
        var parameters = azd.RootElement.GetProperty("parameters");
        var template = TemplateParameters();

        Assert.All(parameters.EnumerateObject(), p =>
        {
            Assert.True(template.TryGetProperty(p.Name, out var declared), $"infra/main.parameters.json: {p.Name} is not a parameter of main.bicep");
            Assert.NotEqual("securestring", declared.GetProperty("type").GetString());
            // "${NAME=default}": the default must be an allowed value.
            var value = p.Value.GetProperty("value").GetString()!;
            var fallback = value.Contains('=') ? value[(value.IndexOf('=') + 1)..^1] : null;
            if (fallback is not null && declared.TryGetProperty("allowedValues", out var allowed))
                Assert.Contains(fallback, allowed.EnumerateArray().Select(a => a.ToString()));
        });
        Assert.All(template.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _) && !p.Value.TryGetProperty("nullable", out _)),
            p => Assert.True(parameters.TryGetProperty(p.Name, out _), $"infra/main.parameters.json: required parameter {p.Name} is missing"));
    }

    [Fact]
    public void AzureYaml_PointsAtMainBicepAndTheFunctionsProject()
    {
        var yaml = File.ReadAllLines(RepositoryTools.PathOf("azure.yaml")).Select(l => l.Trim()).ToList();

        Assert.Contains("path: infra", yaml);
        Assert.Contains("module: main", yaml);
        Assert.Contains("project: ./src/EventRouter.Functions", yaml);
        Assert.Contains("host: function", yaml);
        Assert.True(File.Exists(RepositoryTools.PathOf("src/EventRouter.Functions/EventRouter.Functions.csproj")));
    }
}

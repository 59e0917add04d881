using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The templates as the Bicep CLI compiled them. That every template compiles and lints without a
/// warning is this project's build (target CompileInfrastructure); these tests read its output.
/// </summary>
public sealed partial class TemplateTests
{
    private static IEnumerable<string> Templates() =>
        Directory.EnumerateFiles(RepositoryTools.PathOf("infra"), "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryTools.PathOf("infra"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"#disable-(next-line|diagnostics)\s+(?<rules>[\w\s-]+?)(\s*//\s*(?<reason>.*))?$")]
    private static partial Regex Suppression();

    [Fact]
    public void EveryTemplate_IsCompiled_FromThePackagesBicepCli()
    {
        Assert.Contains("main.bicep", Templates());
        Assert.All(Templates(), template =>
        {
            using var compiled = Bicep.CompiledTemplate(template);
            var generator = compiled.RootElement.GetProperty("metadata").GetProperty("_generator");
            Assert.Equal("bicep", generator.GetProperty("name").GetString());
            Assert.StartsWith("0.49.2.", generator.GetProperty("version").GetString());
        });
        var version = Bicep.Run(["--version"]);
        Assert.Contains("Bicep CLI version 0.49.2", version.StdOut);
    }

    /// <summary>A linter warning may only be silenced next to its line, with the reason on the same line.</summary>
    [Fact]
    public void LinterSuppressions_AreNextToTheirLine_WithAReason()
    {
        var suppressions = Templates()
            .SelectMany(t => File.ReadAllLines(RepositoryTools.PathOf($"infra/{t}")).Select((line, i) => (Template: t, Line: i + 1, Text: line.Trim())))
            .Where(l => l.Text.StartsWith("#disable", StringComparison.Ordinal))
            .ToList();

        Assert.All(suppressions, s =>
        {
            var match = Suppression().Match(s.Text);
            Assert.True(match.Success && match.Groups[1].Value == "next-line", $"infra/{s.Template}:{s.Line}: use #disable-next-line <rule> // <reason>");
            Assert.False(string.IsNullOrWhiteSpace(match.Groups["reason"].Value), $"infra/{s.Template}:{s.Line}: the suppression gives no reason");
        });
        var secretName = Assert.Single(suppressions);
        Assert.Equal("main.bicep", secretName.Template);
        Assert.Contains("outputs-should-not-contain-secrets", secretName.Text);
    }

    [Fact]
    public void ALinterWarning_IsReportedInTheFormTheBuildFailsOn()
    {
        using var dir = new TempDirectory();
        var template = Path.Combine(dir.Path, "warning.bicep");
        File.WriteAllText(template, "param unused string\n");

        var lint = Bicep.Run(["lint", template]);

        // MSBuild's Exec turns "file(line,col) : Warning rule: text" into a warning, which this project treats as an error.
        Assert.Matches(@"warning\.bicep\(1,7\) : Warning no-unused-params: ", lint.StdOut + lint.StdErr);
    }

    [Fact]
    public void EveryParameter_OfEveryTemplate_HasADescription()
    {
        Assert.All(Templates(), template =>
        {
            using var compiled = Bicep.CompiledTemplate(template);
            foreach (var parameter in compiled.RootElement.GetProperty("parameters").EnumerateObject())
            {
                Assert.True(parameter.Value.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("description", out var description)
                    && description.GetString()!.Length > 10, $"infra/{template}: parameter {parameter.Name} has no @description");
            }
        });
    }

    [Fact]
    public void Outputs_CarryNamesNeverSecrets()
    {
        using var main = Bicep.CompiledTemplate("main.bicep");
        var secure = main.RootElement.GetProperty("parameters").EnumerateObject()
            .Where(p => p.Value.GetProperty("type").GetString() is "securestring" or "secureObject").Select(p => p.Name).ToList();

        Assert.Equal(["kafkaPassword", "kafkaUsername"], secure.Order());
        var outputs = main.RootElement.GetProperty("outputs").EnumerateObject().ToList();
        Assert.Contains(outputs, o => o.Name == "KAFKA_PASSWORD_SECRET_NAME");
        Assert.All(outputs, output =>
        {
            var expression = output.Value.GetProperty("value").ToString();
            Assert.All(secure, s => Assert.DoesNotContain($"parameters('{s}')", expression));
            Assert.DoesNotMatch("(?i)listKeys|ConnectionString|list[A-Z]\\w*\\(|primaryKey|secretValue", expression);
        });
        Assert.Equal("kafka-sasl-password", Deployments.Get("sandbox").Outputs.GetProperty("KAFKA_PASSWORD_SECRET_NAME").GetString());
    }
}

using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>Bicep syntax and the structural checks of infra/check/check-templates.js.</summary>
public sealed class TemplateTests
{
    [Fact]
    public void EveryBicepFile_Parses()
    {
        var result = RepositoryTools.Node("infra/check/parse-bicep.js");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("infra/main.bicep", result.StdOut);
        Assert.Contains("infra/modules/functions.bicep", result.StdOut);
    }

    [Fact]
    public void ParseCheck_NamesFileAndLine_OfASyntaxError()
    {
        using var dir = new TempDirectory();
        var broken = Path.Combine(dir.Path, "broken.bicep");
        File.WriteAllText(broken, "param ok string\nvar spread = {\n  ...other\n}\n");

        var result = RepositoryTools.Node("infra/check/parse-bicep.js", broken);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"broken\.bicep:3:\d+: ERROR", result.StdOut);
    }

    [Fact]
    public void AllTemplateChecks_Pass()
    {
        using var doc = RepositoryTools.NodeJson("infra/check/check-templates.js", "--json");
        AssertAllPassed(doc, "infra/check/check-templates.js");
    }

    [Fact]
    public void HostingPlans_AreFlexConsumptionWithDotnet10_OrElasticPremiumWithScaleMonitoring()
    {
        var flex = TemplateReport.Plan("FlexConsumption");
        Assert.Equal("FC1", flex.GetProperty("planSku").GetString());
        Assert.Equal("dotnet-isolated", flex.GetProperty("functionAppConfigRuntime").GetProperty("name").GetString());
        Assert.Equal("10.0", flex.GetProperty("functionAppConfigRuntime").GetProperty("version").GetString());
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", TemplateReport.AppSettings("FlexConsumption"));

        var premium = TemplateReport.Plan("ElasticPremium");
        Assert.Equal("EP1", premium.GetProperty("planSku").GetString());
        Assert.True(premium.GetProperty("functionsRuntimeScaleMonitoringEnabled").GetBoolean());
        Assert.Equal("DOTNET-ISOLATED|10.0", premium.GetProperty("linuxFxVersion").GetString());
    }

    [Fact]
    public void Outputs_CarryNamesNeverSecrets()
    {
        var secure = TemplateReport.Strings(TemplateReport.Root.GetProperty("secureParams"));
        Assert.Contains("kafkaPassword", secure);
        foreach (var output in TemplateReport.Root.GetProperty("outputs").EnumerateArray())
        {
            var expression = output.GetProperty("expression").GetString()!;
            Assert.All(secure, s => Assert.DoesNotMatch($@"\b{s}\b", expression));
            Assert.DoesNotContain("ConnectionString", expression);
            Assert.DoesNotContain("listKeys", expression);
        }
    }

    internal static void AssertAllPassed(JsonDocument doc, string source)
    {
        var failed = doc.RootElement.EnumerateArray()
            .Where(c => !c.GetProperty("passed").GetBoolean())
            .Select(c => $"{c.GetProperty("name").GetString()}:\n  " + string.Join("\n  ", TemplateReport.Strings(c.GetProperty("problems"))))
            .ToArray();
        Assert.True(doc.RootElement.GetArrayLength() > 0, $"{source} reported no checks");
        Assert.True(failed.Length == 0, $"{source} failed:\n" + string.Join("\n", failed));
    }
}

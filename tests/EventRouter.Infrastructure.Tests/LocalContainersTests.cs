using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>docker-compose.yml and the certificate script, checked without Docker.</summary>
public sealed class LocalContainersTests
{
    [Fact]
    public void ComposeFile_ParsesAndEveryReferencedFileExists()
    {
        using var doc = RepositoryTools.NodeJson("infra/check/check-compose.js", "--json");
        var failed = doc.RootElement.EnumerateArray()
            .Where(c => !c.GetProperty("passed").GetBoolean())
            .Select(c => $"{c.GetProperty("name").GetString()}:\n  " + string.Join("\n  ", c.GetProperty("problems").EnumerateArray().Select(p => p.GetString())))
            .ToArray();
        Assert.True(doc.RootElement.GetArrayLength() > 0, "infra/check/check-compose.js reported no checks");
        Assert.True(failed.Length == 0, "infra/check/check-compose.js failed:\n" + string.Join("\n", failed));
    }

    [Fact]
    public void GenerateCerts_ProducesACaAndABrokerCertificate_ThatOpensslVerifies()
    {
        using var dir = new TempDirectory();
        var generate = RepositoryTools.Run("bash", ["infra/local/generate-certs.sh", "--out", dir.Path]);
        Assert.True(generate.ExitCode == 0, generate.Describe());

        var ca = Path.Combine(dir.Path, "ca.crt");
        var broker = Path.Combine(dir.Path, "broker.crt");
        var verify = RepositoryTools.Run("openssl", ["verify", "-CAfile", ca, broker]);
        Assert.True(verify.ExitCode == 0, verify.Describe());
        Assert.Contains($"{broker}: OK", verify.StdOut);

        foreach (var host in new[] { "kafka", "localhost" })
        {
            var named = RepositoryTools.Run("openssl", ["verify", "-CAfile", ca, "-verify_hostname", host, broker]);
            Assert.True(named.ExitCode == 0, $"not valid for {host}: {named.Describe()}");
        }

        Assert.True(File.Exists(Path.Combine(dir.Path, "broker.p12")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "broker-keystore.password")));
    }

    [Fact]
    public void CertificateChecks_IncludingTheLibrdkafkaHandshake_Pass()
    {
        var result = RepositoryTools.Run("bash", ["infra/check/check-certs.sh"], TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Matches(@"\d+ passed, 0 failed", result.StdOut);
    }

    [Fact]
    public void SampleProducer_DryRun_EmitsOneEventPerCategoryAndThePrices()
    {
        var result = RepositoryTools.Run("bash", ["infra/local/produce-sample-events.sh", "--dry-run"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        var records = result.StdOut.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.Equal(ExpectedStorage.KnownCategories.Count + 3, records.Length);
        foreach (var category in ExpectedStorage.KnownCategories)
        {
            Assert.Contains(records, r => r.Contains($"\"type\":\"{category}.CREATED\"", StringComparison.Ordinal));
        }

        var commands = result.StdOut.Split('\n').Where(l => l.StartsWith("# kcat", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, commands.Length);
        Assert.All(commands, c =>
        {
            Assert.Contains("security.protocol=SASL_SSL", c);
            Assert.Contains("sasl.mechanisms=SCRAM-SHA-512", c);
            Assert.Contains("ssl.ca.location=", c);
            Assert.Contains("sasl.password=****", c);
        });
    }
}

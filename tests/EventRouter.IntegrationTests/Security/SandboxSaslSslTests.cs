using EventRouter.IntegrationTests.EndToEnd;
using Xunit.Abstractions;
using static EventRouter.IntegrationTests.Kafka.KafkaTestKit;

namespace EventRouter.IntegrationTests.Security;

/// <summary>
/// <c>eventrouter dev</c> runs SASL_SSL with SCRAM-SHA-512 through the TLS + SASL front by default, and
/// the kcat command it prints (the provider's guide's way) reaches it; <c>--plaintext</c> does not use the front.
/// </summary>
public sealed class SandboxSaslSslTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Dev_Default_SaslSslAndThePrintedKcatCommandListsTheTopicsWithoutPrintingThePassword()
    {
        await using var sandbox = new WorkerProcess(new Dictionary<string, string>(), "dev", "--rate", "50");

        sandbox.Start();
        await WaitUntilAsync(() => sandbox.Output.Any(l => l.TrimStart().StartsWith("kcat -b ", StringComparison.Ordinal)), "the sandbox prints its kcat command", TimeSpan.FromMinutes(2));
        var kcat = sandbox.Output.First(l => l.TrimStart().StartsWith("kcat -b ", StringComparison.Ordinal)).Trim();
        var (exitCode, listing) = await RunProcessAsync("sh", ["-c", kcat]);
        var passwordFile = System.Text.RegularExpressions.Regex.Match(kcat, @"\$\(cat (?<path>[^)]+)\)").Groups["path"].Value;
        var password = await File.ReadAllTextAsync(passwordFile);
        var stopped = await sandbox.StopAsync(TimeSpan.FromSeconds(60));
        var text = sandbox.OutputText;
        output.WriteLine(kcat);
        output.WriteLine(listing);
        output.WriteLine(text);

        Assert.Matches(@"Security\s*│\s*SASL_SSL, SCRAM-SHA-512 as 'eventrouter-dev'", text);
        Assert.Matches(@"^kcat -b 127\.0\.0\.1:\d+ -X security\.protocol=SASL_SSL -X sasl\.mechanism=SCRAM-SHA-512 -X sasl\.username=eventrouter-dev -X sasl\.password=""\$\(cat /\S+/kafka-password\)"" -X ssl\.ca\.location=/\S+/ca\.pem -L$", kcat);
        Assert.True(exitCode == 0, listing);
        Assert.Contains("topic \"Notifications\" with 6 partitions", listing, StringComparison.Ordinal);
        Assert.Contains("topic \"Prices\" with 6 partitions", listing, StringComparison.Ordinal);
        Assert.Equal(32, password.Length);
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.Equal(0, stopped);
        Assert.False(File.Exists(passwordFile), "the password file is deleted on stop");
    }

    [Fact]
    public async Task Dev_Plaintext_TalksToTheMockDirectlyAndStillAccountsForEveryEvent()
    {
        await using var sandbox = new WorkerProcess(new Dictionary<string, string>(), "dev", "--plaintext", "--events", "100", "--rate", "200");

        sandbox.Start();
        var exitCode = await sandbox.WaitForExitAsync(TimeSpan.FromMinutes(4));
        var text = sandbox.OutputText;
        output.WriteLine(text);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"Security\s*│\s*PLAINTEXT \(--plaintext", text);
        Assert.DoesNotContain("kcat -b", text, StringComparison.Ordinal);
        Assert.Contains("All 100 events accounted for", text, StringComparison.Ordinal);
    }
}

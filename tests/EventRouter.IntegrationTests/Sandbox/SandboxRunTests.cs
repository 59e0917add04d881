using System.Globalization;
using System.Text.RegularExpressions;
using EventRouter.IntegrationTests.EndToEnd;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Sandbox;

/// <summary>
/// The real <c>eventrouter dev</c> process (its own mock broker and Azurite): the closing line's
/// rows add up to the events produced, the table agrees, the group committed everything, the run
/// exits 0, and nothing in its output is a stack trace.
/// </summary>
public sealed partial class SandboxRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Dev_400Events_ClosingLineAddsUpToTheTargetLagZeroExitZeroNoStackTrace()
    {
        await using var sandbox = new WorkerProcess(new Dictionary<string, string>(), "dev", "--events", "400", "--rate", "400", "--seed", "5");

        sandbox.Start();
        var exitCode = await sandbox.WaitForExitAsync(TimeSpan.FromMinutes(4));
        var text = sandbox.OutputText;
        output.WriteLine(text);

        Assert.Equal(0, exitCode);
        var closing = ClosingLine().Match(text);
        Assert.True(closing.Success, "no closing line:\n" + text);
        long Number(string group) => long.Parse(closing.Groups[group].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Equal(400, Number("total"));
        Assert.Equal(400, Number("routed") + Number("unrouted") + Number("poisoned") + Number("duplicates") + Number("conflated"));
        Assert.Equal(400, Number("sum"));
        Assert.InRange(Number("poisoned"), 1, 20); // about 1% malformed, and a seed that makes some
        Assert.Contains("lag 0 (all committed)", text);
        Assert.Matches(@"Accounted for \(distinct records\)\s*│\s*400\s*│", text);
        Assert.Matches(@"Consumer lag \(after stop\)\s*│\s*0 \(all committed\)", text);
        Assert.DoesNotMatch(StackFrame(), text);
        Assert.DoesNotContain("--- End of stack trace", text);
        // Poisoned records are counted in the table, not logged one by one (that is --verbose).
        Assert.DoesNotContain("Poisoned record", text);
    }

    [Fact]
    public async Task Dev_WhileRunning_PrintsTheWayInAndASettingsFileOnlyItsOwnerReadsThatIsGoneAfterwards()
    {
        await using var sandbox = new WorkerProcess(new Dictionary<string, string>(), "dev", "--events", "50", "--rate", "200");

        sandbox.Start();
        var exitCode = await sandbox.WaitForExitAsync(TimeSpan.FromMinutes(4));
        var text = sandbox.OutputText;
        output.WriteLine(text);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"Broker\s*│\s*127\.0\.0\.1:\d+", text);
        Assert.Contains("6 partitions each", text);
        Assert.Contains("eventrouter-dev", text);
        var storage = Regex.Match(text, @"Storage: Azurite's development account \(devstoreaccount1\); its connection string is EventStorage in the settings file\. In Azure Storage Explorer: Attach to a local emulator, queues port (?<queue>\d+), blobs port \d+\.");
        Assert.True(storage.Success, "no storage line:\n" + text);
        Assert.Matches($@"Storage\s*│\s*Azurite \(scratch\): queues http://127\.0\.0\.1:{storage.Groups["queue"].Value},", text);
        // No account key in the output, not even Azurite's published one.
        Assert.DoesNotContain("AccountKey", text);
        Assert.DoesNotContain("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq", text);
        var settings = SettingsPath().Match(text);
        Assert.True(settings.Success, "no settings file named:\n" + text);
        Assert.False(File.Exists(settings.Value), "the settings file should be deleted on stop");
    }

    [Fact]
    public async Task Dev_StoppedWithSigtermBeforeItsTarget_Exits130AndSaysTheCountsDoNotAddUp()
    {
        await using var sandbox = new WorkerProcess(new Dictionary<string, string>(), "dev", "--events", "100000", "--rate", "200");

        sandbox.Start();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !sandbox.Output.Any(l => l.Contains("eventrouter dev: produced", StringComparison.Ordinal) && !l.Contains("accounted for 0,", StringComparison.Ordinal)))
        {
            await Task.Delay(250);
        }
        var exitCode = await sandbox.StopAsync(TimeSpan.FromMinutes(1));
        var text = sandbox.OutputText;
        output.WriteLine(text);

        Assert.Equal(130, exitCode);
        Assert.Matches(@"Not all events accounted for: [\d,]+ produced; [\d,]+ routed \+", text);
        Assert.Contains("stopped by the user before all 100,000 events were accounted for", text);
    }

    [Fact]
    public async Task Dev_WhenAzuriteCannotStart_SaysWhyInOneLineAndExitsOneWithoutAStackTrace()
    {
        // No node on the PATH: Azurite's launcher (#!/usr/bin/env node) exits at once with 127.
        var (code, stdout, stderr) = await Cli.CliProgram.RunAsync(new Dictionary<string, string> { ["PATH"] = "/nonexistent" },
            ["dev", "--events", "10"], TimeSpan.FromMinutes(1));
        output.WriteLine(stdout + stderr);

        Assert.Equal(1, code);
        Assert.Contains("eventrouter dev: Azurite (the storage emulator) exited at start with code 127: /usr/bin/env:", stderr);
        Assert.Contains("Check that Node.js is installed", stderr);
        Assert.DoesNotMatch(StackFrame(), stdout + stderr);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr);
    }

    [GeneratedRegex(@"All (?<total>[\d,]+) events accounted for: (?<routed>[\d,]+) routed \+ (?<unrouted>[\d,]+) unrouted \+ (?<poisoned>[\d,]+) poisoned \+ (?<duplicates>[\d,]+) duplicates \+ (?<conflated>[\d,]+) conflated = (?<sum>[\d,]+);")]
    private static partial Regex ClosingLine();

    // "   at Namespace.Type.Method(" as .NET prints a stack frame, on its own line or inside a single-line log.
    [GeneratedRegex(@"(^|\s)at [\w`<>\[\],.]+\.[\w`<>|]+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"/[^\s│]*eventrouter-dev-[^\s│/]+/sandbox\.settings\.json")]
    private static partial Regex SettingsPath();
}

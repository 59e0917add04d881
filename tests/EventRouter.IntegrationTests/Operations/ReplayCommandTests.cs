using System.CommandLine;
using EventRouter.Cli.Commands;
using EventRouter.Cli.Operations;
using Spectre.Console;

namespace EventRouter.IntegrationTests.Operations;

/// <summary>What <c>replay</c> refuses before it connects anywhere.</summary>
public sealed class ReplayCommandTests
{
    [Theory]
    [InlineData("beginning", ReplayFromKind.Beginning)]
    [InlineData("42", ReplayFromKind.Offset)]
    [InlineData("2026-11-22T09:00:00Z", ReplayFromKind.Time)]
    [InlineData("2026-11-22T10:00:00.5+01:00", ReplayFromKind.Time)]
    public void ReplayFrom_Parses(string text, object kindValue)
    {
        var kind = (ReplayFromKind)kindValue;
        Assert.True(ReplayFrom.TryParse(text, out var from));
        Assert.Equal(kind, from!.Kind);
        if (kind == ReplayFromKind.Time) Assert.Equal(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero), from.Time.AddMilliseconds(-from.Time.Millisecond));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-11-22T09:00:00")]   // no offset: ambiguous
    [InlineData("-5")]
    public void ReplayFrom_RejectsAmbiguousInput(string text) => Assert.False(ReplayFrom.TryParse(text, out _));

    [Theory]
    [InlineData("--from", "yesterday", "--yes")]
    [InlineData("--from", "beginning")]   // neither --yes nor --dry-run
    public async Task Replay_InvalidOrUnconfirmed_Exits2(params string[] args)
    {
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) });
        var root = new RootCommand { ReplayCommand.Create(() => console) };
        var code = await root.Parse(["replay", "--topic", "Notifications", .. args]).InvokeAsync(new InvocationConfiguration { Error = error, Output = new StringWriter() });
        Assert.Equal(2, code);
        Assert.StartsWith("eventrouter replay:", error.ToString());
    }
}

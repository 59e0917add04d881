using EventRouter.Cli.Commands;
using Spectre.Console;

namespace EventRouter.Cli.Tests.Commands;

public sealed class TableOutputTests
{
    private const string MessageId = "0f3c2a1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b";
    private const string EventId = "5b3f2c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b";

    [Theory]
    [InlineData(80)]
    [InlineData(40)]
    [InlineData(200)]
    public void Write_IdColumnsStayWhole_AtAnyWidth(int width)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        var table = new Table().AddColumn(TableOutput.Id("Id")).AddColumn("Reason").AddColumn("Source").AddColumn(TableOutput.Id("Event id")).AddColumn("Type");
        table.AddRow(MessageId, "max-dequeue-count-exceeded", "Notifications/3@1042", EventId, "ACCOUNT_GROUP.CREATED");

        TableOutput.Write(console, table);

        Assert.Contains(MessageId, output.ToString());
        Assert.Contains(EventId, output.ToString());
        Assert.DoesNotContain("…", output.ToString());
        Assert.Equal(width, console.Profile.Width);
    }
}

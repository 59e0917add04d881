using Spectre.Console;
using Spectre.Console.Rendering;

namespace EventRouter.Cli.Commands;

/// <summary>Writes tables whose ids must stay whole.</summary>
internal static class TableOutput
{
    /// <summary>A column that is never wrapped or cut: ids an operator copies into the next command.</summary>
    public static TableColumn Id(string header) => new TableColumn(header).NoWrap();

    /// <summary>
    /// Writes <paramref name="table"/> at the console's width, or wider when its no-wrap columns do not
    /// fit: Spectre.Console would otherwise cut them to an ellipsis. Other columns wrap first.
    /// </summary>
    public static void Write(IAnsiConsole console, Table table)
    {
        var width = console.Profile.Width;
        var needed = ((IRenderable)table).Measure(RenderOptions.Create(console, console.Profile.Capabilities), width).Min;
        if (needed <= width)
        {
            console.Write(table);
            return;
        }
        console.Profile.Width = needed;
        try
        {
            console.Write(table);
        }
        finally
        {
            console.Profile.Width = width;
        }
    }
}

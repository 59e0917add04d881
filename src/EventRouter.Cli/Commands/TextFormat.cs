using System.Globalization;

namespace EventRouter.Cli.Commands;

/// <summary>How figures read in tables: pure functions, shared by the commands.</summary>
internal static class TextFormat
{
    /// <summary><c>1:08:40</c> for 1 h 8 min 40 s, <c>0:05:03</c> for 5 min 3 s: hours are never dropped.</summary>
    public static string Elapsed(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture, $"{(long)elapsed.TotalHours}:{elapsed.Minutes:00}:{elapsed.Seconds:00}");
    }

    /// <summary>
    /// The table width when stdout is not a terminal: the <c>COLUMNS</c> a shell exports (a positive
    /// number), else null (Spectre.Console's 80). A terminal reports its own width.
    /// </summary>
    public static int? RedirectedWidth(string? columns) =>
        int.TryParse(columns, NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width is > 0 and <= 10_000 ? width : null;
}

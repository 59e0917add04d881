using SkiaSharp;

namespace EventRouter.Charts;

/// <summary>
/// The font every chart's text uses. SkiaSharp's NoDependencies build (the one ScottPlot brings)
/// has no fontconfig, and a headless Linux box may have no fonts at all: without a font file the
/// PNG would have axes but no words. So the font is a file: <c>EVENTROUTER_CHART_FONT</c> if set,
/// else DejaVu Sans (Debian's fonts-dejavu-core, which scripts/bootstrap.sh installs).
/// </summary>
public static class ChartFont
{
    public const string Setting = "EVENTROUTER_CHART_FONT";

    /// <summary>The family name the charts register the file under and ask ScottPlot for.</summary>
    public const string Family = "EventRouter Chart";

    public static readonly IReadOnlyList<string> DefaultSearchDirectories = ["/usr/share/fonts", "/usr/local/share/fonts"];

    private const string DefaultFile = "DejaVuSans.ttf";
    private static readonly Lock Gate = new();
    private static string? _registered;

    /// <summary>
    /// The font file to use: <paramref name="setting"/> (the value of <see cref="Setting"/>) when
    /// given, which must then be a readable font; otherwise the first DejaVuSans.ttf under the
    /// search directories. Fails with a <see cref="ChartFontException"/> naming the setting.
    /// </summary>
    public static string Resolve(string? setting, IEnumerable<string> searchDirectories)
    {
        if (!string.IsNullOrWhiteSpace(setting))
        {
            if (!File.Exists(setting)) throw new ChartFontException($"{Setting} is '{setting}', but there is no such file (set it to a .ttf or .otf font file)");
            using var typeface = SKTypeface.FromFile(setting);
            if (typeface is null) throw new ChartFontException($"{Setting} is '{setting}', but that file is not a font SkiaSharp can read (set it to a .ttf or .otf font file)");
            return setting;
        }
        var directories = searchDirectories.ToList();
        foreach (var directory in directories.Where(Directory.Exists))
        {
            var found = Directory.EnumerateFiles(directory, DefaultFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault();
            if (found is not null) return found;
        }
        throw new ChartFontException($"no font for the charts' text: {DefaultFile} is not under {string.Join(" or ", directories)}. " +
            $"Install it (apt-get install -y fonts-dejavu-core, as scripts/bootstrap.sh does) or set {Setting} to a .ttf or .otf font file");
    }

    /// <summary>Resolves the font from the environment and registers it with ScottPlot once per process; returns the file.</summary>
    public static string EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered is not null) return _registered;
            var file = Resolve(Environment.GetEnvironmentVariable(Setting), DefaultSearchDirectories);
            ScottPlot.Fonts.AddFontFile(Family, file);
            // Text that asks for no particular font (tick labels included) gets this one too.
            ScottPlot.Fonts.Default = Family;
            return _registered = file;
        }
    }
}

/// <summary>No usable font file for chart text; the message names <see cref="ChartFont.Setting"/>.</summary>
public sealed class ChartFontException(string message) : Exception(message);

namespace EventRouter.Charts.Tests;

public sealed class ChartFontTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventrouter-charts-font-").FullName;

    [Fact]
    public void Resolve_NoSettingAndNoFontFile_NamesTheSettingAndThePackage()
    {
        var e = Assert.Throws<ChartFontException>(() => ChartFont.Resolve(null, [_dir]));

        Assert.Contains(ChartFont.Setting, e.Message, StringComparison.Ordinal);
        Assert.Contains("fonts-dejavu-core", e.Message, StringComparison.Ordinal);
        Assert.Contains(_dir, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SettingToAMissingFile_NamesTheSettingAndTheFile()
    {
        var missing = Path.Combine(_dir, "nope.ttf");

        var e = Assert.Throws<ChartFontException>(() => ChartFont.Resolve(missing, ChartFont.DefaultSearchDirectories));

        Assert.Equal($"{ChartFont.Setting} is '{missing}', but there is no such file (set it to a .ttf or .otf font file)", e.Message);
    }

    [Fact]
    public void Resolve_SettingToAFileThatIsNoFont_SaysSo()
    {
        var notAFont = Path.Combine(_dir, "notes.ttf");
        File.WriteAllText(notAFont, "not a font");

        var e = Assert.Throws<ChartFontException>(() => ChartFont.Resolve(notAFont, ChartFont.DefaultSearchDirectories));

        Assert.Contains($"{ChartFont.Setting} is '{notAFont}', but that file is not a font", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_DejaVuSansInASearchDirectory_IsFound()
    {
        var nested = Directory.CreateDirectory(Path.Combine(_dir, "truetype", "dejavu")).FullName;
        var font = Path.Combine(nested, "DejaVuSans.ttf");
        File.WriteAllBytes(font, []);

        Assert.Equal(font, ChartFont.Resolve("", [Path.Combine(_dir, "absent"), _dir]));
    }

    [Fact]
    public void Resolve_SettingToARealFont_IsUsed()
    {
        // The machine's DejaVu Sans (scripts/bootstrap.sh installs it), named through the setting.
        var real = ChartFont.Resolve(null, ChartFont.DefaultSearchDirectories);

        Assert.Equal(real, ChartFont.Resolve(real, [_dir]));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

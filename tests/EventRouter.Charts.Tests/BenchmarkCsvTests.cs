namespace EventRouter.Charts.Tests;

public sealed class BenchmarkCsvTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventrouter-charts-csv-").FullName;

    [Fact]
    public void WriteThenRead_NumbersTextAndEmptyCells_ComeBackTheSame()
    {
        var path = Path.Combine(_dir, "nested", "table.csv");
        var written = new BenchmarkCsv("second", "rate", "change")
            .Add(0, 0.1, "")
            .Add(1, 123456.789, "first SIGKILLed")
            .Add(2, 1e-7, "")
            .Add(3, null, "all committed");
        written.Write(path);

        var read = BenchmarkCsv.Read(path);

        Assert.Equal(written.Columns, read.Columns);
        Assert.Equal(written.Rows, read.Rows);
        Assert.Equal([0.1, 123456.789, 1e-7], read.Numbers("rate").Take(3));
        Assert.True(double.IsNaN(read.Numbers("rate")[3]));
        Assert.Equal(["", "first SIGKILLed", "", "all committed"], read.Text("change"));
        Assert.True(read.IsNumeric("rate"));
        Assert.False(read.IsNumeric("change"));
        Assert.Equal("second,rate,change\n0,0.1,\n1,123456.789,first SIGKILLed\n2,1E-07,\n3,,all committed\n", File.ReadAllText(path));
    }

    [Fact]
    public void Parse_ChaosTimelineAsTheIntegrationTestWritesIt_Reads()
    {
        var csv = BenchmarkCsv.Parse("second,routed_per_second,routed_total,change\r\n0,0,0,first and second started\r\n1,95,95,\r\n", "timeline.csv");

        Assert.Equal(2, csv.Rows.Count);
        Assert.Equal([0d, 95d], csv.Numbers("routed_total"));
    }

    [Theory]
    [InlineData("", 1, "no header row")]
    [InlineData("a,b\n1,2\n3\n", 3, "1 cells, but the header has 2 (a,b)")]
    [InlineData("a,b\n1,2\n\n3,4\n", 3, "empty line inside the table")]
    [InlineData("a,a\n1,2\n", 1, "column 'a' appears twice")]
    [InlineData("a,\n1,2\n", 1, "column 2 has no name")]
    [InlineData("a,b\n1,\"2\"\n", 2, "quoted cells are not part of this format")]
    public void Parse_BadCsv_NamesTheSourceAndLine(string text, int line, string problem)
    {
        var e = Assert.Throws<BenchmarkCsvException>(() => BenchmarkCsv.Parse(text, "bad.csv"));

        Assert.Equal(line, e.LineNumber);
        Assert.StartsWith($"bad.csv, line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_CellThatIsNotANumber_NamesItsLineAndColumn()
    {
        var csv = BenchmarkCsv.Parse("rate,p99_ms\n500,25\n1000,fast\n", "e2e.csv");

        var e = Assert.Throws<BenchmarkCsvException>(() => csv.Numbers("p99_ms"));

        Assert.Equal(3, e.LineNumber);
        Assert.Equal("e2e.csv, line 3: column 'p99_ms' holds 'fast', which is not a number", e.Message);
    }

    [Fact]
    public void Numbers_UnknownColumn_ListsTheColumns()
    {
        var csv = BenchmarkCsv.Parse("rate,p99_ms\n500,25\n", "e2e.csv");

        var e = Assert.Throws<BenchmarkCsvException>(() => csv.Numbers("p50_ms"));

        Assert.Contains("no column 'p50_ms' (columns: rate, p99_ms)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var path = Path.Combine(_dir, "absent.csv");

        var e = Assert.Throws<BenchmarkCsvException>(() => BenchmarkCsv.Read(path));

        Assert.Equal($"{path}: the file does not exist", e.Message);
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("say \"hi\"")]
    [InlineData("two\nlines")]
    public void Add_CellTheFormatCannotHold_IsRefused(string cell)
    {
        var csv = new BenchmarkCsv("x", "label");

        var e = Assert.Throws<ArgumentException>(() => csv.Add(1, cell));

        Assert.Contains("does not quote", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_WrongNumberOfCells_IsRefused()
    {
        var csv = new BenchmarkCsv("x", "y");

        Assert.Throws<ArgumentException>(() => csv.Add(1));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

using System.Globalization;
using System.Text;

namespace EventRouter.Charts;

/// <summary>
/// The one home of the benchmarks' CSV contract: a header row of unique, non-empty column names,
/// then one row per measurement with exactly as many cells. Numbers are written and read in the
/// invariant culture, so a file written on one machine reads the same on any other. There is no
/// quoting: a cell may not hold a comma, a double quote or a line break, which keeps the files
/// readable by `cut`, spreadsheets and this reader alike (text cells such as the chaos timeline's
/// <c>change</c> are short labels). An empty cell is allowed (it reads as "no value").
/// </summary>
public sealed class BenchmarkCsv
{
    private readonly List<string[]> _rows = [];
    private readonly Dictionary<string, int> _index;

    public BenchmarkCsv(params string[] columns)
    {
        if (columns.Length == 0) throw new ArgumentException("a benchmark CSV needs at least one column", nameof(columns));
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            var name = columns[i];
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"column {i + 1} has no name", nameof(columns));
            CheckCell(name, $"column name {i + 1}");
            if (!_index.TryAdd(name, i)) throw new ArgumentException($"column '{name}' appears twice", nameof(columns));
        }
        Columns = columns;
        Source = "(in memory)";
    }

    /// <summary>The file (or other source) the table was read from, for error messages.</summary>
    public string Source { get; private init; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    public bool HasColumn(string name) => _index.ContainsKey(name);

    /// <summary>Adds a row; numbers are formatted in the invariant culture (shortest round-trip form).</summary>
    public BenchmarkCsv Add(params object?[] cells)
    {
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"a row needs {Columns.Count} cells ({string.Join(",", Columns)}), got {cells.Length}", nameof(cells));
        var row = new string[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            row[i] = cells[i] switch
            {
                null => "",
                string s => s,
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                float f => f.ToString("R", CultureInfo.InvariantCulture),
                IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            };
            CheckCell(row[i], $"cell '{Columns[i]}' of row {_rows.Count + 1}");
        }
        _rows.Add(row);
        return this;
    }

    /// <summary>True when every non-empty cell of the column is a number (and at least one is).</summary>
    public bool IsNumeric(string column)
    {
        var i = IndexOf(column);
        var any = false;
        foreach (var row in _rows)
        {
            if (row[i].Length == 0) continue;
            if (!TryParse(row[i], out _)) return false;
            any = true;
        }
        return any;
    }

    /// <summary>The column as numbers; an empty cell is NaN (a gap in a chart). A cell that is not a number fails with its line.</summary>
    public double[] Numbers(string column)
    {
        var i = IndexOf(column);
        var values = new double[_rows.Count];
        for (var r = 0; r < _rows.Count; r++)
        {
            var cell = _rows[r][i];
            if (cell.Length == 0) values[r] = double.NaN;
            else if (!TryParse(cell, out values[r]))
                throw new BenchmarkCsvException(Source, r + 2, $"column '{column}' holds '{cell}', which is not a number");
        }
        return values;
    }

    public string[] Text(string column)
    {
        var i = IndexOf(column);
        return _rows.Select(r => r[i]).ToArray();
    }

    public string ToCsvText()
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', Columns)).Append('\n');
        foreach (var row in _rows) text.Append(string.Join(',', row)).Append('\n');
        return text.ToString();
    }

    public void Write(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, ToCsvText(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    public static BenchmarkCsv Read(string path)
    {
        if (!File.Exists(path)) throw new BenchmarkCsvException(path, 0, "the file does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses CSV text; every problem is a <see cref="BenchmarkCsvException"/> naming the source and the line.</summary>
    public static BenchmarkCsv Parse(string text, string source = "(text)")
    {
        // One trailing line break is the normal end of a file; \r\n is read like \n.
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        if (count == 0 || lines[0].Trim().Length == 0) throw new BenchmarkCsvException(source, 1, "no header row (the first line names the columns)");
        if (lines[0].Contains('"', StringComparison.Ordinal)) throw new BenchmarkCsvException(source, 1, "quoted cells are not part of this format");
        BenchmarkCsv table;
        try
        {
            table = new BenchmarkCsv(lines[0].Split(',')) { Source = source };
        }
        catch (ArgumentException e)
        {
            throw new BenchmarkCsvException(source, 1, "bad header: " + e.Message.Split(" (Parameter", 2)[0]);
        }
        for (var n = 1; n < count; n++)
        {
            var line = lines[n];
            if (line.Length == 0) throw new BenchmarkCsvException(source, n + 1, "empty line inside the table");
            if (line.Contains('"', StringComparison.Ordinal)) throw new BenchmarkCsvException(source, n + 1, "quoted cells are not part of this format");
            var cells = line.Split(',');
            if (cells.Length != table.Columns.Count)
                throw new BenchmarkCsvException(source, n + 1, $"{cells.Length} cells, but the header has {table.Columns.Count} ({string.Join(",", table.Columns)})");
            table._rows.Add(cells);
        }
        return table;
    }

    private int IndexOf(string column) =>
        _index.TryGetValue(column, out var i) ? i : throw new BenchmarkCsvException(Source, 1, $"no column '{column}' (columns: {string.Join(", ", Columns)})");

    private static bool TryParse(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static void CheckCell(string cell, string what)
    {
        if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            throw new ArgumentException($"{what} '{cell}' holds a comma, a quote or a line break, which this CSV format does not quote");
    }
}

/// <summary>A benchmark CSV that cannot be read: names the file and the line (1 = the header; 0 = the file as a whole).</summary>
public sealed class BenchmarkCsvException(string source, int lineNumber, string problem)
    : FormatException(lineNumber > 0 ? $"{source}, line {lineNumber}: {problem}" : $"{source}: {problem}")
{
    public string SourceName { get; } = source;

    public int LineNumber { get; } = lineNumber;
}

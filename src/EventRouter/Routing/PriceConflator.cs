using System.Text;
using System.Text.Json;
using EventRouter.Validation;
using Microsoft.Extensions.Options;

namespace EventRouter.Routing;

/// <summary>
/// Finds the prices in a batch that a newer price of the same instrument supersedes (see
/// <see cref="PriceConflationOptions"/>). A batch holds one partition's records in offset order, so
/// "newer" is "later in the batch".
/// </summary>
public sealed class PriceConflator
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = EventValidator.MaxDepth };
    private readonly string[]? _path;

    public PriceConflator(IOptions<PriceConflationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = options.Value.Enabled;
        _path = string.IsNullOrEmpty(options.Value.InstrumentField) ? null : options.Value.InstrumentField.Split('.');
        InstrumentField = _path is null ? null : options.Value.InstrumentField;
    }

    /// <summary>Conflation is off unless configured.</summary>
    public static PriceConflator Disabled { get; } = new(Options.Create(new PriceConflationOptions()));

    public bool Enabled { get; }

    /// <summary><c>PriceConflation:InstrumentField</c>; null: the record key names the instrument.</summary>
    internal string? InstrumentField { get; }

    /// <summary>
    /// Marks each record of <paramref name="pricesTopic"/> that is a valid event (by
    /// <paramref name="isValidEvent"/>, given the record's index, so the caller's one validation
    /// serves) and has a newer valid record of the same instrument later in the
    /// batch; null when there is none (or conflation is off). Invalid records are never marked: poison
    /// must reach the poison queue.
    /// </summary>
    public bool[]? FindSuperseded(IReadOnlyList<InboundRecord> records, string pricesTopic, Func<int, bool> isValidEvent)
    {
        if (!Enabled)
        {
            return null;
        }

        bool[]? superseded = null;
        HashSet<string>? newer = null;
        for (var i = records.Count - 1; i >= 0; i--)
        {
            var record = records[i];
            if (!string.Equals(record.Topic, pricesTopic, StringComparison.Ordinal) || InstrumentOf(record) is not { } instrument || !isValidEvent(i))
            {
                continue;
            }

            newer ??= new HashSet<string>(StringComparer.Ordinal);
            if (!newer.Add(instrument))
            {
                (superseded ??= new bool[records.Count])[i] = true;
            }
        }

        return superseded;
    }

    /// <summary>The instrument of a record: its key (hex, so any bytes compare exactly), or the configured field's value.</summary>
    internal string? InstrumentOf(InboundRecord record)
    {
        if (_path is null)
        {
            return record.Key is { Length: > 0 } key ? Convert.ToHexString(key.Span) : null;
        }

        return record.Value is { Length: > 0 } value ? ReadField(value.Span, _path) : null;
    }

    /// <summary>The value at a dot path of property names, as text (a string as is; a number or bool as written); null when absent or of another kind.</summary>
    internal static string? ReadField(ReadOnlySpan<byte> json, string[] path)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var depth = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var matches = reader.ValueTextEquals(path[depth]);
                reader.Read();
                if (!matches)
                {
                    reader.Skip();
                    continue;
                }

                if (depth == path.Length - 1)
                {
                    return reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                depth++;
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // e.g. a string with invalid escapes: not an instrument we can name
        }
    }
}

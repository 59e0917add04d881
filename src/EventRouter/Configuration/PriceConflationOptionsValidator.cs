using EventRouter.Routing;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>Start-up checks of <see cref="PriceConflationOptions"/>; each failure names the setting.</summary>
public sealed class PriceConflationOptionsValidator : IValidateOptions<PriceConflationOptions>
{
    internal const int MaxInstrumentFieldLength = 256;

    public ValidateOptionsResult Validate(string? name, PriceConflationOptions options)
    {
        var field = options.InstrumentField;
        if (string.IsNullOrEmpty(field))
        {
            return ValidateOptionsResult.Success;
        }

        const string setting = $"{PriceConflationOptions.SectionName}:InstrumentField";
        if (field.Length > MaxInstrumentFieldLength)
        {
            return ValidateOptionsResult.Fail($"{setting} is {field.Length} characters long; at most {MaxInstrumentFieldLength} are allowed.");
        }

        if (field.Split('.').Any(segment => segment.Length == 0 || segment.Trim().Length != segment.Length))
        {
            return ValidateOptionsResult.Fail($"{setting} '{field}' is not a dot path of property names (like object.instrument_id): a segment is empty or has surrounding whitespace.");
        }

        return ValidateOptionsResult.Success;
    }
}

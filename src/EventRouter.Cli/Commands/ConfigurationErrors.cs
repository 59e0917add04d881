using EventRouter.Cli.Hosting;
using EventRouter.Configuration;

namespace EventRouter.Cli.Commands;

/// <summary>
/// Turns start-up configuration failures into readable text on stderr (exit code 2, no stack trace):
/// a settings file that is missing or malformed in one line, validation failures as one list.
/// </summary>
internal static class ConfigurationErrors
{
    /// <summary>The errors as lines (for --json), or null when <paramref name="exception"/> is not a configuration failure.</summary>
    public static IReadOnlyList<string>? Describe(Exception exception)
    {
        if (exception is SettingsFileException file) return [file.Message];
        var failures = ValidationFailures.Collect(exception);
        return failures.Count == 0 ? null : failures;
    }

    public static bool TryReport(Exception exception, TextWriter error)
    {
        if (exception is SettingsFileException file)
        {
            error.WriteLine($"eventrouter: {file.Message}");
            return true;
        }
        var failures = ValidationFailures.Collect(exception);
        if (failures.Count == 0) return false;
        error.WriteLine("eventrouter: the configuration is not valid:");
        foreach (var failure in failures) error.WriteLine($"  - {failure}");
        return true;
    }
}

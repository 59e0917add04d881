using EventRouter.Configuration;

namespace EventRouter.Cli.Commands;

/// <summary>Turns start-up validation failures into one readable block on stderr and exit code 2.</summary>
internal static class ConfigurationErrors
{
    public static bool TryReport(Exception exception, TextWriter error)
    {
        var failures = ValidationFailures.Collect(exception);
        if (failures.Count == 0) return false;
        error.WriteLine("eventrouter: the configuration is not valid:");
        foreach (var failure in failures) error.WriteLine($"  - {failure}");
        return true;
    }
}

using Microsoft.Extensions.Options;

namespace EventRouter.Cli.Commands;

/// <summary>Turns start-up validation failures into one readable block on stderr and exit code 2.</summary>
internal static class ConfigurationErrors
{
    public static bool TryReport(Exception exception, TextWriter error)
    {
        var failures = Flatten(exception).OfType<OptionsValidationException>().SelectMany(e => e.Failures).Distinct().ToList();
        if (failures.Count == 0) return false;
        error.WriteLine("eventrouter: the configuration is not valid:");
        foreach (var failure in failures) error.WriteLine($"  - {failure}");
        return true;
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten)) yield return inner;
        }
        else if (exception.InnerException is { } inner)
        {
            foreach (var nested in Flatten(inner)) yield return nested;
        }
    }
}

using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>
/// The messages of the options validation failures in an exception from a host's start, however
/// the host wrapped them (one <see cref="OptionsValidationException"/>, or several in an
/// <see cref="AggregateException"/>), so each host reports bad settings as a list, without a stack trace.
/// </summary>
public static class ValidationFailures
{
    /// <summary>Every failure message, once each, in order; empty when <paramref name="exception"/> is not a validation failure.</summary>
    public static IReadOnlyList<string> Collect(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Flatten(exception).OfType<OptionsValidationException>().SelectMany(e => e.Failures).Distinct().ToList();
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

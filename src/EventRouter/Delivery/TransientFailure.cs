using System.Net.Sockets;
using Azure;

namespace EventRouter.Delivery;

/// <summary>Classifies storage failures once, for every caller: retry later, or stop.</summary>
public static class TransientFailure
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        RequestFailedException => false,
        TimeoutException or IOException or SocketException or HttpRequestException => true,
        // The SDK reports a per-attempt NetworkTimeout as a TaskCanceledException.
        TaskCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}

using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Functions.Hosting;

/// <summary>
/// Which routed queues a host with one fixed queue trigger per queue (the Azure Functions app)
/// consumes, and a start-up check that warns about routed queues nobody consumes there.
/// Trigger queue names are compile-time constants in the Functions app, while routing is
/// configurable (<c>Routing:CategoryQueuePrefix</c>, <c>Routing:Overrides</c>, extra categories),
/// so the two can drift; the check makes that visible at start instead of in a growing queue.
/// </summary>
public static partial class QueueTriggerCoverage
{
    /// <summary>
    /// The queues the default routing writes to, other than <c>events-poison</c>: one
    /// <c>events-&lt;category&gt;</c> queue per known category, <c>prices</c> and <c>events-unrouted</c>.
    /// The Functions app has exactly one queue trigger for each (a test checks the functions.metadata the SDK generates).
    /// </summary>
    public static IReadOnlyList<string> DefaultQueues { get; } =
        RoutingDefaults.KnownCategories.Select(category => RoutingDefaults.CategoryQueueName(category))
            .Append(RoutingDefaults.PricesQueue)
            .Append(RoutingDefaults.UnroutedQueue)
            .ToArray();

    /// <summary>Routed queues of <paramref name="routes"/> that no trigger in <paramref name="triggeredQueues"/> reads, in name order.</summary>
    public static IReadOnlyList<string> FindUncovered(RouteTable routes, IEnumerable<string> triggeredQueues)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(triggeredQueues);
        var triggered = new HashSet<string>(triggeredQueues, StringComparer.Ordinal);
        return routes.DestinationQueues.Where(queue => !triggered.Contains(queue)).ToArray();
    }

    /// <summary>
    /// Logs a warning at start for every routed queue that <paramref name="triggeredQueues"/> does
    /// not cover. A warning, not a failure: an override may deliberately target a queue another
    /// application consumes.
    /// </summary>
    public static IServiceCollection AddQueueTriggerCoverageCheck(this IServiceCollection services, IReadOnlyList<string> triggeredQueues)
    {
        ArgumentNullException.ThrowIfNull(triggeredQueues);
        services.AddHostedService(sp => new CoverageCheck(
            sp.GetRequiredService<RouteTable>(), triggeredQueues, sp.GetRequiredService<ILogger<RouteTable>>()));
        return services;
    }

    private sealed class CoverageCheck(RouteTable routes, IReadOnlyList<string> triggeredQueues, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var queue in FindUncovered(routes, triggeredQueues))
            {
                Log.QueueWithoutTrigger(logger, queue);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(9201, LogLevel.Warning, "Routing writes to queue {Queue}, but this host has no queue trigger for it; its messages wait there until something else consumes them", EventName = "QueueWithoutTrigger")]
        public static partial void QueueWithoutTrigger(ILogger logger, string queue);
    }
}

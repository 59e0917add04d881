using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Routing;
using EventRouter.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace EventRouter.Testing;

/// <summary>A <see cref="RoutingPipeline"/> with the default routes and field names over a given dispatcher, for tests.</summary>
internal sealed class PipelineFactory : IDisposable
{
    public static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public RoutingPipeline Create(IQueueDispatcher dispatcher, RoutingOptions? routing = null, EventFieldMapping? fields = null,
        PriceConflationOptions? conflation = null)
        => new(new RouteTable(routing ?? new RoutingOptions()), fields ?? EventFieldMapping.Default, dispatcher,
            new EventRouterTelemetry(_services.GetRequiredService<IMeterFactory>()),
            Options.Create(new DeliveryOptions()), NullLogger<RoutingPipeline>.Instance, new FixedTimeProvider(Now),
            conflation is null ? null : new PriceConflator(Options.Create(conflation)));

    public void Dispose() => _services.Dispose();
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EventRouter.Processing;

/// <summary>Registers the queue stage (both hosts) and user handlers.</summary>
public static class EventHandlerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="QueueDeliveryHandler"/> and what it needs, plus the built-in archive
    /// handler unless <c>Processing:Archive</c> is false. Requires <c>AddEventRouter</c>.
    /// </summary>
    public static IServiceCollection AddEventRouterProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProcessingOptions>, ProcessingOptionsValidator>();
        services.TryAddSingleton<RoutedEventReader>();
        services.TryAddSingleton<IdempotencyGuard>();
        services.TryAddSingleton<QueueDeliveryHandler>();
        if (configuration.GetValue($"{ProcessingOptions.SectionName}:{nameof(ProcessingOptions.Archive)}", true))
        {
            services.AddEventHandler<EventArchiveHandler>();
        }
        return services;
    }

    /// <summary>Adds a handler that both hosts call for every message of the queues it accepts.</summary>
    public static IServiceCollection AddEventHandler<THandler>(this IServiceCollection services)
        where THandler : class, IEventHandler
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventHandler, THandler>());
        return services;
    }
}

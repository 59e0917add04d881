using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EventRouter.ApplicationInsights;

/// <summary>Application Insights settings EventRouter's hosts share.</summary>
public static class EventRouterApplicationInsightsExtensions
{
    /// <summary>
    /// Telemetry types adaptive sampling never drops: every exception and every request (a failed
    /// invocation) reaches Application Insights; events too. Same value as host.json's
    /// <c>samplingSettings.excludedTypes</c>, which governs the Functions host's own telemetry.
    /// </summary>
    public const string NeverSampledTypes = "Exception;Event;Request";

    /// <summary>Adaptive sampling target per instance for the worker's own telemetry.</summary>
    public const double DefaultMaxTelemetryItemsPerSecond = 20;

    /// <summary>The logger provider that <c>AddApplicationInsightsTelemetryWorkerService</c> limits to Warning by default.</summary>
    internal const string ApplicationInsightsLoggerProviderName = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    /// <summary>
    /// Call after <c>AddApplicationInsightsTelemetryWorkerService()</c>. Adds the
    /// <see cref="EventRouterTelemetryModule"/> (EventRouter's metrics and spans); replaces the SDK's
    /// default adaptive sampling by one that excludes <see cref="NeverSampledTypes"/>; and lifts the
    /// SDK's default Warning-only filter for logs, so the configured log levels (<c>Logging:LogLevel</c>)
    /// decide what the worker sends, as they do for every other log provider.
    /// </summary>
    public static IServiceCollection AddEventRouterApplicationInsights(this IServiceCollection services,
        double maxTelemetryItemsPerSecond = DefaultMaxTelemetryItemsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTelemetryItemsPerSecond);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITelemetryModule, EventRouterTelemetryModule>());

        services.Configure<ApplicationInsightsServiceOptions>(options => options.EnableAdaptiveSampling = false);
        services.Configure<TelemetryConfiguration>(configuration =>
        {
            var chain = configuration.DefaultTelemetrySink.TelemetryProcessorChainBuilder;
            chain.UseAdaptiveSampling(maxTelemetryItemsPerSecond, excludedTypes: NeverSampledTypes);
            chain.Build();
        });

        services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == ApplicationInsightsLoggerProviderName);
            if (rule is not null) options.Rules.Remove(rule);
        });
        return services;
    }
}

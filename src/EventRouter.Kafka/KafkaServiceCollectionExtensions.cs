using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>Registers the Kafka source with a host.</summary>
public static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="KafkaOptions"/> from the <c>Kafka</c> section of
    /// <paramref name="configuration"/> (validated when the host starts) and adds one hosted consumer
    /// per enabled topic (<c>Kafka:Topics:Notifications</c>, <c>Kafka:Topics:Prices</c>). The consumers
    /// hand their batches to the <see cref="IRecordBatchRouter"/> registered by the core, which the
    /// caller must register too. Calling it twice has no further effect.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration root (or any configuration that has a <c>Kafka</c> section).</param>
    public static IServiceCollection AddEventRouterKafka(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        if (services.Any(d => d.ServiceType == typeof(KafkaSourceRegistration)))
        {
            return services;
        }

        services.AddSingleton<KafkaSourceRegistration>();
        var section = configuration.GetSection(KafkaOptions.SectionName);
        services.AddOptionsWithValidateOnStart<KafkaOptions>().Bind(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<KafkaClientConfigFactory>();
        services.TryAddSingleton<KafkaMetrics>();
        // First of the Kafka hosted services: the library is loaded and checked before any consumer starts.
        services.AddHostedService<KafkaNativeLibraryCheck>();

        // One consumer per topic that is enabled in configuration. Each takes its topic name from the
        // validated options when it is created, so later Configure<KafkaOptions> calls still apply.
        var configured = new KafkaOptions();
        section.Bind(configured);
        if (!string.IsNullOrEmpty(configured.Topics?.Notifications))
        {
            services.AddSingleton<IHostedService>(sp => CreateSource(sp, o => o.Topics?.Notifications));
        }

        if (!string.IsNullOrEmpty(configured.Topics?.Prices))
        {
            services.AddSingleton<IHostedService>(sp => CreateSource(sp, o => o.Topics?.Prices));
        }

        return services;
    }

    private static KafkaSourceService CreateSource(IServiceProvider services, Func<KafkaOptions, string?> topic)
    {
        var options = services.GetRequiredService<IOptions<KafkaOptions>>();
        return new KafkaSourceService(
            topic(options.Value),
            options,
            services.GetRequiredService<IRecordBatchRouter>(),
            services.GetRequiredService<KafkaClientConfigFactory>(),
            services.GetRequiredService<KafkaMetrics>(),
            services.GetRequiredService<ILogger<KafkaSourceService>>(),
            services.GetRequiredService<IHostApplicationLifetime>(),
            services.GetRequiredService<TimeProvider>());
    }

    /// <summary>Marks that the Kafka source is registered (makes <see cref="AddEventRouterKafka"/> idempotent).</summary>
    private sealed class KafkaSourceRegistration;
}

using EventRouter.Configuration;
using EventRouter.Delivery;
using EventRouter.Diagnostics;
using EventRouter.Routing;
using EventRouter.Validation;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventRouter;

/// <summary>
/// Registers the routing core. Called by both hosts: <c>FunctionsApplication.CreateBuilder</c>
/// and the self-hosted <c>Host.CreateApplicationBuilder</c>, so both read the same settings and
/// run the same start-up validation.
/// </summary>
public static class EventRouterServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddEventRouter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEventRouter(builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddEventRouter(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<RoutingOptions>()
            .Bind(configuration.GetSection(RoutingOptions.SectionName))
            .Configure(options =>
            {
                // Topic roles come from the Kafka section that both hosts share; an empty name is kept (consumer disabled).
                if (configuration[KafkaSettingNames.NotificationsTopic] is { } notifications) options.NotificationsTopic = notifications;
                if (configuration[KafkaSettingNames.PricesTopic] is { } prices) options.PricesTopic = prices;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        services.AddSingleton<IValidateOptions<RoutingOptions>>(new ShardConnectionsValidator(configuration));

        services.AddOptions<EventFieldsOptions>()
            .Bind(configuration.GetSection(EventFieldsOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventFieldsOptions>, EventFieldsOptionsValidator>();

        services.AddOptions<PriceConflationOptions>()
            .Bind(configuration.GetSection(PriceConflationOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PriceConflationOptions>, PriceConflationOptionsValidator>();

        services.AddOptions<DeliveryOptions>()
            .Bind(configuration.GetSection(DeliveryOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();

        services.AddOptions<EventStorageOptions>()
            .Configure(options => EventStorageOptions.Read(configuration, EventStorageOptions.ConnectionName, options))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventStorageOptions>, EventStorageOptionsValidator>();

        services.TryAddSingleton(sp => new RouteTable(sp.GetRequiredService<IOptions<RoutingOptions>>().Value));
        // Per-topic names follow the topic roles, whose names RoutingOptions takes from Kafka:Topics.
        services.TryAddSingleton(sp =>
        {
            var routing = sp.GetRequiredService<IOptions<RoutingOptions>>().Value;
            return new EventFieldMapping(sp.GetRequiredService<IOptions<EventFieldsOptions>>().Value, routing.NotificationsTopic, routing.PricesTopic);
        });
        services.TryAddSingleton(sp => StorageClientFactory.CreateQueueServiceClient(
            sp.GetRequiredService<IOptions<EventStorageOptions>>().Value, sp.GetRequiredService<IOptions<DeliveryOptions>>().Value));
        services.TryAddSingleton(sp => StorageClientFactory.CreateBlobServiceClient(
            sp.GetRequiredService<IOptions<EventStorageOptions>>().Value, sp.GetRequiredService<IOptions<DeliveryOptions>>().Value));
        // Shards may live in other accounts (Routing:ShardConnections); each is read like EventStorage.
        services.TryAddSingleton(sp => new StorageAccounts(sp.GetRequiredService<RouteTable>(), sp.GetRequiredService<QueueServiceClient>(), connection =>
        {
            var storage = new EventStorageOptions();
            EventStorageOptions.Read(configuration, connection, storage);
            return StorageClientFactory.CreateQueueServiceClient(storage, sp.GetRequiredService<IOptions<DeliveryOptions>>().Value);
        }));
        services.TryAddSingleton<IQueueDispatcher>(sp => new AzureQueueDispatcher(sp.GetRequiredService<StorageAccounts>(), sp.GetRequiredService<BlobServiceClient>()));
        services.TryAddSingleton<EventRouterTelemetry>();
        services.TryAddSingleton<PriceConflator>();
        services.TryAddSingleton<RoutingPipeline>();
        services.TryAddSingleton<IRecordBatchRouter>(sp => sp.GetRequiredService<RoutingPipeline>());
        return services;
    }
}

using EventRouter.Delivery;
using EventRouter.Routing;
using EventRouter.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests;

public sealed class EventRouterServiceCollectionExtensionsTests
{
    private const string DevStorage = "UseDevelopmentStorage=true";

    [Fact]
    public void AddEventRouter_ValidSettingsInHost_StartupValidationPassesAndRouterResolves()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["EventStorage"] = DevStorage });
        builder.AddEventRouter();
        using var host = builder.Build();

        host.Services.GetRequiredService<IStartupValidator>().Validate();

        var router = host.Services.GetRequiredService<IRecordBatchRouter>();
        Assert.Same(host.Services.GetRequiredService<RoutingPipeline>(), router);
        Assert.IsType<AzureQueueDispatcher>(host.Services.GetRequiredService<IQueueDispatcher>());
    }

    [Fact]
    public void AddEventRouter_BadPricesQueue_StartupValidatorThrowsNamingSetting()
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage, ["Routing:PricesQueue"] = "Bad_Name" });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(RoutingOptions), exception.OptionsType);
        Assert.Contains("Routing:PricesQueue", exception.Message);
        Assert.Contains("'Bad_Name'", exception.Message);
    }

    [Fact]
    public void AddEventRouter_BadPricesQueue_ResolvingOptionsThrowsNamingSetting()
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage, ["Routing:PricesQueue"] = "Bad_Name" });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RoutingOptions>>().Value);

        Assert.Contains("Routing:PricesQueue", exception.Message);
    }

    [Fact]
    public async Task AddEventRouter_BadSettingInHost_StartFailsNamingSetting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EventStorage"] = DevStorage,
            ["Routing:Overrides:ORDER.*"] = "Bad_Queue",
        });
        builder.AddEventRouter();
        using var host = builder.Build();

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Routing:Overrides:ORDER.*", exception.Message);
    }

    [Fact]
    public void AddEventRouter_BadDeliverySetting_StartupValidatorNamesIt()
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage, ["Delivery:MaxConcurrency"] = "0" });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(DeliveryOptions), exception.OptionsType);
        Assert.Contains("Delivery:MaxConcurrency", exception.Message);
    }

    [Fact]
    public void AddEventRouter_NoEventStorage_StartupValidatorNamesIt()
    {
        using var services = Build([]);

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(EventStorageOptions), exception.OptionsType);
        Assert.Contains("EventStorage", exception.Message);
    }

    [Fact]
    public void AddEventRouter_BadConnectionString_FailureDoesNotEchoSecret()
    {
        using var services = Build(new() { ["EventStorage"] = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=SECRETKEY" });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("EventStorage", exception.Message);
        Assert.DoesNotContain("SECRETKEY", exception.Message);
    }

    [Fact]
    public void AddEventRouter_EventStorageValue_IsReadAsConnectionString()
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage });

        var storage = services.GetRequiredService<IOptions<EventStorageOptions>>().Value;

        Assert.Equal(DevStorage, storage.ConnectionString);
        Assert.Null(storage.QueueServiceUri);
    }

    [Fact]
    public void AddEventRouter_ConnectionStringsSection_IsFallback()
    {
        using var services = Build(new() { ["ConnectionStrings:EventStorage"] = DevStorage });

        Assert.Equal(DevStorage, services.GetRequiredService<IOptions<EventStorageOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void AddEventRouter_EventStorageChildren_SelectIdentityAndDeriveBlobUri()
    {
        using var services = Build(new()
        {
            ["EventStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["EventStorage:clientId"] = "11111111-2222-3333-4444-555555555555",
        });

        var storage = services.GetRequiredService<IOptions<EventStorageOptions>>().Value;

        Assert.Null(storage.ConnectionString);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), storage.QueueServiceUri);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), storage.BlobServiceUri);
        Assert.Equal("11111111-2222-3333-4444-555555555555", storage.ClientId);
    }

    [Fact]
    public void AddEventRouter_ExplicitBlobServiceUri_WinsOverDerived()
    {
        using var services = Build(new()
        {
            ["EventStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["EventStorage:blobServiceUri"] = "https://other.blob.core.windows.net",
        });

        Assert.Equal(new Uri("https://other.blob.core.windows.net"), services.GetRequiredService<IOptions<EventStorageOptions>>().Value.BlobServiceUri);
    }

    [Fact]
    public void AddEventRouter_UnparsableQueueServiceUri_FailsValidationNamingSetting()
    {
        using var services = Build(new()
        {
            ["EventStorage:queueServiceUri"] = "not a uri",
            ["EventStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
        });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("EventStorage__queueServiceUri", exception.Message);
    }

    [Fact]
    public void AddEventRouter_QueueUriThatCannotDeriveBlobUri_FailsValidationNamingBlobSetting()
    {
        using var services = Build(new() { ["EventStorage:queueServiceUri"] = "https://127.0.0.1:10001/devstoreaccount1" });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("EventStorage__blobServiceUri", exception.Message);
    }

    [Fact]
    public void AddEventRouter_KafkaTopics_SetRoutingTopics()
    {
        using var services = Build(new()
        {
            ["EventStorage"] = DevStorage,
            ["Kafka:Topics:Notifications"] = "provider.notifications",
            ["Kafka:Topics:Prices"] = "provider.prices",
        });

        var routes = services.GetRequiredService<RouteTable>();

        Assert.Equal("provider.prices", routes.PricesTopic);
        Assert.Equal(("prices", RouteKind.Prices), routes.Resolve("provider.prices", "USER.CREATED"));
        Assert.Equal(("events-user", RouteKind.Category), routes.Resolve(RoutingDefaults.PricesTopic, "USER.CREATED"));
        Assert.Equal("provider.notifications", services.GetRequiredService<IOptions<RoutingOptions>>().Value.NotificationsTopic);
    }

    [Fact]
    public void AddEventRouter_RoutingSection_IsBoundIntoRouteTable()
    {
        using var services = Build(new()
        {
            ["EventStorage"] = DevStorage,
            ["Routing:Overrides:ORDER.*"] = "orders",
            ["Routing:Overrides:ORDER.FILLED"] = "orders-filled",
            ["Routing:KnownCategories:0"] = "USER",
            ["Routing:AdditionalCategories:0"] = "LOAN",
            ["Routing:UnroutedQueue"] = "leftovers",
        });

        services.GetRequiredService<IStartupValidator>().Validate();
        var routes = services.GetRequiredService<RouteTable>();

        Assert.Equal("orders", routes.Resolve(RoutingDefaults.NotificationsTopic, "ORDER.CREATED").Queue);
        Assert.Equal("orders-filled", routes.Resolve(RoutingDefaults.NotificationsTopic, "ORDER.FILLED").Queue);
        Assert.Equal("events-loan", routes.Resolve(RoutingDefaults.NotificationsTopic, "LOAN.X").Queue);
        Assert.Equal("events-user", routes.Resolve(RoutingDefaults.NotificationsTopic, "USER.X").Queue);
        // KnownCategories replaced the provider's list, so ACCOUNT is no longer a category.
        Assert.Equal("leftovers", routes.Resolve(RoutingDefaults.NotificationsTopic, "ACCOUNT.X").Queue);
    }

    [Fact]
    public void AddEventRouter_DeliverySection_IsBound()
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage, ["Delivery:MaxConcurrency"] = "7", ["Delivery:RetryDelay"] = "00:00:01" });

        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;

        Assert.Equal(7, delivery.MaxConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(1), delivery.RetryDelay);
    }

    [Fact]
    public void AddEventRouter_EventFieldsSection_IsBoundIntoTheMappingByKafkaTopic()
    {
        using var services = Build(new()
        {
            ["EventStorage"] = DevStorage,
            ["Kafka:Topics:Prices"] = "provider.prices",
            ["EventFields:Id"] = "event_id",
            ["EventFields:Type"] = "event_type",
            ["EventFields:CreatedAt"] = "timestamp",
            ["EventFields:Object"] = "data",
            ["EventFields:Prices:Object"] = "quote",
        });

        services.GetRequiredService<IStartupValidator>().Validate();
        var mapping = services.GetRequiredService<EventFieldMapping>();

        var notifications = mapping.For(RoutingDefaults.NotificationsTopic);
        Assert.Equal(("event_id", "event_type", "timestamp", "data"), (notifications.Id, notifications.Type, notifications.CreatedAt, notifications.Object));
        Assert.Equal("quote", mapping.For("provider.prices").Object);
        Assert.Equal("event_type", mapping.For("provider.prices").Type);
    }

    [Fact]
    public void AddEventRouter_NoEventFieldsSection_MappingIsTheProvidersNames()
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage });

        var names = services.GetRequiredService<EventFieldMapping>().For(RoutingDefaults.NotificationsTopic);

        Assert.Equal(("id", "type", "created_at", "object"), (names.Id, names.Type, names.CreatedAt, names.Object));
    }

    [Theory]
    [InlineData("EventFields:Type", "")]
    [InlineData("EventFields:Prices:Id", "type")]
    public void AddEventRouter_BadEventFieldsSetting_StartupValidatorNamesIt(string setting, string value)
    {
        using var services = Build(new() { ["EventStorage"] = DevStorage, [setting] = value });

        var exception = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(EventFieldsOptions), exception.OptionsType);
        Assert.Contains(setting + ":", exception.Message);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddEventRouter(configuration).BuildServiceProvider();
    }
}

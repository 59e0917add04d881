using EventRouter.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;

namespace EventRouter.Kafka.Tests;

public class KafkaServiceCollectionExtensionsTests
{
    private const string Password = KafkaOptionsValidatorTests.Password;

    [Fact]
    public void AddEventRouterKafka_InvalidConfiguration_FailsAtStartNamingSettingsWithoutPassword()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "b:9092",
            ["Kafka:SecurityProtocol"] = "SaslSsl",
            ["Kafka:Password"] = Password,
        });
        builder.Services.AddSingleton(Mock.Of<IRecordBatchRouter>());
        builder.Services.AddEventRouterKafka(builder.Configuration);
        using var host = builder.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());

        Assert.Contains("Kafka:ConsumerGroup is required.", ex.Failures);
        Assert.Contains("Kafka:SaslMechanism is required when Kafka:SecurityProtocol is SaslSsl.", ex.Failures);
        Assert.Contains("Kafka:Username is required when Kafka:SecurityProtocol is SaslSsl.", ex.Failures);
        Assert.DoesNotContain(Password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddEventRouterKafka_PricesTopicEmpty_RegistersOneSourceForNotifications()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "localhost:9092",
            ["Kafka:SecurityProtocol"] = "Plaintext",
            ["Kafka:ConsumerGroup"] = "g",
            ["Kafka:Topics:Notifications"] = "upvest.Notifications",
            ["Kafka:Topics:Prices"] = "",
        });
        builder.Services.AddSingleton(Mock.Of<IRecordBatchRouter>());
        builder.Services.AddEventRouterKafka(builder.Configuration);
        builder.Services.AddEventRouterKafka(builder.Configuration); // idempotent
        using var host = builder.Build();

        var sources = host.Services.GetServices<IHostedService>().OfType<KafkaSourceService>().ToList();

        Assert.Equal(["upvest.Notifications"], sources.Select(s => s.Topic));
        Assert.Equal("", host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.Topics.Prices);
    }

    [Fact]
    public void AddEventRouterKafka_DefaultTopics_RegistersBothSources()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "localhost:9092",
            ["Kafka:SecurityProtocol"] = "Plaintext",
            ["Kafka:ConsumerGroup"] = "g",
        });
        builder.Services.AddSingleton(Mock.Of<IRecordBatchRouter>());
        builder.Services.AddEventRouterKafka(builder.Configuration);
        using var host = builder.Build();

        var sources = host.Services.GetServices<IHostedService>().OfType<KafkaSourceService>();

        Assert.Equal(["Notifications", "Prices"], sources.Select(s => s.Topic));
    }
}

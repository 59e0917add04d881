using EventRouter.Configuration;
using System.Text.Json;
using EventRouter.Functions.Hosting;
using EventRouter.Routing;

namespace EventRouter.Functions.Tests;

/// <summary>
/// What the worker SDK generated for the app, read from the published folder: functions.metadata
/// (the host indexes the app from it), extensions.json (the host-side extensions the SDK's
/// WorkerExtensions step built), and host.json.
/// </summary>
public sealed class GeneratedMetadataTests
{
    private static IReadOnlyList<GeneratedFunction> Functions()
    {
        using var metadata = FunctionsAppOutput.ReadJson("functions.metadata");
        return [.. GeneratedFunction.ReadAll(metadata).Select(f => f with { Trigger = f.Trigger.Clone(), Retry = f.Retry?.Clone() })];
    }

    private static IReadOnlyList<string> QueuesFromRoutesJson()
    {
        using var routes = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsAppOutput.RepositoryRoot, "infra", "routes.json")));
        var root = routes.RootElement;
        return
        [
            .. root.GetProperty("categories").EnumerateArray().Select(c => RoutingDefaults.CategoryQueueName(c.GetString()!)),
            .. root.GetProperty("extraQueues").EnumerateArray().Select(q => q.GetString()!),
        ];
    }

    [Fact]
    public void QueueTriggers_AreExactlyOnePerRoutedQueue_OfTheRouteTableAndRoutesJson()
    {
        var triggers = Functions().Where(f => f.TriggerType == "queueTrigger").ToList();
        var queues = triggers.Select(f => f.Binding("queueName")!).ToList();

        Assert.Equal(queues.Count, queues.Distinct(StringComparer.Ordinal).Count());
        var routed = new RouteTable(new RoutingOptions()).DestinationQueues.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(37, routed.Count); // 35 categories, prices, events-unrouted
        Assert.Equal(routed, queues.Order(StringComparer.Ordinal));
        Assert.Equal(QueuesFromRoutesJson().Order(StringComparer.Ordinal), queues.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(RoutingDefaults.PoisonQueue, queues);
    }

    [Fact]
    public void QueueTriggers_ReadEventStorage_AndCallTheQueueFunctions()
    {
        var triggers = Functions().Where(f => f.TriggerType == "queueTrigger").ToList();

        Assert.NotEmpty(triggers);
        Assert.All(triggers, f =>
        {
            Assert.Equal("EventStorage", f.Binding("connection"));
            Assert.Equal($"EventRouter.Functions.QueueFunctions.{f.Name}", f.EntryPoint);
            Assert.Equal("In", f.Binding("direction"));
        });
        Assert.Contains(triggers, f => f.Name == "EventsAccountGroupQueue" && f.Binding("queueName") == "events-account-group");
        Assert.Equal(QueueTriggerCoverage.DefaultQueues.Order(StringComparer.Ordinal), triggers.Select(f => f.Binding("queueName")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryFunction_IsAQueueOrKafkaTrigger_WithAUniqueName()
    {
        var functions = Functions();

        Assert.Equal(functions.Count, functions.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(functions, f => Assert.Contains(f.TriggerType, new[] { "queueTrigger", "kafkaTrigger" }));
        Assert.Equal(37 + (FunctionsAppOutput.HasKafkaTrigger ? KafkaTriggerFunctions.All.Count : 0), functions.Count);
    }

    /// <summary>
    /// With the Kafka extension in the build: one batch trigger per topic and SASL mechanism, named as
    /// the disable settings expect. Without it (CI here: -p:KafkaTrigger=false) the build must have
    /// none, which is all this test can check then; docs/functions.md says where the rest was verified.
    /// </summary>
    [Fact]
    public void KafkaTriggers_OnePerTopicAndMechanism_OnTheSharedSettings_OrNoneWithoutTheExtension()
    {
        var kafka = Functions().Where(f => f.TriggerType == "kafkaTrigger").ToList();

        if (!FunctionsAppOutput.HasKafkaTrigger)
        {
            Assert.Empty(kafka);
            Assert.DoesNotContain(Functions(), f => KafkaTriggerFunctions.All.Contains(f.Name));
            return;
        }

        Assert.Equal(KafkaTriggerFunctions.All.Order(StringComparer.Ordinal), kafka.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(kafka, f =>
        {
            var topic = f.Name.StartsWith("Prices", StringComparison.Ordinal) ? KafkaSettingNames.PricesTopic : KafkaSettingNames.NotificationsTopic;
            Assert.Equal($"%{topic}%", f.Binding("topic"));
            Assert.Equal($"%{KafkaSettingNames.BootstrapServers}%", f.Binding("brokerList"));
            Assert.Equal($"%{KafkaSettingNames.ConsumerGroup}%", f.Binding("consumerGroup"));
            Assert.Equal($"%{KafkaSettingNames.Username}%", f.Binding("username"));
            Assert.Equal($"%{KafkaSettingNames.Password}%", f.Binding("password"));
            Assert.Equal(KafkaSettingNames.SslCaPem, f.Binding("sslCaPEM"));
            Assert.Equal(KafkaTriggerFunctions.MechanismOf(f.Name), f.Binding("authenticationMode"));
            Assert.Equal("SaslSsl", f.Binding("protocol"));
            Assert.Equal("Many", f.Binding("cardinality"));
            var retry = Assert.NotNull(f.Retry);
            Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString());
            Assert.Equal(5, retry.GetProperty("maxRetryCount").GetInt32());
        });
        Assert.All(Functions().Where(f => f.TriggerType == "queueTrigger"), f => Assert.Null(f.Retry));
    }

    [Fact]
    public void ExtensionsJson_NamesTheStorageQueuesExtension_AndItsAssemblyIsPublished()
    {
        using var extensions = FunctionsAppOutput.ReadJson("extensions.json");
        var entries = extensions.RootElement.GetProperty("extensions").EnumerateArray().ToList();

        var queues = Assert.Single(entries, e => e.GetProperty("name").GetString() == "AzureStorageQueues");
        Assert.StartsWith("Microsoft.Azure.WebJobs.Extensions.Storage.AzureStorageQueuesWebJobsStartup, Microsoft.Azure.WebJobs.Extensions.Storage.Queues,",
            queues.GetProperty("typeName").GetString());
        var hintPath = queues.GetProperty("hintPath").GetString()!;
        Assert.True(File.Exists(Path.Combine(FunctionsAppOutput.PublishDirectory, hintPath)), $"{hintPath} is not in the published app");
        // The host-side Kafka extension (Microsoft.Azure.WebJobs.Extensions.Kafka) comes with the Kafka build only.
        Assert.Equal(FunctionsAppOutput.HasKafkaTrigger, entries.Any(e => e.GetProperty("typeName").GetString()!.Contains("Microsoft.Azure.WebJobs.Extensions.Kafka", StringComparison.Ordinal)));
    }

    [Fact]
    public void PublishedHostJson_KeepsFailedBatchesUncommitted_AndTheQueueSettings()
    {
        using var host = FunctionsAppOutput.ReadJson("host.json");
        var root = host.RootElement;
        var kafka = root.GetProperty("extensions").GetProperty("kafka");
        var queues = root.GetProperty("extensions").GetProperty("queues");
        var sampling = root.GetProperty("logging").GetProperty("applicationInsights").GetProperty("samplingSettings");

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        // The host exports through OpenTelemetry like the worker, so the worker's logs are not sent twice.
        Assert.Equal("OpenTelemetry", root.GetProperty("telemetryMode").GetString());
        Assert.False(kafka.GetProperty("commitOnFailure").GetBoolean());
        Assert.Equal(-1, kafka.GetProperty("maxRetries").GetInt32());
        Assert.InRange(kafka.GetProperty("maxBatchSize").GetInt32(), 1, 1000);
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal(new Processing.ProcessingOptions().MaxDequeueCount, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.InRange(queues.GetProperty("batchSize").GetInt32(), 1, 32);
        Assert.True(TimeSpan.TryParse(queues.GetProperty("visibilityTimeout").GetString(), out _));
        var excluded = sampling.GetProperty("excludedTypes").GetString()!.Split(';');
        Assert.Contains("Exception", excluded);
        Assert.Contains("Request", excluded);
        Assert.Equal(File.ReadAllText(Path.Combine(FunctionsAppOutput.RepositoryRoot, "host.json")), File.ReadAllText(Path.Combine(FunctionsAppOutput.PublishDirectory, "host.json")));
    }

    [Fact]
    public void PublishedApp_IsAnIsolatedDotnetWorker_WithoutLocalSettings()
    {
        using var worker = FunctionsAppOutput.ReadJson("worker.config.json");
        var description = worker.RootElement.GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("EventRouter.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
        Assert.True(File.Exists(Path.Combine(FunctionsAppOutput.PublishDirectory, "EventRouter.Functions.dll")));
        Assert.False(File.Exists(Path.Combine(FunctionsAppOutput.PublishDirectory, "local.settings.json")));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using EventRouter.Hosting;

namespace EventRouter.Tests.Functions;

/// <summary>
/// The Functions project cannot be built on our machines (its packages do not restore), so these
/// tests read its sources and the files the Functions host reads (host.json, local settings) and
/// check them against the core: every routed queue has exactly one trigger, the Kafka triggers use
/// the shared setting names in batch mode, and host.json keeps at-least-once delivery.
/// </summary>
public sealed partial class FunctionsAppFilesTests
{
    private static readonly string Root = FindRepositoryRoot();
    private static readonly string FunctionsDir = Path.Combine(Root, "src", "EventRouter.Functions");

    // From the test binaries, or else from this source file (when the binaries live elsewhere).
    private static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Functions.sln"))) return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Functions.sln not found above {AppContext.BaseDirectory} or {sourceFile}");
    }

    private static string Read(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts]));

    [GeneratedRegex("""\[Function\(nameof\((?<name>\w+)\)\)\]\s*public Task (?<method>\w+)\(\[QueueTrigger\("(?<queue>[^"]+)", Connection = Storage\)\] QueueMessage message, CancellationToken cancellationToken\)\s*=> Handle\("(?<handled>[^"]+)", message, cancellationToken\);""")]
    private static partial Regex QueueFunction();

    [GeneratedRegex("""%(?<setting>[^%]+)%""")]
    private static partial Regex BindingExpression();

    [Fact]
    public void QueueFunctions_OneOneLinerPerDefaultQueue()
    {
        var source = Read("src", "EventRouter.Functions", "QueueFunctions.cs");

        var functions = QueueFunction().Matches(source).ToList();

        Assert.Equal(QueueTriggerCoverage.DefaultQueues.Order(StringComparer.Ordinal), functions.Select(m => m.Groups["queue"].Value).Order(StringComparer.Ordinal));
        Assert.All(functions, m =>
        {
            Assert.Equal(m.Groups["name"].Value, m.Groups["method"].Value);
            Assert.Equal(m.Groups["queue"].Value, m.Groups["handled"].Value);
        });
        Assert.Equal(functions.Count, Regex.Matches(source, @"\[Function\(").Count);
        Assert.Contains("private const string Storage = \"EventStorage\";", source);
    }

    [Fact]
    public void FunctionNames_AreUniqueAcrossTheApp()
    {
        var names = Directory.EnumerateFiles(FunctionsDir, "*.cs")
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), @"\[Function\(nameof\((\w+)\)\)\]").Select(m => m.Groups[1].Value))
            .ToList();

        Assert.Equal(31, names.Count);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void KafkaFunctions_BatchTriggersOnTheSharedSettings()
    {
        var source = Read("src", "EventRouter.Functions", "KafkaFunctions.cs");

        Assert.Equal(2, Regex.Matches(source, @"\[KafkaTrigger\(").Count);
        Assert.Equal(2, Regex.Matches(source, @"IsBatched = true\)\] KafkaRecord\[\] records").Count);
        Assert.Equal(2, Regex.Matches(source, @"\[ExponentialBackoffRetry\(").Count);
        Assert.Equal(2, Regex.Matches(source, @"Protocol = KafkaSecurity\.Protocol,").Count);
        Assert.Equal(2, Regex.Matches(source, @"AuthenticationMode = KafkaSecurity\.Mechanism,").Count);
        Assert.Equal(2, Regex.Matches(source, @"=> router\.RouteBatchAsync\(records\.ToInboundRecords\(\), cancellationToken\);").Count);
        Assert.Contains("\"%Kafka:Topics:Notifications%\"", source);
        Assert.Contains("\"%Kafka:Topics:Prices%\"", source);

        var settings = BindingExpression().Matches(source).Select(m => m.Groups["setting"].Value).Distinct().ToList();
        Assert.NotEmpty(settings);
        Assert.All(settings, setting => Assert.Contains(setting, KafkaSettingNames.All));
        Assert.Contains($"CaPemSetting = \"{KafkaSettingNames.SslCaPem}\";", Read("src", "EventRouter.Functions", "KafkaSecurity.cs"));
    }

    [Fact]
    public void SaslSwitch_IsOneMsBuildPropertyMappedToCompileConstants()
    {
        var project = XDocument.Parse(Read("src", "EventRouter.Functions", "EventRouter.Functions.csproj"));
        var properties = project.Descendants("PropertyGroup").Elements().ToList();
        var security = Read("src", "EventRouter.Functions", "KafkaSecurity.cs");

        Assert.Contains(properties, p => p.Name == "KafkaSaslMechanism" && p.Value == "ScramSha512");
        Assert.Contains(properties, p => p.Name == "DefineConstants" && p.Value.Contains("KAFKA_SASL_PLAIN", StringComparison.Ordinal));
        Assert.Contains(properties, p => p.Name == "DefineConstants" && p.Value.Contains("KAFKA_SASL_SCRAM_SHA_256", StringComparison.Ordinal));
        Assert.Contains("#if KAFKA_SASL_PLAIN", security);
        Assert.Contains("#elif KAFKA_SASL_SCRAM_SHA_256", security);
        Assert.Contains("BrokerAuthenticationMode.ScramSha512;", security);
    }

    [Fact]
    public void HostJson_KeepsFailedBatchesUncommittedAndQueuesBase64()
    {
        using var host = JsonDocument.Parse(Read("host.json"));
        var root = host.RootElement;
        var kafka = root.GetProperty("extensions").GetProperty("kafka");
        var queues = root.GetProperty("extensions").GetProperty("queues");
        var sampling = root.GetProperty("logging").GetProperty("applicationInsights").GetProperty("samplingSettings");

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.False(kafka.GetProperty("commitOnFailure").GetBoolean());
        Assert.Equal(-1, kafka.GetProperty("maxRetries").GetInt32());
        Assert.InRange(kafka.GetProperty("maxBatchSize").GetInt32(), 1, 1000);
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
        Assert.Equal(5, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.InRange(queues.GetProperty("batchSize").GetInt32(), 1, 32);
        Assert.True(TimeSpan.TryParse(queues.GetProperty("visibilityTimeout").GetString(), out _));
        var excluded = sampling.GetProperty("excludedTypes").GetString()!.Split(';');
        Assert.Contains("Exception", excluded);
        Assert.Contains("Request", excluded);
    }

    [Fact]
    public void LocalSettingsSample_HasEverySettingAsStrictJson()
    {
        var text = Read("local.settings.sample.json");
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        var root = document.RootElement;
        var values = root.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        Assert.False(root.GetProperty("IsEncrypted").GetBoolean());
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("UseDevelopmentStorage=true", values["EventStorage"]);
        Assert.All(KafkaSettingNames.All, key => Assert.Contains(KafkaSettingNames.ToAppSettingName(key), values.Keys));
        Assert.Equal("SaslSsl", values["Kafka__SecurityProtocol"]);
        Assert.Equal("ScramSha512", values["Kafka__SaslMechanism"]);
    }

    [Fact]
    public void Solutions_CiFilterLeavesTheFunctionsProjectOut()
    {
        using var filter = JsonDocument.Parse(Read("EventRouter.Ci.slnf"));
        var projects = filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray().Select(p => p.GetString()).ToList();

        Assert.DoesNotContain(projects, p => p!.Contains("EventRouter.Functions", StringComparison.Ordinal));
        Assert.Contains("src/EventRouter.ApplicationInsights/EventRouter.ApplicationInsights.csproj", projects);
        Assert.Contains(@"src\EventRouter.Functions\EventRouter.Functions.csproj", Read("Functions.sln"));
    }

    [Fact]
    public void FunctionsProject_CopiesTheRootHostJson()
    {
        var project = XDocument.Parse(Read("src", "EventRouter.Functions", "EventRouter.Functions.csproj"));

        var hostJson = Assert.Single(project.Descendants("None"), n => (string?)n.Attribute("Include") == "../../host.json");
        Assert.Equal("PreserveNewest", (string?)hostJson.Attribute("CopyToOutputDirectory"));
        Assert.Equal("PreserveNewest", (string?)hostJson.Attribute("CopyToPublishDirectory"));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventRouter.Diagnostics;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventRouter.Infrastructure.Tests;

/// <summary>
/// The workbook and the alert rules as a deployment would create them (<c>bicep snapshot</c> of
/// main.bicep), checked against what the code emits: every instrument a query names is one of the
/// <c>EventRouter</c> Meter's, every attribute it reads one that an instrument it names records, and
/// every log event it reads one of our <c>[LoggerMessage]</c> definitions with the properties it reads.
/// </summary>
public sealed partial class MonitoringTests
{
    // Instrument name → the attribute keys its measurements carry, observed with a MeterListener while
    // every recording method of the core's and the Kafka source's telemetry runs once.
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> Emitted = new(ObserveMeter);

    // Log event name → the property names of its message template.
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> LogEvents = new(ReadLogEvents);

    [GeneratedRegex(@"customDimensions\['(?<key>[^']+)'\]")]
    private static partial Regex Dimension();

    [GeneratedRegex(@"'(?<name>eventrouter\.[a-z0-9_.]+)'")]
    private static partial Regex InstrumentName();

    [GeneratedRegex(@"customDimensions\['EventName'\]\)\s+in\s+\((?<names>[^)]*)\)")]
    private static partial Regex EventNames();

    [GeneratedRegex(@"\{(?<name>[A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex TemplateProperty();

    public static TheoryData<string> Sources => ["workbook", "alerts"];

    [Theory]
    [MemberData(nameof(Sources))]
    public void Queries_NameOnlyInstrumentsAndAttributesTheCodeEmits(string source)
    {
        var queries = Queries(Deployments.Get("sandbox"), source);
        Assert.NotEmpty(queries);

        Assert.All(queries, query =>
        {
            var dimensions = Dimension().Matches(query.Text).Select(m => m.Groups["key"].Value).Distinct().ToList();
            var instruments = InstrumentName().Matches(Dimension().Replace(query.Text, "")).Select(m => m.Groups["name"].Value).Distinct().ToList();
            var events = EventNames().Matches(query.Text).SelectMany(m => m.Groups["names"].Value.Split(',')).Select(n => n.Trim().Trim('\'')).ToList();

            Assert.True(instruments.Count > 0 || !query.Text.Contains("customMetrics", StringComparison.Ordinal), $"{query.Name}: reads customMetrics but names no instrument");
            foreach (var instrument in instruments)
            {
                Assert.True(Emitted.Value.ContainsKey(instrument), $"{query.Name}: '{instrument}' is not an instrument of the EventRouter Meter ({string.Join(", ", Emitted.Value.Keys.Order())})");
            }
            foreach (var name in events)
            {
                Assert.True(LogEvents.Value.ContainsKey(name), $"{query.Name}: '{name}' is not the EventName of any [LoggerMessage]");
            }
            foreach (var dimension in dimensions)
            {
                if (dimension == "EventName") continue; // the exporter's name for EventId.Name
                var byInstrument = instruments.Any(i => Emitted.Value[i].Contains(dimension));
                var byLogEvent = events.Count > 0 && events.All(e => LogEvents.Value[e].Contains(dimension));
                Assert.True(byInstrument || byLogEvent,
                    $"{query.Name}: customDimensions['{dimension}'] is recorded by none of {string.Join(", ", instruments.Concat(events))}");
            }
        });
    }

    [Fact]
    public void Workbook_ShowsEveryFigureTheIssueAsksFor()
    {
        var text = string.Join("\n", Queries(Deployments.Get("sandbox"), "workbook").Select(q => q.Text));

        Assert.All(
            [TelemetryNames.EventsRouted, TelemetryNames.EventsPoisoned, "eventrouter.kafka.consumer.lag", "eventrouter.kafka.record.delay",
             TelemetryNames.BatchFailures, TelemetryNames.QueueMessagesPoisoned, TelemetryNames.QueueMessagesFailed, KafkaTelemetryNames.CommitFailures, "requests", "percentile"],
            name => Assert.Contains(name, text));
    }

    [Fact]
    public void Workbook_IsOneSharedWorkbookOverApplicationInsights()
    {
        var deployment = Deployments.Get("sandbox");
        var workbook = deployment.Single("Microsoft.Insights/workbooks");
        var properties = workbook.GetProperty("properties");
        var appInsights = deployment.ResourceId("Microsoft.Insights/components", deployment.NameOf("Microsoft.Insights/components"));

        Assert.True(Guid.TryParse(workbook.GetProperty("name").GetString(), out _));
        Assert.Equal("shared", workbook.GetProperty("kind").GetString());
        Assert.Equal(appInsights, properties.GetProperty("sourceId").GetString());
        using var content = JsonDocument.Parse(properties.GetProperty("serializedData").GetString()!);
        Assert.Equal("Notebook/1.0", content.RootElement.GetProperty("version").GetString());
        Assert.Equal([appInsights], content.RootElement.GetProperty("fallbackResourceIds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void AlertRules_AreTheFiveOfTheIssue_AllNotifyingTheOneActionGroup()
    {
        var deployment = Deployments.Get("sandbox");
        var rules = deployment.OfType("Microsoft.Insights/scheduledQueryRules").ToList();
        var actionGroup = deployment.Single("Microsoft.Insights/actionGroups");
        var actionGroupId = deployment.ResourceId("Microsoft.Insights/actionGroups", actionGroup.GetProperty("name").GetString()!);
        var appInsights = deployment.ResourceId("Microsoft.Insights/components", deployment.NameOf("Microsoft.Insights/components"));

        Assert.Equal(["function-failures", "lag", "poison-queue-growing", "poisoned", "stuck-consumer"],
            rules.Select(r => r.GetProperty("name").GetString()!["alert-eventrouter-sandbox-".Length..]).Order());
        Assert.All(rules, rule =>
        {
            var properties = rule.GetProperty("properties");
            Assert.Equal([appInsights], properties.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal([actionGroupId], properties.GetProperty("actions").GetProperty("actionGroups").EnumerateArray().Select(s => s.GetString()));
            var criterion = Assert.Single(properties.GetProperty("criteria").GetProperty("allOf").EnumerateArray());
            var measure = criterion.GetProperty("metricMeasureColumn").GetString()!;
            Assert.Contains(measure, criterion.GetProperty("query").GetString());
            Assert.All(criterion.GetProperty("dimensions").EnumerateArray(), d => Assert.Contains(d.GetProperty("name").GetString()!, criterion.GetProperty("query").GetString()));
        });
        // Without an address the group has no receiver; the rules still fire (and show in the portal).
        Assert.Empty(actionGroup.GetProperty("properties").GetProperty("emailReceivers").EnumerateArray());
        Assert.Equal((string[])["PT10M", "PT15M", "PT15M", "PT30M", "PT5M"],
            rules.Select(r => r.GetProperty("properties").GetProperty("windowSize").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AlertThresholdsAndEmail_AreParameters()
    {
        var deployment = PredictedDeployment.SandboxWith("monitoring-parameters", new Dictionary<string, string>
        {
            ["alertEmailAddress"] = "'operators@example.com'",
            ["alertPoisonedThreshold"] = "3",
            ["alertLagThreshold"] = "123456",
            ["alertStuckLagThreshold"] = "7",
            ["alertFunctionFailurePercent"] = "25",
            ["alertPoisonQueueGrowthThreshold"] = "9",
        });

        var thresholds = deployment.OfType("Microsoft.Insights/scheduledQueryRules").ToDictionary(
            r => r.GetProperty("name").GetString()!["alert-eventrouter-sandbox-".Length..],
            r => r.GetProperty("properties").GetProperty("criteria").GetProperty("allOf")[0].GetProperty("threshold").GetDouble());
        Assert.Equal(new Dictionary<string, double>
        {
            ["poisoned"] = 3, ["lag"] = 123456, ["stuck-consumer"] = 7, ["function-failures"] = 25, ["poison-queue-growing"] = 9,
        }, thresholds);
        var receiver = Assert.Single(deployment.Single("Microsoft.Insights/actionGroups").GetProperty("properties").GetProperty("emailReceivers").EnumerateArray());
        Assert.Equal("operators@example.com", receiver.GetProperty("emailAddress").GetString());
    }

    [Fact]
    public void WorkbookAndAlerts_CanBeSwitchedOff()
    {
        var deployment = PredictedDeployment.SandboxWith("monitoring-off", new Dictionary<string, string>
        {
            ["workbookEnabled"] = "false",
            ["alertsEnabled"] = "false",
        });

        Assert.Empty(deployment.OfType("Microsoft.Insights/workbooks"));
        Assert.Empty(deployment.OfType("Microsoft.Insights/scheduledQueryRules"));
        Assert.Empty(deployment.OfType("Microsoft.Insights/actionGroups"));
        Assert.Single(deployment.OfType("Microsoft.Insights/components"));
    }

    /// <summary>The observation the name test compares against is itself complete: every instrument of the Meter was recorded with its attributes.</summary>
    [Fact]
    public void ObservedMeter_HasTheInstrumentsTheDashboardsRelyOn_WithTheirAttributes()
    {
        var emitted = Emitted.Value;

        Assert.Equal(["eventrouter.route.kind", "messaging.destination.name"], emitted[TelemetryNames.EventsRouted].Order(StringComparer.Ordinal));
        Assert.Equal(["messaging.consumer.group.name", "messaging.destination.name", "messaging.destination.partition.id"],
            emitted["eventrouter.kafka.consumer.lag"].Order(StringComparer.Ordinal));
        Assert.Contains("messaging.destination.name", emitted["eventrouter.kafka.record.delay"]);
        Assert.Contains("eventrouter.poison.reason", emitted[TelemetryNames.EventsPoisoned]);
        Assert.Equal(["CommitFailed", "PartitionCommitFailed"], LogEvents.Value.Keys.Where(k => k.Contains("CommitFailed", StringComparison.Ordinal)).Order());
        Assert.Contains("Topic", LogEvents.Value["CommitFailed"]);
    }

    private sealed record Query(string Name, string Text);

    private static List<Query> Queries(PredictedDeployment deployment, string source) => source switch
    {
        "workbook" => [.. deployment.OfType("Microsoft.Insights/workbooks").SelectMany(w =>
        {
            using var content = JsonDocument.Parse(w.GetProperty("properties").GetProperty("serializedData").GetString()!);
            return content.RootElement.GetProperty("items").EnumerateArray()
                .Where(i => i.GetProperty("content").TryGetProperty("query", out _))
                .Select(i => new Query($"workbook item '{i.GetProperty("name").GetString()}'", i.GetProperty("content").GetProperty("query").GetString()!))
                .ToList();
        })],
        "alerts" => [.. deployment.OfType("Microsoft.Insights/scheduledQueryRules").SelectMany(r =>
            r.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray()
                .Select(c => new Query($"alert rule '{r.GetProperty("name").GetString()}'", c.GetProperty("query").GetString()!)))],
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    private static IReadOnlyDictionary<string, IReadOnlySet<string>> ObserveMeter()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var emitted = new ConcurrentDictionary<string, ConcurrentDictionary<string, byte>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this factory's meter: other tests' measurements never mix in.
            if (!ReferenceEquals(instrument.Meter.Scope, factory) || instrument.Meter.Name != TelemetryNames.MeterName) return;
            emitted.TryAdd(instrument.Name, new());
            l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags) emitted[instrument.Name][tag.Key] = 0;
        }
        listener.SetMeasurementEventCallback<long>((i, _, tags, _) => Record(i, tags));
        listener.SetMeasurementEventCallback<int>((i, _, tags, _) => Record(i, tags));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Record(i, tags));

        var telemetry = new EventRouterTelemetry(factory);
        var kafka = new KafkaMetrics(factory);
        listener.Start();

        // Every recording method, once.
        telemetry.Routed("events-user", OutcomeKind.Routed);
        telemetry.Poisoned(PoisonReason.InvalidJson);
        telemetry.Deduplicated();
        telemetry.Conflated();
        telemetry.TypeHeaderMismatch();
        telemetry.Offloaded("event");
        telemetry.BatchCompleted(10, TimeSpan.FromMilliseconds(5));
        telemetry.BatchFailed("RequestFailedException");
        telemetry.QueueMessageProcessed("events-user");
        telemetry.QueueMessageFailed("events-user");
        telemetry.QueueMessagePoisoned("events-user", PoisonReason.MaxDequeueCountExceeded);
        kafka.BatchRouted("Notifications", "group", 10, TimeSpan.FromMilliseconds(5));
        kafka.RecordsDelivered("Notifications", "group", [new InboundRecord("Notifications", 0, 1, DateTimeOffset.UtcNow.AddSeconds(-1), null, null, [])], DateTimeOffset.UtcNow);
        kafka.BatchRetried("Notifications", "group", "transient");
        kafka.RecordsSkipped("Notifications", "group", 1);
        kafka.CommitFailed("Notifications", "group", "RebalanceInProgress");
        kafka.Rebalanced("Notifications", "group", "assigned");
        using (kafka.RegisterLagSource(() => [KafkaMetrics.LagMeasurement("Notifications", 0, "group", 5)]))
        {
            listener.RecordObservableInstruments();
        }

        return emitted.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value.Keys.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private static IReadOnlyDictionary<string, IReadOnlySet<string>> ReadLogEvents() =>
        new[] { typeof(RoutingPipeline).Assembly, typeof(KafkaMetrics).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Where(a => !string.IsNullOrEmpty(a.EventName))
            .GroupBy(a => a.EventName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key,
                g => (IReadOnlySet<string>)g.SelectMany(a => TemplateProperty().Matches(a.Message).Select(m => m.Groups["name"].Value)).ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventRouter.ApplicationInsights;
using EventRouter.Diagnostics;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Functions;

/// <summary>
/// The worker's Application Insights export: the names docs/functions.md queries
/// (<c>customMetrics</c> <c>eventrouter.events.poisoned</c> by <c>eventrouter.poison.reason</c>),
/// spans as dependencies of the invocation, and sampling that keeps every exception.
/// </summary>
public sealed class ApplicationInsightsExportTests
{
    private sealed class CapturingChannel : ITelemetryChannel
    {
        public ConcurrentQueue<ITelemetry> Items { get; } = new();
        public bool? DeveloperMode { get; set; }
        public string EndpointAddress { get; set; } = "";
        public void Send(ITelemetry item) => Items.Enqueue(item);
        public void Flush() { }
        public void Dispose() { }
    }

    private static (TelemetryConfiguration Configuration, CapturingChannel Channel) NewConfiguration()
    {
        var channel = new CapturingChannel();
        var configuration = new TelemetryConfiguration
        {
            TelemetryChannel = channel,
            ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001",
        };
        return (configuration, channel);
    }

    [Fact]
    public void Module_PoisonedCounter_BecomesCustomMetricWithReasonDimension()
    {
        var (configuration, channel) = NewConfiguration();
        using var module = new EventRouterTelemetryModule();
        module.Initialize(configuration);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new EventRouterTelemetry(services.GetRequiredService<IMeterFactory>());

        telemetry.Poisoned(PoisonReason.InvalidId);
        telemetry.Poisoned(PoisonReason.InvalidId);
        telemetry.BatchCompleted(3, TimeSpan.FromMilliseconds(20));
        new TelemetryClient(configuration).Flush();

        var metrics = channel.Items.OfType<MetricTelemetry>().ToList();
        var poisoned = Assert.Single(metrics, m => m.Name == TelemetryNames.EventsPoisoned
            && m.Properties.TryGetValue(TelemetryNames.PoisonReason, out var reason) && reason == "invalid-id");
        Assert.True(poisoned.Sum >= 2);
        Assert.Contains(metrics, m => m.Name == TelemetryNames.BatchSize && m.Max >= 3);
        Assert.Equal(0, module.DroppedMeasurements);
    }

    [Fact]
    public void Module_Span_BecomesInProcDependencyUnderItsParent()
    {
        var (configuration, channel) = NewConfiguration();
        using var module = new EventRouterTelemetryModule();
        module.Initialize(configuration);
        var name = "route batch " + Guid.NewGuid().ToString("N");

        using var invocation = new Activity("invocation").SetIdFormat(ActivityIdFormat.W3C).Start();
        using (var span = EventRouterTelemetry.ActivitySource.StartActivity(name, ActivityKind.Consumer))
        {
            Assert.NotNull(span);
            span.SetTag(TelemetryNames.DestinationName, "events-user");
            span.SetStatus(ActivityStatusCode.Error, "RequestFailedException");
        }

        var dependency = Assert.Single(channel.Items.OfType<DependencyTelemetry>(), d => d.Name == name);
        Assert.Equal(EventRouterTelemetryModule.DependencyType, dependency.Type);
        Assert.False(dependency.Success);
        Assert.Equal("RequestFailedException", dependency.ResultCode);
        Assert.Equal(invocation.TraceId.ToHexString(), dependency.Context.Operation.Id);
        Assert.Equal(invocation.SpanId.ToHexString(), dependency.Context.Operation.ParentId);
        Assert.Equal("events-user", dependency.Properties[TelemetryNames.DestinationName]);
    }

    [Fact]
    public void Module_InconsistentTagSets_NeverThrowIntoTheInstrument()
    {
        var (configuration, _) = NewConfiguration();
        using var module = new EventRouterTelemetryModule();
        module.Initialize(configuration);
        using var meter = new Meter(TelemetryNames.MeterName);
        var counter = meter.CreateCounter<long>("eventrouter.test." + Guid.NewGuid().ToString("N"));

        counter.Add(1, new KeyValuePair<string, object?>("a", "1"));
        counter.Add(1, new KeyValuePair<string, object?>("b", "1"), new KeyValuePair<string, object?>("a", 2));
        counter.Add(1);
    }

    [Fact]
    public void AddEventRouterApplicationInsights_SamplingExcludesExceptionsAndRequests_AndOnlyOnce()
    {
        using var provider = new ServiceCollection()
            .AddApplicationInsightsTelemetryWorkerService(o => o.ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001")
            .AddEventRouterApplicationInsights()
            .BuildServiceProvider();

        var configuration = provider.GetRequiredService<TelemetryConfiguration>();

        var sampling = Assert.Single(configuration.DefaultTelemetrySink.TelemetryProcessors.OfType<AdaptiveSamplingTelemetryProcessor>());
        Assert.Contains("Exception", sampling.ExcludedTypes, StringComparison.Ordinal);
        Assert.Contains("Request", sampling.ExcludedTypes, StringComparison.Ordinal);
        Assert.Contains(provider.GetServices<ITelemetryModule>(), m => m is EventRouterTelemetryModule);
    }

    [Fact]
    public void AddEventRouterApplicationInsights_TheSdkInitializesTheModule_SoCoreMetricsReachTheChannel()
    {
        var channel = new CapturingChannel();
        using var provider = new ServiceCollection()
            .AddSingleton<ITelemetryChannel>(channel)
            .AddMetrics()
            .AddApplicationInsightsTelemetryWorkerService(o => o.ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001")
            .AddEventRouterApplicationInsights()
            .BuildServiceProvider();
        var client = provider.GetRequiredService<TelemetryClient>();
        var telemetry = new EventRouterTelemetry(provider.GetRequiredService<IMeterFactory>());

        telemetry.Poisoned(PoisonReason.DuplicateField);
        client.Flush();

        Assert.Contains(channel.Items.OfType<MetricTelemetry>(), m => m.Name == TelemetryNames.EventsPoisoned
            && m.Properties.TryGetValue(TelemetryNames.PoisonReason, out var reason) && reason == "duplicate-field");
    }

    [Fact]
    public void AddEventRouterApplicationInsights_LiftsTheSdkWarningOnlyLogFilter()
    {
        using var provider = new ServiceCollection()
            .AddApplicationInsightsTelemetryWorkerService()
            .AddEventRouterApplicationInsights()
            .BuildServiceProvider();

        var rules = provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;

        Assert.DoesNotContain(rules, r => r.ProviderName == EventRouterApplicationInsightsExtensions.ApplicationInsightsLoggerProviderName);
    }
}

using System.Diagnostics;
using System.Reflection;
using EventRouter.Diagnostics;
using EventRouter.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace EventRouter.Telemetry.Tests;

/// <summary>
/// The shared OpenTelemetry set-up: which exporters the standard variables choose, the start-up
/// checks of those variables, and that failed spans and Error logs are never sampled away, with
/// both the Azure Monitor and the OTLP exporter configured (each pointed at a closed local port)
/// and a sampler asked for through <c>OTEL_TRACES_SAMPLER</c> that would keep none.
/// </summary>
public sealed class OpenTelemetryExportTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/";

    [Theory]
    [InlineData(null, null, TelemetryExporters.None)]
    [InlineData(" ", "", TelemetryExporters.None)]
    [InlineData(ConnectionString, null, TelemetryExporters.AzureMonitor)]
    [InlineData(null, "http://127.0.0.1:4318", TelemetryExporters.Otlp)]
    [InlineData(ConnectionString, "http://127.0.0.1:4318", TelemetryExporters.AzureMonitor | TelemetryExporters.Otlp)]
    public void From_TheStandardVariables_ChooseTheExporters(string? connectionString, string? endpoint, TelemetryExporters expected)
        => Assert.Equal(expected, TelemetryExporterSelection.From(connectionString, endpoint));

    [Fact]
    public void AddEventRouterOpenTelemetry_NoVariables_AddsNoOpenTelemetry()
    {
        var services = new ServiceCollection();

        var exporters = services.AddEventRouterOpenTelemetry(new ConfigurationBuilder().Build());

        Assert.Equal(TelemetryExporters.None, exporters);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(TracerProvider));
    }

    [Fact]
    public void Validate_MalformedEndpointAndConnectionString_NameTheVariablesWithoutTheirValues()
    {
        var result = new TelemetrySettingsValidator().Validate(null, new TelemetrySettings
        {
            OtlpEndpoint = "collector:4317-not-a-uri",
            AzureMonitorConnectionString = "IngestionEndpoint=https://secret-looking.example/;Key=abc123secret",
        });

        Assert.True(result.Failed);
        var message = string.Join('\n', result.Failures!);
        Assert.Contains(TelemetryExporterSelection.OtlpEndpointSetting, message);
        Assert.Contains(TelemetryExporterSelection.AzureMonitorConnectionSetting, message);
        Assert.DoesNotContain("not-a-uri", message);
        Assert.DoesNotContain("abc123secret", message);
    }

    [Fact]
    public void Validate_WellFormedVariables_Pass()
    {
        var result = new TelemetrySettingsValidator().Validate(null, new TelemetrySettings { OtlpEndpoint = "https://collector.example:4318", AzureMonitorConnectionString = ConnectionString });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void AddEventRouterOpenTelemetry_BadEndpoint_FailsAtStartNamingIt()
    {
        using var provider = Build(new() { [TelemetryExporterSelection.OtlpEndpointSetting] = "not a uri" }, null, null);

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TelemetrySettings>>().Value);
        Assert.Contains(TelemetryExporterSelection.OtlpEndpointSetting, failure.Message);
    }

    [Fact]
    public void FailedSpansAndErrorLogs_BothExportersAndAZeroRatioAskedFor_EveryOneReachesTheExporter()
    {
        // No statistics of the exporter's own to Microsoft from a test.
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true");
        var spans = new List<Activity>();
        var logs = new List<LogRecord>();
        using var provider = Build(new()
        {
            [TelemetryExporterSelection.AzureMonitorConnectionSetting] = ConnectionString,
            [TelemetryExporterSelection.OtlpEndpointSetting] = "http://127.0.0.1:9",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_TRACES_SAMPLER"] = "traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0",
        }, spans, logs);
        var tracer = provider.GetRequiredService<TracerProvider>();
        var loggers = provider.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("EventRouter.Tests");

        Assert.IsType<AlwaysOnSampler>(tracer.GetType().GetProperty("Sampler", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(tracer));
        const int Failures = 300;
        // A name of this test's own: other tests start spans on the same ActivitySource in parallel,
        // and this provider's listener sees them too.
        var spanName = "failing batch " + Guid.NewGuid().ToString("N");
        for (var i = 0; i < Failures; i++)
        {
            // Each its own trace: a ratio or rate-limited sampler would keep some and drop the others.
            using var span = EventRouterTelemetry.ActivitySource.StartActivity(spanName, ActivityKind.Consumer);
            Assert.NotNull(span);
            span.SetStatus(ActivityStatusCode.Error, "RequestFailedException");
            span.AddException(new InvalidOperationException("storage refused the batch " + i));
            logger.LogError(new InvalidOperationException("storage refused"), "Batch {Number} failed", i);
        }
        tracer.ForceFlush();
        provider.GetRequiredService<LoggerProvider>().ForceFlush();

        var failed = spans.Where(s => s.DisplayName == spanName).ToList();
        Assert.Equal(Failures, failed.Count);
        Assert.All(failed, s => Assert.Equal(ActivityStatusCode.Error, s.Status));
        Assert.All(failed, s => Assert.True(s.Recorded));
        Assert.Contains(failed, s => s.Events.Any(e => e.Name == "exception"));
        var errors = logs.Where(l => l.LogLevel == LogLevel.Error && l.CategoryName == "EventRouter.Tests").ToList();
        Assert.Equal(Failures, errors.Count);
        Assert.All(errors, l => Assert.NotNull(l.Exception));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, List<Activity>? spans, List<LogRecord>? logs)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Information));
        services.AddEventRouterOpenTelemetry(configuration, "eventrouter-tests", configure: otel =>
        {
            if (spans is not null) otel.WithTracing(t => t.AddInMemoryExporter(spans));
            if (logs is not null) otel.WithLogging(l => l.AddInMemoryExporter(logs));
        });
        return services.BuildServiceProvider();
    }
}

public sealed class AzureMonitorAuthenticationTests
{
    [Theory]
    [InlineData(null, false, null)]
    [InlineData("", false, null)]
    [InlineData("Authorization=AAD", true, null)]
    [InlineData("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555", true, "11111111-2222-3333-4444-555555555555")]
    [InlineData(" ClientId = abc ; authorization = aad ", true, "abc")]
    [InlineData("ClientId=abc", false, null)]
    public void Parse_TheFunctionsHostsFormat(string? value, bool entra, string? clientId)
        => Assert.Equal((entra, clientId), EventRouter.Telemetry.AzureMonitorAuthentication.Parse(value));

    [Fact]
    public void CredentialFrom_Entra_IsAManagedIdentity_OtherwiseNone()
    {
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(EventRouter.Telemetry.AzureMonitorAuthentication.CredentialFrom("Authorization=AAD;ClientId=abc"));
        Assert.Null(EventRouter.Telemetry.AzureMonitorAuthentication.CredentialFrom(null));
    }
}

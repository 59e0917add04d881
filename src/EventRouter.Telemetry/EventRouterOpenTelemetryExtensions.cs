using Azure.Monitor.OpenTelemetry.Exporter;
using EventRouter.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EventRouter.Telemetry;

/// <summary>
/// EventRouter's telemetry on OpenTelemetry, shared by the self-hosted worker and the Functions app:
/// the <c>EventRouter</c> Meter and ActivitySource and the host's logs go to the exporters that the
/// standard variables select (<see cref="TelemetryExporterSelection"/>).
/// </summary>
public static class EventRouterOpenTelemetryExtensions
{
    /// <summary>
    /// Adds OpenTelemetry when <see cref="TelemetryExporterSelection.From(IConfiguration)"/> selects an
    /// exporter or <paramref name="configureMetrics"/> adds a reader of its own (the worker's
    /// <c>/metrics</c>); otherwise adds nothing, so a host without telemetry settings pays nothing.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration (environment variables included).</param>
    /// <param name="serviceName">
    /// <c>service.name</c> of the resource unless <c>OTEL_SERVICE_NAME</c> sets one; null leaves it to
    /// the host (the Functions worker's defaults name the app).
    /// </param>
    /// <param name="configureMetrics">More metric readers (Prometheus), or null.</param>
    /// <param name="configure">More configuration of the OpenTelemetry builder when it is added (the Functions worker's defaults, tests' in-memory exporters), or null.</param>
    /// <returns>The exporters chosen.</returns>
    public static TelemetryExporters AddEventRouterOpenTelemetry(this IServiceCollection services, IConfiguration configuration,
        string? serviceName = null, Action<MeterProviderBuilder>? configureMetrics = null, Action<IOpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<TelemetrySettings>().Configure(settings => TelemetrySettings.Read(configuration, settings)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetrySettings>, TelemetrySettingsValidator>());

        var exporters = TelemetryExporterSelection.From(configuration);
        if (exporters == TelemetryExporters.None && configureMetrics is null)
        {
            return exporters;
        }

        var azureMonitor = exporters.HasFlag(TelemetryExporters.AzureMonitor);
        var otlp = exporters.HasFlag(TelemetryExporters.Otlp);
        var connectionString = configuration[TelemetryExporterSelection.AzureMonitorConnectionSetting];
        // Entra authentication (Application Insights with local authentication disabled): the identity
        // the Functions host takes from the same setting; the exporter does not read it by itself.
        var credential = azureMonitor ? AzureMonitorAuthentication.CredentialFrom(configuration[AzureMonitorAuthentication.Setting]) : null;
        void ConfigureAzureMonitor(AzureMonitorExporterOptions options)
        {
            AlwaysOnAzureMonitor(options, connectionString!);
            if (credential is not null) options.Credential = credential;
        }

        var builder = services.AddOpenTelemetry();
        if (serviceName is not null && string.IsNullOrWhiteSpace(configuration[TelemetryExporterSelection.ServiceNameSetting]))
        {
            builder.ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: EventRouterTelemetry.Version));
        }

        builder.WithTracing(tracing =>
        {
            tracing.AddSource(TelemetryNames.ActivitySourceName);
            if (azureMonitor) tracing.AddAzureMonitorTraceExporter(ConfigureAzureMonitor);
            if (otlp) tracing.AddOtlpExporter();
            // Last, so that it replaces the sampler the Azure Monitor exporter sets (and OTEL_TRACES_SAMPLER):
            // every span is kept, so a failed batch or invocation is never sampled away.
            tracing.SetSampler(new AlwaysOnSampler());
        });

        builder.WithMetrics(metrics =>
        {
            metrics.AddMeter(TelemetryNames.MeterName);
            if (azureMonitor) metrics.AddAzureMonitorMetricExporter(ConfigureAzureMonitor);
            if (otlp) metrics.AddOtlpExporter();
            configureMetrics?.Invoke(metrics);
        });

        if (azureMonitor || otlp)
        {
            builder.WithLogging(
                logging =>
                {
                    if (azureMonitor) logging.AddAzureMonitorLogExporter(ConfigureAzureMonitor);
                    if (otlp) logging.AddOtlpExporter();
                },
                options =>
                {
                    // The message as people read it, next to its structured values ({Topic}, {Partition}...).
                    options.IncludeFormattedMessage = true;
                    options.IncludeScopes = true;
                });
        }

        configure?.Invoke(builder);
        return exporters;
    }

    /// <summary>
    /// The Azure Monitor exporter samples by itself (a ratio, or a number of traces per second, also
    /// from <c>OTEL_TRACES_SAMPLER</c>) and can drop logs of unsampled traces: all of it off here, so
    /// that exceptions and failed invocations always reach Application Insights.
    /// </summary>
    internal static void AlwaysOnAzureMonitor(AzureMonitorExporterOptions options, string connectionString)
    {
        options.ConnectionString = connectionString;
        options.SamplingRatio = 1.0F;
        options.TracesPerSecond = null;
        options.EnableTraceBasedLogsSampler = false;
    }
}

using EventRouter.Cli.Hosting.Health;
using EventRouter.Configuration;
using EventRouter.Kafka;
using EventRouter.Processing;
using EventRouter.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace EventRouter.Cli.Hosting;

/// <summary>
/// Builds the self-hosted worker on the .NET generic host. Configuration, lowest to highest
/// precedence: <c>appsettings.json</c> and <c>appsettings.&lt;Environment&gt;.json</c> in the working
/// folder, <c>--settings</c> files, environment variables (<c>Kafka__BootstrapServers</c>), then
/// values the command sets itself (the sandbox). Logs go to stderr so that stdout stays for output.
/// </summary>
internal static class EventRouterHost
{
    public const string AppInsightsConnectionSetting = TelemetryExporterSelection.AzureMonitorConnectionSetting;

    /// <summary><c>service.name</c> of the worker's telemetry unless <c>OTEL_SERVICE_NAME</c> names it.</summary>
    public const string ServiceName = "eventrouter";

    public static HostApplicationBuilder CreateBuilder(HostSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = settings.Environment ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
            ContentRootPath = Environment.CurrentDirectory,
        });

        var env = builder.Environment.EnvironmentName;
        AddJsonFile(builder.Configuration, "appsettings.json", optional: true);
        AddJsonFile(builder.Configuration, $"appsettings.{env}.json", optional: true);
        foreach (var file in settings.SettingsFiles)
        {
            AddJsonFile(builder.Configuration, file, optional: false);
        }
        builder.Configuration.AddEnvironmentVariables();
        if (settings.Overrides is { Count: > 0 } overrides) builder.Configuration.AddInMemoryCollection(overrides);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(settings.MinimumLogLevel);
        // The SDKs are chatty at Information; their failures still surface through our own logs.
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // First hosted service: typos in the settings are reported before anything connects.
        builder.Services.AddHostedService<UnknownSettingsReporter>();
        // Next: the meter and tracer providers exist before the first record is consumed.
        var endpoints = AddTelemetry(builder, settings);
        builder.AddEventRouter();
        builder.Services.AddEventRouterProcessing(builder.Configuration);
        if (settings.Mode.HasFlag(HostMode.Ingest))
        {
            builder.Services.AddEventRouterKafka(builder.Configuration);
        }
        if (settings.Mode.HasFlag(HostMode.Process))
        {
            builder.Services.AddHostedService<QueuePumpService>();
        }

        // The Kafka sources finish their in-flight batch and commit on stop; give them the time they ask for.
        var kafkaShutdown = builder.Configuration.GetValue(KafkaSettingNames.ShutdownTimeout, TimeSpan.FromSeconds(20));
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = kafkaShutdown + TimeSpan.FromSeconds(5);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        if (endpoints)
        {
            // Last: the endpoints answer once everything they report on has started.
            builder.Services.AddSingleton<WorkerHealth>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerHealth>());
            builder.Services.AddHostedService<HealthEndpointService>();
        }
        return builder;
    }

    /// <summary>
    /// Telemetry through OpenTelemetry (Azure Monitor and/or OTLP, as the standard variables say), with
    /// the Prometheus exporter when <c>run</c> serves the orchestrator's endpoints (<c>Health:Port</c> set).
    /// </summary>
    /// <returns>Whether to serve the endpoints.</returns>
    private static bool AddTelemetry(HostApplicationBuilder builder, HostSettings settings)
    {
        var healthSection = builder.Configuration.GetSection(HealthOptions.SectionName);
        builder.Services.AddOptions<HealthOptions>().Bind(healthSection).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        // Read without binding: a malformed value is the validator's (or binder's) to report at start.
        var endpoints = settings.ServeEndpoints && int.TryParse(healthSection[nameof(HealthOptions.Port)], out var port) && port != 0;

        builder.Services.AddEventRouterOpenTelemetry(builder.Configuration, ServiceName,
            configureMetrics: endpoints ? metrics => metrics.AddPrometheusExporter() : null);
        return endpoints;
    }

    /// <summary>
    /// Adds one JSON settings file; a missing (required) or malformed file is a
    /// <see cref="SettingsFileException"/> that names it, not a stack trace from the configuration provider.
    /// </summary>
    private static void AddJsonFile(IConfigurationBuilder configuration, string file, bool optional)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            if (optional) return;
            throw new SettingsFileException(file, "the file does not exist");
        }
        try
        {
            // ConfigurationManager loads the file here, so a parse failure surfaces at once.
            configuration.AddJsonFile(path, optional: false);
        }
        catch (InvalidDataException ex)
        {
            var reason = ex.InnerException?.InnerException is System.Text.Json.JsonException json ? json.Message
                : ex.InnerException?.Message ?? ex.Message;
            throw new SettingsFileException(file, $"not valid JSON: {reason}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SettingsFileException(file, ex.Message);
        }
    }
}

/// <summary>A settings file that is missing or cannot be read as JSON: reported as one line, exit code 2.</summary>
internal sealed class SettingsFileException(string file, string reason) : Exception($"settings file {file}: {reason}")
{
    public string File { get; } = file;
}

/// <summary>What a command asks of the host.</summary>
internal sealed record HostSettings(HostMode Mode)
{
    public IReadOnlyList<string> SettingsFiles { get; init; } = [];
    public string? Environment { get; init; }
    public IDictionary<string, string?>? Overrides { get; init; }
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>Serve <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> when <c>Health:Port</c> is set (<c>run</c> only: operator commands share its settings).</summary>
    public bool ServeEndpoints { get; init; }
}

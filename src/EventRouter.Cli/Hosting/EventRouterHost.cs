using EventRouter.ApplicationInsights;
using EventRouter.Kafka;
using EventRouter.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace EventRouter.Cli.Hosting;

/// <summary>
/// Builds the self-hosted worker on the .NET generic host. Configuration, lowest to highest
/// precedence: <c>appsettings.json</c> and <c>appsettings.&lt;Environment&gt;.json</c> in the working
/// folder, <c>--settings</c> files, environment variables (<c>Kafka__BootstrapServers</c>), then
/// values the command sets itself (the sandbox). Logs go to stderr so that stdout stays for output.
/// </summary>
internal static class EventRouterHost
{
    public const string AppInsightsConnectionSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static HostApplicationBuilder CreateBuilder(HostSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = settings.Environment ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
            ContentRootPath = Environment.CurrentDirectory,
        });

        var env = builder.Environment.EnvironmentName;
        builder.Configuration
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{env}.json", optional: true);
        foreach (var file in settings.SettingsFiles)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false);
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
        var kafkaShutdown = builder.Configuration.GetValue("Kafka:ShutdownTimeout", TimeSpan.FromSeconds(20));
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = kafkaShutdown + TimeSpan.FromSeconds(5);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        if (!string.IsNullOrWhiteSpace(builder.Configuration[AppInsightsConnectionSetting]))
        {
            // Logs, plus the EventRouter Meter and ActivitySource, which the 2.x SDK does not collect itself.
            var connectionString = builder.Configuration[AppInsightsConnectionSetting]!;
            builder.Services.AddApplicationInsightsTelemetryWorkerService(o => o.ConnectionString = connectionString);
            builder.Services.AddEventRouterApplicationInsights();
        }
        return builder;
    }
}

/// <summary>What a command asks of the host.</summary>
internal sealed record HostSettings(HostMode Mode)
{
    public IReadOnlyList<string> SettingsFiles { get; init; } = [];
    public string? Environment { get; init; }
    public IDictionary<string, string?>? Overrides { get; init; }
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;
}

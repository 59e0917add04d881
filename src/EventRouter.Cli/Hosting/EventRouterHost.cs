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
}

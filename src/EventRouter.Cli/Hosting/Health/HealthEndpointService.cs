using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace EventRouter.Cli.Hosting.Health;

/// <summary>
/// Serves <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (Prometheus text) on
/// <see cref="HealthOptions.Address"/>:<see cref="HealthOptions.Port"/> with a Kestrel of its own: the
/// worker is no web application, and this server reads none of the worker's settings but its own.
/// 200 when healthy, 503 with the reasons otherwise; the body is JSON.
/// </summary>
internal sealed partial class HealthEndpointService(
    IOptions<HealthOptions> options, WorkerHealth health, IServiceProvider services, ILogger<HealthEndpointService> logger) : IHostedService, IAsyncDisposable
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string MetricsPath = "/metrics";

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var address = IPAddress.Parse(settings.Address);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, settings.Port));
        var app = builder.Build();

        // The MeterProvider of the worker, with the Prometheus exporter that EventRouterHost adds to it.
        if (services.GetService<MeterProvider>() is { } meterProvider)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, path: MetricsPath, configureBranchedPipeline: null, optionsName: null);
        }

        app.Run(context => context.Request.Path.Value switch
        {
            LivePath => WriteAsync(context, health.Live()),
            ReadyPath => WriteAsync(context, health.Ready()),
            _ => NotFound(context),
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            // Reported like every other bad setting: one line naming it, exit code 2.
            throw new OptionsValidationException(HealthOptions.SectionName, typeof(HealthOptions),
                [$"{HealthOptions.SectionName}:Port {settings.Port} on {settings.Address} cannot be listened on: {ex.Message}"]);
        }

        _app = app;
        Log.Listening(logger, settings.Address, settings.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Healthy ? "ok" : "unavailable");
        json.WriteStartArray("reasons");
        foreach (var reason in report.Reasons) json.WriteStringValue(reason);
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(9103, LogLevel.Information, "Health endpoints on http://{Address}:{Port} (/healthz, /readyz, /metrics)", EventName = "HealthListening")]
        public static partial void Listening(ILogger logger, string address, int port);
    }
}

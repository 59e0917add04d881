using EventRouter.Configuration;
using EventRouter.Functions.Hosting;
using EventRouter.Processing;
using EventRouter.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Functions;

/// <summary>
/// What Program.cs runs, in a form tests can call: the worker's services, and a run that turns bad
/// settings into a list on stderr and exit code 2 instead of a stack trace.
/// </summary>
public static partial class FunctionsApp
{
    /// <summary>Exit code of a start refused for bad settings (the self-hosted worker uses the same).</summary>
    public const int InvalidConfigurationExitCode = 2;

    public static FunctionsApplicationBuilder AddEventRouterFunctions(this FunctionsApplicationBuilder builder)
    {
        // The routing core and the queue stage: the same registrations, settings and start-up
        // validation as the self-hosted host. A bad setting stops the worker at start, naming it.
        builder.AddEventRouter();
        builder.Services.AddEventRouterProcessing(builder.Configuration);
        AddKafkaTriggers(builder);
        // Warn about routed queues (overrides, another prefix) that no queue trigger of this app reads.
        builder.Services.AddQueueTriggerCoverageCheck([.. QueueTriggerCoverage.DefaultQueues, .. ShardTriggers.Queues]);

        // Telemetry from the worker through OpenTelemetry (Azure Monitor and/or OTLP, as the standard
        // variables say): the invocations (the worker's defaults), the core's "EventRouter" Meter and
        // ActivitySource and the logs, with no sampling, so exceptions and failed invocations are all kept.
        // host.json's telemetryMode makes the host export through OpenTelemetry too, without duplicates.
        builder.Services.AddEventRouterOpenTelemetry(builder.Configuration, serviceName: null,
            configure: otel => otel.UseFunctionsWorkerDefaults());
        // The Azure SDKs are chatty at Information; their failures still surface through our own logs.
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        return builder;
    }

    /// <summary>Runs the worker until the host stops it; a start refused for bad settings prints them and returns 2.</summary>
    public static async Task<int> RunEventRouterAsync(this IHost host, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            using (host)
            {
                await host.RunAsync().ConfigureAwait(false);
            }
            return 0;
        }
        catch (Exception ex) when (ValidationFailures.Collect(ex) is { Count: > 0 } failures)
        {
            await error.WriteLineAsync("EventRouter.Functions: the configuration is not valid:").ConfigureAwait(false);
            foreach (var failure in failures) await error.WriteLineAsync($"  - {failure}").ConfigureAwait(false);
            return InvalidConfigurationExitCode;
        }
    }

    /// <summary>
    /// The Kafka triggers' start-up check, in Kafka/KafkaTriggerSetup.cs. A build with
    /// <c>-p:KafkaTrigger=false</c> leaves that folder out, and with it this call and the check.
    /// </summary>
    static partial void AddKafkaTriggers(FunctionsApplicationBuilder builder);
}

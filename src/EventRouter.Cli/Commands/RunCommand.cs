using System.CommandLine;
using EventRouter.Cli.Hosting;
using EventRouter.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventRouter.Cli.Commands;

/// <summary><c>eventrouter run</c>: the production worker (Kafka ingestion and queue processing).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var environment = CommonOptions.Environment();
        var ingestOnly = new Option<bool>("--ingest-only") { Description = "Only consume Kafka and route to queues." };
        var processOnly = new Option<bool>("--process-only") { Description = "Only process the routed queues with the registered handlers." };
        var command = new Command("run", "Run the worker: consume the configured topics at-least-once and process the routed queues.")
        {
            settings, environment, ingestOnly, processOnly,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(ingestOnly) && result.GetValue(processOnly))
                result.AddError("--ingest-only and --process-only exclude each other.");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var mode = parse.GetValue(ingestOnly) ? HostMode.Ingest : parse.GetValue(processOnly) ? HostMode.Process : HostMode.All;
            return await RunHostAsync(parse.ToHostSettings(mode, settings, environment) with { ServeEndpoints = true }, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    internal static async Task<int> RunHostAsync(HostSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            // Before the host: it would log a start failure with the whole exception.
            if (settings.Mode.HasFlag(HostMode.Ingest)) KafkaNativeLibrary.EnsureLoaded();
            using var host = EventRouterHost.CreateBuilder(settings).Build();
            // Every setting checked before the host starts: a failure is reported as one list, where the
            // host would first log it with the whole exception ("Hosting failed to start").
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            if (settings.Mode.HasFlag(HostMode.Ingest) && await PreflightAsync(host.Services, error, cancellationToken) is { } exitCode)
            {
                return exitCode;
            }
            // The host handles SIGTERM itself, and Ctrl+C through the token: stop fetching, finish the batch in flight, commit.
            await host.RunAsync(cancellationToken);
            return cancellationToken.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Ok;
        }
        catch (Exception ex) when (ConfigurationErrors.TryReport(ex, error))
        {
            return ExitCodes.InvalidConfiguration;
        }
        catch (KafkaNativeLibraryException ex)
        {
            error.WriteLine($"eventrouter: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>How long each step of the start-up check may take.</summary>
    private static readonly TimeSpan PreflightStepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The steps of <c>eventrouter check</c> up to metadata, before any consumer starts: a TLS or SASL
    /// failure is a wrong setting (CA, host name, protocol, mechanism, user, password) that retrying
    /// cannot cure, so the worker exits 2 with the check's one line instead of retrying for ever. A
    /// broker that cannot be reached yet is not: the consumers retry, as they do later in a run.
    /// </summary>
    private static async Task<int?> PreflightAsync(IServiceProvider services, TextWriter error, CancellationToken cancellationToken)
    {
        // Resolving the options validates them first (a failure is reported like any other: exit 2).
        var options = services.GetRequiredService<IOptions<KafkaOptions>>();
        var check = new KafkaConnectivityCheck(options, services.GetRequiredService<KafkaClientConfigFactory>());
        var report = await check.RunAsync(PreflightStepTimeout, quick: true, cancellationToken);
        if (report.Ok || report.FailedStep is not (KafkaConnectivityCheck.Steps.Tls or KafkaConnectivityCheck.Steps.Sasl)) return null;
        await error.WriteLineAsync($"eventrouter: Kafka {report.FailedStep} failed: {report.Failure}");
        return ExitCodes.InvalidConfiguration;
    }
}

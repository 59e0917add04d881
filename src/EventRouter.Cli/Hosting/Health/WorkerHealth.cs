using Azure;
using EventRouter.Delivery;
using EventRouter.Kafka;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Cli.Hosting.Health;

/// <summary>
/// Gathers what <see cref="Readiness"/> decides from: every <see cref="HealthOptions.ProbeInterval"/>
/// it peeks one message of a queue in every storage connection the routes use (storage answers or
/// not, whatever traffic there is) and reads the Kafka consumers' state; the endpoints decide at each request.
/// </summary>
internal sealed partial class WorkerHealth(
    IServiceProvider services, StorageAccounts accounts, RouteTable routes, IOptions<HealthOptions> options,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<WorkerHealth> logger) : BackgroundService
{
    /// <summary>A probe that takes longer than this counts as failed (the storage client retries meanwhile).</summary>
    private static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(5);

    private readonly HealthOptions _options = options.Value;

    // One queue per connection: EventStorage's unrouted queue (always routed to), and in a shard
    // connection the first shard that lives there. A shard stops when its account does, so each account is probed.
    private readonly StorageProbe[] _probes = [.. accounts.Connections.Select(connection => new StorageProbe(connection,
        connection == RoutingOptions.DefaultConnection
            ? routes.UnroutedQueue
            : routes.DestinationQueues.First(q => routes.ConnectionOf(q) == connection)))];

    private long _pausedSinceTicks;

    public HealthReport Live()
    {
        var loops = services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Where(s => !ReferenceEquals(s, this))
            .Select(s => (LoopName(s), Ended: s.ExecuteTask is { IsCompleted: true }))
            .ToList();
        return Readiness.Live(loops);
    }

    public HealthReport Ready()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested) return new HealthReport(false, ["the worker is stopping"]);
        return Readiness.Decide(new ReadinessInputs(
            [.. Consumers().Select(c => new ConsumerReadiness(c.Topic, c.Status.Running, c.Status.HasAssignment, c.Status.AssignedPartitions.Count))],
            [.. _probes.Select(p => new StorageReadiness(p.Connection, FromTicks(Interlocked.Read(ref p.LastSuccessTicks))))],
            FromTicks(Interlocked.Read(ref _pausedSinceTicks)),
            time.GetUtcNow(),
            _options.StorageFailureThreshold));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ProbeInterval, time);
        do
        {
            // In parallel: an account that does not answer must not delay the others' probes.
            await Task.WhenAll(_probes.Select(p => ProbeStorageAsync(p, stoppingToken))).ConfigureAwait(false);
            ObservePauses();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ProbeStorageAsync(StorageProbe probe, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.ProbeInterval < MaxProbeTime ? _options.ProbeInterval : MaxProbeTime);
        try
        {
            // A peek is read-only and allowed to every role that may read messages; a missing queue is still an answer.
            await accounts.ForConnection(probe.Connection).GetQueueClient(probe.Queue).PeekMessagesAsync(1, timeout.Token).ConfigureAwait(false);
            StorageAnswered(probe);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            StorageAnswered(probe);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever the probe meets, it only reports: an exception here would stop the worker (StopHost).
            if (!probe.Failing)
            {
                probe.Failing = true;
                Log.StorageProbeFailed(logger, probe.Connection, ex.GetType().Name);
            }
        }
    }

    private void StorageAnswered(StorageProbe probe)
    {
        Interlocked.Exchange(ref probe.LastSuccessTicks, time.GetUtcNow().UtcTicks);
        if (probe.Failing)
        {
            probe.Failing = false;
            Log.StorageProbeRecovered(logger, probe.Connection);
        }
    }

    /// <summary>A batch that failed at least once keeps its partition paused until it is written.</summary>
    private void ObservePauses()
    {
        var paused = Consumers().Any(c => c.Status.FailedAttempts > 0);
        if (!paused) Interlocked.Exchange(ref _pausedSinceTicks, 0);
        else if (Interlocked.Read(ref _pausedSinceTicks) == 0) Interlocked.Exchange(ref _pausedSinceTicks, time.GetUtcNow().UtcTicks);
    }

    private IEnumerable<KafkaSourceService> Consumers() => services.GetServices<IHostedService>().OfType<KafkaSourceService>();

    private static string LoopName(BackgroundService service) => service is KafkaSourceService kafka ? $"Kafka {kafka.Topic} consumer" : service.GetType().Name;

    private static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    /// <summary>One connection's probe: the queue it peeks, when it last answered, whether it is failing (written by its probe only).</summary>
    private sealed class StorageProbe(string connection, string queue)
    {
        public string Connection { get; } = connection;
        public string Queue { get; } = queue;
        public long LastSuccessTicks;
        public bool Failing;
    }

    private static partial class Log
    {
        [LoggerMessage(9101, LogLevel.Warning, "Storage {Connection} did not answer the readiness probe ({ExceptionType}); /readyz turns false after Health:StorageFailureThreshold", EventName = "StorageProbeFailed")]
        public static partial void StorageProbeFailed(ILogger logger, string connection, string exceptionType);

        [LoggerMessage(9102, LogLevel.Information, "Storage {Connection} answers the readiness probe again", EventName = "StorageProbeRecovered")]
        public static partial void StorageProbeRecovered(ILogger logger, string connection);
    }
}

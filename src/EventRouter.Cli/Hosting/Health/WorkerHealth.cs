using Azure;
using Azure.Storage.Queues;
using EventRouter.Kafka;
using EventRouter.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Cli.Hosting.Health;

/// <summary>
/// Gathers what <see cref="Readiness"/> decides from: every <see cref="HealthOptions.ProbeInterval"/>
/// it peeks one message of the unrouted queue (storage answers or not, whatever traffic there is)
/// and reads the Kafka consumers' state; the endpoints decide at each request.
/// </summary>
internal sealed partial class WorkerHealth(
    IServiceProvider services, QueueServiceClient queues, IOptions<RoutingOptions> routing, IOptions<HealthOptions> options,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<WorkerHealth> logger) : BackgroundService
{
    /// <summary>A probe that takes longer than this counts as failed (the storage client retries meanwhile).</summary>
    private static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(5);

    private readonly HealthOptions _options = options.Value;
    private long _lastStorageSuccessTicks;
    private long _pausedSinceTicks;
    private bool _storageFailing;

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
            FromTicks(Interlocked.Read(ref _lastStorageSuccessTicks)),
            FromTicks(Interlocked.Read(ref _pausedSinceTicks)),
            time.GetUtcNow(),
            _options.StorageFailureThreshold));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ProbeInterval, time);
        do
        {
            await ProbeStorageAsync(stoppingToken).ConfigureAwait(false);
            ObservePauses();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ProbeStorageAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.ProbeInterval < MaxProbeTime ? _options.ProbeInterval : MaxProbeTime);
        try
        {
            // A peek is read-only and allowed to every role that may read messages; a missing queue is still an answer.
            await queues.GetQueueClient(routing.Value.UnroutedQueue).PeekMessagesAsync(1, timeout.Token).ConfigureAwait(false);
            StorageAnswered();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            StorageAnswered();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever the probe meets, it only reports: an exception here would stop the worker (StopHost).
            if (!_storageFailing)
            {
                _storageFailing = true;
                Log.StorageProbeFailed(logger, ex.GetType().Name);
            }
        }
    }

    private void StorageAnswered()
    {
        Interlocked.Exchange(ref _lastStorageSuccessTicks, time.GetUtcNow().UtcTicks);
        if (_storageFailing)
        {
            _storageFailing = false;
            Log.StorageProbeRecovered(logger);
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

    private static partial class Log
    {
        [LoggerMessage(9101, LogLevel.Warning, "Storage did not answer the readiness probe ({ExceptionType}); /readyz turns false after Health:StorageFailureThreshold", EventName = "StorageProbeFailed")]
        public static partial void StorageProbeFailed(ILogger logger, string exceptionType);

        [LoggerMessage(9102, LogLevel.Information, "Storage answers the readiness probe again", EventName = "StorageProbeRecovered")]
        public static partial void StorageProbeRecovered(ILogger logger);
    }
}

using Confluent.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// The at-least-once consumer of one topic: reads records on a dedicated thread, routes each
/// partition's records in bounded batches through <see cref="IRecordBatchRouter"/>, several partitions
/// at once, and stores a partition's offset for commit only after the router has put every record of
/// that partition's batch into storage.
/// </summary>
/// <remarks>
/// <para>
/// Its jobs, and where each decision lives (<c>Consuming/</c>): the consume thread's lifecycle and the
/// poll loop (here); the buffer bounds, back-pressure, linger, which lane goes next, the rate limit and
/// why a partition is paused (<see cref="LaneScheduler"/>); retrying a batch with back-off
/// (<see cref="BatchRetrier"/>); the lanes, batches in flight and abandoned, what may be stored and the
/// commit results (<see cref="PartitionOffsets"/>); the lag and status figures (<see cref="LagReporter"/>);
/// librdkafka's errors and log lines (<see cref="ClientEventLog"/>). This class makes the Kafka calls
/// those decisions ask for, serves librdkafka's rebalance callbacks and shuts down.
/// </para>
/// <para>
/// Threading. All Confluent calls (consume, pause, resume, store, close) and all rebalance and error
/// callbacks happen on the consume thread, which owns every mutable field and every part. Routing runs
/// on the thread pool. Each assigned partition has a <see cref="PartitionLane"/> with at most one batch
/// in flight, so a partition's records reach the router in offset order; up to
/// <see cref="KafkaOptions.MaxParallelPartitions"/> partitions are routed concurrently, and each stores
/// its offsets as soon as its own batch is done (a slow or failing partition holds back nobody else's
/// commits). While batches are routed the thread keeps polling: it fills each lane's next batch, serves
/// rebalances and keeps the group membership alive (max.poll.interval.ms).
/// </para>
/// <para>
/// Failures. When a batch fails, its partition is paused: librdkafka drops what it prefetched for it and
/// stops fetching, so memory stays flat however long storage is down. The failed batch is retried whole;
/// when it succeeds its offset is stored, the lane's next batch goes, and the partition resumes from
/// where the application left off.
/// </para>
/// <para>
/// Rebalances. Buffered records of revoked partitions are dropped (the next owner reads them again).
/// In-flight batches of revoked partitions get up to <see cref="KafkaOptions.ShutdownTimeout"/> to
/// finish so their offsets can be committed on revoke; otherwise they are abandoned: cancelled, nothing
/// of theirs committed, and their partition is not routed again until they have unwound. Lost
/// partitions are abandoned at once.
/// </para>
/// <para>
/// Stopping. Fetching stops and buffered records are dropped; in-flight batches get up to
/// <see cref="KafkaOptions.ShutdownTimeout"/>, their offsets are stored, and <c>Close()</c> commits and
/// leaves the group. Fatal client errors log Critical and stop the host.
/// </para>
/// </remarks>
internal sealed partial class KafkaSourceService : BackgroundService
{
    /// <summary>Records taken in one go before the loop's bookkeeping runs again (keeps per-record cost flat however many partitions).</summary>
    private const int MaxRecordsPerPollBurst = 1024;

    private readonly KafkaOptions _options;
    private readonly KafkaClientConfigFactory _configFactory;
    private readonly KafkaMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;

    // The parts (Consuming/): owned by the consume thread but for the retrier, which runs the batches.
    private readonly ClientEventLog _clientLog;
    private readonly PartitionOffsets _offsets;
    private readonly LaneScheduler _scheduler;
    private readonly PartitionPauser _pauser;
    private readonly BatchRetrier _retrier;
    private readonly LagReporter _reporter;

    // Consume-thread state.
    private IPartitionClient _client = null!; // set once the consumer is built, before any callback
    private long _lastPollAt;
    private bool _stopping;
    private volatile bool _fatal;

    public KafkaSourceService(
        string? topic,
        IOptions<KafkaOptions> options,
        IRecordBatchRouter router,
        KafkaClientConfigFactory configFactory,
        KafkaMetrics metrics,
        ILogger<KafkaSourceService> logger,
        IHostApplicationLifetime lifetime,
        TimeProvider? timeProvider = null)
    {
        Topic = topic ?? string.Empty;
        _options = options.Value;
        _configFactory = configFactory;
        _metrics = metrics;
        _logger = logger;
        _lifetime = lifetime;
        _time = timeProvider ?? TimeProvider.System;
        _clientLog = new ClientEventLog(Topic, _options.ConsumerGroup, _options.BootstrapServers, metrics, logger, _time);
        _offsets = new PartitionOffsets(Topic, _options.ConsumerGroup, metrics, logger, _time);
        _retrier = new BatchRetrier(Topic, _options, router, metrics, logger, _time);
        _scheduler = new LaneScheduler(_options, _time, _offsets);
        _reporter = new LagReporter(Topic, _options.ConsumerGroup, _time, _offsets, _scheduler, logger);
        _pauser = new PartitionPauser(Topic, _scheduler, _time, logger);
    }

    /// <summary>The topic this instance consumes, exactly as configured; empty when disabled.</summary>
    public string Topic { get; }

    /// <summary>How often the lag gauge's values are recomputed (on the consume thread).</summary>
    internal TimeSpan LagRefreshInterval { get => _reporter.RefreshInterval; init => _reporter.RefreshInterval = value; }

    /// <summary>A snapshot of the consumer's state, for tests and diagnostics.</summary>
    internal KafkaSourceStatus Status => _reporter.Status;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(Topic))
        {
            Log.SourceDisabled(_logger);
            return Task.CompletedTask;
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Run(stoppingToken);
            completion.TrySetResult();
        })
        {
            IsBackground = true,
            Name = $"eventrouter-kafka-{Topic}",
        };
        thread.Start();
        return completion.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        IConsumer<byte[], byte[]>? consumer = null;
        using var lagRegistration = _metrics.RegisterLagSource(() => _reporter.Lag);
        using var committedRegistration = _metrics.RegisterCommittedOffsetSource(() => _reporter.CommittedOffsets);
        try
        {
            KafkaNativeLibrary.EnsureLoaded();
            consumer = BuildConsumer();
            _client = new ConsumerPartitions(consumer, Topic);
            Log.ConsumerStarting(_logger, Topic, _options.ConsumerGroup, KafkaNativeLibrary.Version);
            consumer.Subscribe(Topic);
            PublishStatus(running: true);

            while (!stoppingToken.IsCancellationRequested && !_fatal)
            {
                Step(consumer);
            }

            Shutdown(consumer);
        }
        catch (Exception ex)
        {
            Log.ConsumerCrashed(_logger, Topic, ex);
            _offsets.CancelInFlight();
            _lifetime.StopApplication();
            try
            {
                consumer?.Dispose();
            }
            catch (Exception disposeException)
            {
                Log.CloseFailed(_logger, Topic, disposeException);
            }
        }
        finally
        {
            _reporter.Clear();
            PublishStatus(running: false);
        }
    }

    private IConsumer<byte[], byte[]> BuildConsumer()
        => new ConsumerBuilder<byte[], byte[]>(_configFactory.CreateConsumerConfig(Topic))
            .SetErrorHandler(OnError)
            .SetLogHandler(OnLog)
            .SetPartitionsAssignedHandler(OnPartitionsAssigned)
            .SetPartitionsRevokedHandler(OnPartitionsRevoked)
            .SetPartitionsLostHandler(OnPartitionsLost)
            .SetOffsetsCommittedHandler(OnOffsetsCommitted)
            .Build();

    /// <summary>One turn of the consume loop: settle finished batches, dispatch, pause or resume, poll.</summary>
    private void Step(IConsumer<byte[], byte[]> consumer)
    {
        SettleCompleted();
        TryDispatch();
        var allPaused = UpdatePause();
        _reporter.RefreshIfDue(_client);

        var busy = _offsets.Busy;
        if (_scheduler.ShouldHoldBack(allPaused, busy, _lastPollAt) is { } hold)
        {
            if (hold.Wait > TimeSpan.Zero && busy)
            {
                _offsets.WaitForAny(hold.Wait);
            }
            else if (hold.Wait > TimeSpan.Zero)
            {
                Thread.Sleep(hold.Wait); // only the rate limit holds records back
            }

            if (_time.GetElapsedTime(_lastPollAt) >= hold.PollEvery)
            {
                Poll(consumer, TimeSpan.Zero, out _);
            }

            return;
        }

        PollBurst(consumer, _scheduler.PollTimeout());
    }

    /// <summary>Takes records until none is waiting, a lane fills up or the burst is long enough.</summary>
    private void PollBurst(IConsumer<byte[], byte[]> consumer, TimeSpan firstTimeout)
    {
        var timeout = firstTimeout;
        for (var taken = 0; taken < MaxRecordsPerPollBurst; taken++)
        {
            if (!Poll(consumer, timeout, out var laneFilled) || laneFilled)
            {
                return;
            }

            timeout = TimeSpan.Zero;
        }
    }

    /// <returns>True when a record was taken; <paramref name="laneFilled"/> when its lane is now full.</returns>
    private bool Poll(IConsumer<byte[], byte[]> consumer, TimeSpan timeout, out bool laneFilled)
    {
        laneFilled = false;
        var pollAt = _time.GetTimestamp();
        _lastPollAt = pollAt;
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            result = consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.Local_AutoOffsetReset || !ex.Error.IsFatal)
        {
            _clientLog.OnConsumeError(ex);
            return false;
        }
        catch (ConsumeException ex)
        {
            OnFatalError(ex.Error);
            return false;
        }

        _scheduler.CaughtUp = result is null;
        if (result is not null) _clientLog.OnBrokerAnswered();
        if (result?.Message is null || _stopping || !_offsets.TryGetLane(result.Partition.Value, out var lane))
        {
            return false; // nothing, shutting down, or a straggler of a partition no longer ours
        }

        _clientLog.OnRecord(result.Partition.Value, result.Offset.Value);
        var record = KafkaRecordMapper.ToInboundRecord(result, Topic);
        var size = KafkaRecordMapper.SizeOf(record);
        // A poll that could wait reads the clock again; the rest of a burst (no wait) arrive when it began.
        laneFilled = _scheduler.Add(lane, record, size, timeout == TimeSpan.Zero ? pollAt : _time.GetTimestamp());
        return true;
    }

    /// <summary>Starts routing the batches the scheduler hands out now.</summary>
    private void TryDispatch()
    {
        _scheduler.BeginDispatch(_stopping);
        while (_scheduler.TakeNext() is { } next)
        {
            var batch = next.Batch;
            _offsets.Start(next.Lane, batch);
            batch.Task = Task.Run(() => _retrier.RouteAsync(batch));
            Log.BatchDispatched(_logger, Topic, batch.Partition, batch.Records.Count, next.Bytes);
            PublishStatus(running: true);
        }
    }

    /// <summary>Settles every finished batch (storing its offset when it may), and forgets abandoned batches that have unwound.</summary>
    private void SettleCompleted()
    {
        foreach (var batch in _offsets.TakeCompleted())
        {
            _offsets.Complete(batch, _client);
            PublishStatus(running: true);
        }
    }

    /// <summary>Pauses each partition that must not fetch now and resumes the others.</summary>
    /// <returns>True when every assigned partition is (now) paused.</returns>
    private bool UpdatePause()
    {
        var allPaused = _pauser.Update(_client, _stopping, out var changed);
        if (changed) PublishStatus(running: true);
        return allPaused;
    }

    private void OnPartitionsAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
    {
        _reporter.HasAssignment = true;
        _clientLog.OnBrokerAnswered();
        _offsets.Assign(partitions.Select(tp => tp.Partition.Value));

        if (partitions.Count > 0)
        {
            // Cooperative rebalancing also reports empty increments.
            Log.PartitionsAssigned(_logger, Topic, Format(partitions.Select(p => p.Partition.Value)));
            _metrics.Rebalanced(Topic, _options.ConsumerGroup, KafkaTelemetryNames.Assigned);
        }

        PublishStatus(running: true);
    }

    private void OnPartitionsRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.Partition.Value).ToHashSet();
        var affected = _offsets.InFlightOf(revoked);
        Log.PartitionsRevoked(_logger, Topic, Format(revoked), affected.Sum(b => b.Records.Count));
        if (revoked.Count > 0) _metrics.Rebalanced(Topic, _options.ConsumerGroup, KafkaTelemetryNames.Revoked);
        _scheduler.DropBuffered(revoked);
        _clientLog.Forget(revoked);

        if (affected.Count > 0)
        {
            // Give the in-flight batches the chance to finish so their offsets are committed on revoke
            // (librdkafka commits stored offsets while unassigning). The group waits meanwhile.
            Task.WaitAll(affected.Select(b => (Task)b.Task).ToArray(), _options.ShutdownTimeout);
            foreach (var batch in affected)
            {
                if (batch.Task.IsCompleted)
                {
                    _offsets.Complete(batch, _client);
                }
                else
                {
                    _offsets.Abandon(batch, "partitions revoked before the batch reached storage");
                }
            }
        }

        Release(revoked);
    }

    private void OnPartitionsLost(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        // Lost (session timed out, fenced): we are no longer a member, so nothing can be committed.
        var lost = partitions.Select(p => p.Partition.Value).ToHashSet();
        _reporter.HasAssignment = false;
        Log.PartitionsLost(_logger, Topic, Format(lost));
        _metrics.Rebalanced(Topic, _options.ConsumerGroup, KafkaTelemetryNames.Lost);
        _scheduler.DropBuffered(lost);
        _clientLog.Forget(lost);
        foreach (var batch in _offsets.InFlightOf(lost))
        {
            _offsets.Abandon(batch, "partitions lost");
        }

        Release(lost);
    }

    /// <summary>Forgets revoked or lost partitions; resumes those we paused so a later re-assignment starts unpaused.</summary>
    private void Release(HashSet<int> partitions)
    {
        _pauser.Resume(_client, _offsets.PausedAmong(partitions));
        _offsets.Release(partitions);
        _reporter.PublishCommitted();
        PublishStatus(running: true);
    }

    private void Shutdown(IConsumer<byte[], byte[]> consumer)
    {
        _stopping = true;
        Log.ConsumerStopping(_logger, Topic, _offsets.InFlight.Sum(b => b.Records.Count), _scheduler.BufferedRecords);
        _scheduler.DropBuffered(null);
        UpdatePause();

        var started = _time.GetTimestamp();
        while (_offsets.InFlight.Any(b => !b.Task.IsCompleted) && !_fatal)
        {
            var remaining = _options.ShutdownTimeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            PollBurst(consumer, TimeSpan.Zero);
            _offsets.WaitForAny(Min(remaining, LaneScheduler.PausedWaitSlice));
            SettleCompleted(); // store each partition's offset as soon as its batch is done
        }

        SettleCompleted();
        foreach (var batch in _offsets.CancelInFlight())
        {
            Log.ShutdownTimedOut(_logger, Topic, batch.Partition, batch.Records.Count, _options.ShutdownTimeout);
        }

        try
        {
            consumer.Close(); // commits the stored offsets and leaves the group
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            Log.CloseFailed(_logger, Topic, ex);
        }
        finally
        {
            consumer.Dispose();
        }

        Log.ConsumerStopped(_logger, Topic);
    }

    private void OnOffsetsCommitted(IConsumer<byte[], byte[]> consumer, CommittedOffsets committed)
    {
        if (_offsets.OnCommitted(committed)) _reporter.PublishCommitted();
    }

    private void OnError(IConsumer<byte[], byte[]> consumer, Error error)
    {
        if (error.IsFatal) OnFatalError(error);
        else _clientLog.OnError(error);
    }

    private void OnFatalError(Error error)
    {
        if (_fatal)
        {
            return;
        }

        _fatal = true;
        Log.FatalError(_logger, Topic, error.Code, error.Reason);
        _lifetime.StopApplication();
    }

    private void OnLog(IConsumer<byte[], byte[]> consumer, LogMessage message) => _clientLog.OnLog(message);

    private void PublishStatus(bool running) => _reporter.PublishStatus(running);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    internal static string Format(IEnumerable<int> partitions) => "[" + string.Join(",", partitions.Order()) + "]";
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventRouter.Kafka;

/// <summary>
/// The at-least-once consumer of one topic: reads records on a dedicated thread, hands them to
/// <see cref="IRecordBatchRouter"/> in bounded batches, and stores a partition's offset for commit only
/// after the router has put every record of the batch into storage.
/// </summary>
/// <remarks>
/// <para>
/// Threading. All Confluent calls (consume, pause, resume, store, close) and all rebalance and error
/// callbacks happen on the consume thread, which owns every mutable field. Routing runs on the thread
/// pool, one batch at a time, so records of a partition reach the router in offset order. While a batch
/// is routed the thread keeps polling: it collects the next batch (at most one batch ahead), serves
/// rebalances and keeps the group membership alive (max.poll.interval.ms).
/// </para>
/// <para>
/// Back-pressure. While a batch is in flight the thread fills the next one; once that is full it
/// takes no more records and leaves them in librdkafka's own prefetch queue (bounded by
/// <c>queued.max.messages.kbytes</c>), polling only every 250 ms to serve callbacks. Those polls can
/// still hand over a record each; at two batches the partitions are paused. When the in-flight batch
/// fails, all assigned partitions are paused at once: librdkafka drops what it prefetched for them and
/// stops fetching, so memory stays flat however long storage is down. The failed batch is retried
/// whole with capped exponential backoff; when it succeeds its offsets are stored, the buffered batch
/// goes next, and the partitions resume from where the application left off.
/// </para>
/// <para>
/// Rebalances. Buffered records of revoked partitions are dropped (the next owner reads them again).
/// An in-flight batch holding records of revoked partitions gets up to
/// <see cref="KafkaOptions.ShutdownTimeout"/> to finish so its offsets can be committed on revoke;
/// otherwise those partitions are abandoned: nothing of theirs is committed, and a batch with nothing
/// left to commit is cancelled. Lost partitions are abandoned at once.
/// </para>
/// <para>
/// Stopping. Fetching stops and buffered records are dropped; the in-flight batch gets up to
/// <see cref="KafkaOptions.ShutdownTimeout"/>, its offsets are stored, and <c>Close()</c> commits and
/// leaves the group. Fatal client errors log Critical and stop the host.
/// </para>
/// </remarks>
internal sealed partial class KafkaSourceService : BackgroundService
{
    private static readonly TimeSpan IdlePollTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan BusyPollTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PausedWaitSlice = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BackPressureWaitSlice = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan WatermarkQueryTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan WatermarkQueryBudget = TimeSpan.FromSeconds(1);

    private readonly KafkaOptions _options;
    private readonly IRecordBatchRouter _router;
    private readonly KafkaClientConfigFactory _configFactory;
    private readonly KafkaMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;

    // Consume-thread state.
    private readonly List<BufferedRecord> _buffer = [];
    private long _bufferBytes;
    private long _bufferStartedAt;
    private readonly HashSet<int> _assigned = [];
    private readonly HashSet<int> _paused = [];
    private readonly Dictionary<int, long> _storedOffsets = [];
    private InFlightBatch? _inFlight;
    private InFlightBatch? _abandoned;
    private bool _stopping;
    private long _nextLagRefreshAt;
    private volatile bool _fatal;

    // Read by other threads.
    private volatile KafkaSourceStatus _status = KafkaSourceStatus.NotStarted;
    private volatile Measurement<long>[] _lag = [];

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
        _router = router;
        _configFactory = configFactory;
        _metrics = metrics;
        _logger = logger;
        _lifetime = lifetime;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The topic this instance consumes, exactly as configured; empty when disabled.</summary>
    public string Topic { get; }

    /// <summary>How often the lag gauge's values are recomputed (on the consume thread).</summary>
    internal TimeSpan LagRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A snapshot of the consumer's state, for tests and diagnostics.</summary>
    internal KafkaSourceStatus Status => _status;

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
        using var lagRegistration = _metrics.RegisterLagSource(() => _lag);
        try
        {
            KafkaNativeLibrary.EnsureLoaded();
            consumer = BuildConsumer();
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
            _inFlight?.Cancellation.Cancel();
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
            _lag = [];
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
            .Build();

    /// <summary>One turn of the consume loop: settle the in-flight batch, dispatch, pause or resume, poll.</summary>
    private void Step(IConsumer<byte[], byte[]> consumer)
    {
        if (_inFlight is { Task.IsCompleted: true })
        {
            CompleteInFlight(consumer);
        }

        if (_abandoned is { Task.IsCompleted: true })
        {
            _abandoned.Cancellation.Dispose();
            _abandoned = null;
        }

        TryDispatch();
        var paused = UpdatePause(consumer);
        RefreshLagIfDue(consumer);

        var waitingFor = _inFlight ?? _abandoned;
        if (waitingFor is not null && (paused || BufferFull))
        {
            // Paused: nothing can arrive, so wait for the batch itself. Full: stop taking records and
            // leave them in librdkafka's bounded prefetch queue; pausing here instead would purge that
            // queue and stall the next fetch behind the outstanding long poll (fetch.wait.max.ms) for
            // every batch. Either way, poll once per slice so rebalances and errors are served and the
            // group sees us alive (max.poll.interval.ms).
            waitingFor.Task.Wait(paused ? PausedWaitSlice : BackPressureWaitSlice);
            if (!waitingFor.Task.IsCompleted)
            {
                Poll(consumer, TimeSpan.Zero);
            }

            return;
        }

        var timeout = _inFlight is not null ? BusyPollTimeout
            : _buffer.Count == 0 ? IdlePollTimeout
            : RemainingLinger();
        Poll(consumer, timeout);
    }

    private void Poll(IConsumer<byte[], byte[]> consumer, TimeSpan timeout)
    {
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            result = consumer.Consume(timeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            Log.ConsumeError(_logger, Topic, ex.Error.Code, ex.Error.Reason);
            return;
        }
        catch (ConsumeException ex)
        {
            OnFatalError(ex.Error);
            return;
        }

        if (result?.Message is null || _stopping || !_assigned.Contains(result.Partition.Value))
        {
            return; // nothing, shutting down, or a straggler of a partition no longer ours
        }

        var record = KafkaRecordMapper.ToInboundRecord(result);
        if (_buffer.Count == 0)
        {
            _bufferStartedAt = _time.GetTimestamp();
        }

        var size = KafkaRecordMapper.SizeOf(record);
        _buffer.Add(new BufferedRecord(record, size));
        _bufferBytes += size;
    }

    /// <summary>A whole batch is waiting: take no more records until the in-flight batch is done.</summary>
    private bool BufferFull => _buffer.Count >= _options.MaxBatchSize || _bufferBytes >= _options.MaxBatchBytes;

    /// <summary>
    /// The hard cap: the polls that keep the group alive while <see cref="BufferFull"/> can still hand
    /// us a record each; past two batches the partitions are paused.
    /// </summary>
    private bool BufferOverfull => _buffer.Count >= 2 * _options.MaxBatchSize || _bufferBytes >= 2L * _options.MaxBatchBytes;

    private TimeSpan RemainingLinger()
    {
        var remaining = _options.BatchLinger - _time.GetElapsedTime(_bufferStartedAt);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    /// <summary>Starts routing the next batch when none is in flight and the buffer is full or has lingered long enough.</summary>
    private void TryDispatch()
    {
        if (_inFlight is not null || _abandoned is not null || _stopping || _buffer.Count == 0)
        {
            return;
        }

        if (!BufferFull && RemainingLinger() > TimeSpan.Zero)
        {
            return;
        }

        // Cut a batch within both bounds; a single record larger than MaxBatchBytes forms its own batch.
        var count = 0;
        long bytes = 0;
        while (count < _buffer.Count && count < _options.MaxBatchSize)
        {
            var size = _buffer[count].Size;
            if (count > 0 && bytes + size > _options.MaxBatchBytes)
            {
                break;
            }

            bytes += size;
            count++;
        }

        var records = new InboundRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = _buffer[i].Record;
        }

        _buffer.RemoveRange(0, count);
        _bufferBytes -= bytes;
        _bufferStartedAt = _time.GetTimestamp();

        var batch = new InFlightBatch(records, _time.GetTimestamp());
        _inFlight = batch;
        batch.Task = Task.Run(() => RouteWithRetryAsync(batch));
        Log.BatchDispatched(_logger, Topic, records.Length, bytes);
        PublishStatus(running: true);
    }

    /// <summary>
    /// Routes one batch until it succeeds or is cancelled. Never throws: true when every record is in
    /// storage, false when the batch was abandoned (its offsets must not be stored).
    /// </summary>
    private async Task<bool> RouteWithRetryAsync(InFlightBatch batch)
    {
        var cancellationToken = batch.Cancellation.Token;
        while (true)
        {
            string errorType;
            try
            {
                await _router.RouteBatchAsync(batch.Records, cancellationToken).ConfigureAwait(false);
                if (batch.FailedAttempts > 0)
                {
                    Log.BatchRecovered(_logger, Topic, batch.Records.Count, batch.FailedAttempts);
                }

                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (EventDeliveryException ex)
            {
                var failures = batch.RecordFailure();
                errorType = ex.IsTransient ? KafkaTelemetryNames.TransientError : KafkaTelemetryNames.PermanentError;
                var delay = NextDelay(failures);
                if (ex.IsTransient)
                {
                    Log.BatchDeliveryFailed(_logger, Topic, batch.Records.Count, failures, delay.TotalMilliseconds, ex);
                }
                else
                {
                    Log.BatchDeliveryFailedPermanently(_logger, Topic, batch.Records.Count, failures, delay.TotalMilliseconds, ex);
                }

                _metrics.BatchRetried(Topic, _options.ConsumerGroup, errorType);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
            catch (Exception ex)
            {
                // A bug in the router, not a storage failure. Committing would lose the batch, so it is
                // retried like a delivery failure; the Error log is what should get someone's attention.
                var failures = batch.RecordFailure();
                var delay = NextDelay(failures);
                Log.BatchRoutingFailedUnexpectedly(_logger, Topic, batch.Records.Count, failures, delay.TotalMilliseconds, ex);
                _metrics.BatchRetried(Topic, _options.ConsumerGroup, KafkaTelemetryNames.UnexpectedError);
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
    }

    private TimeSpan NextDelay(int failures)
        => RetryBackoff.Delay(failures, _options.RetryDelay, _options.RetryMaxDelay, Random.Shared.NextDouble());

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Settles a completed in-flight batch: on success, stores offset+1 of each partition it still owns.</summary>
    private void CompleteInFlight(IConsumer<byte[], byte[]> consumer)
    {
        var batch = _inFlight!;
        _inFlight = null;
        var routed = batch.Task.Result;
        batch.Cancellation.Dispose();
        if (!routed)
        {
            return;
        }

        foreach (var (partition, nextOffset) in batch.NextOffsets)
        {
            if (!batch.Committable.Contains(partition) || !_assigned.Contains(partition))
            {
                continue;
            }

            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(Topic, partition, nextOffset));
                _storedOffsets[partition] = nextOffset;
                Log.OffsetStored(_logger, Topic, partition, nextOffset);
            }
            catch (KafkaException ex)
            {
                // The partition was taken away in between; its next owner re-reads the records.
                Log.StoreOffsetFailed(_logger, Topic, partition, nextOffset, ex.Error.Reason);
            }
        }

        _metrics.BatchRouted(Topic, _options.ConsumerGroup, batch.Records.Count, _time.GetElapsedTime(batch.StartedAt));
        Log.BatchRouted(_logger, Topic, batch.Records.Count, _time.GetElapsedTime(batch.StartedAt).TotalMilliseconds);
        PublishStatus(running: true);
    }

    /// <summary>Pauses every assigned partition while the pipeline is blocked, resumes them when it is not.</summary>
    /// <returns>True when the partitions are (now) paused.</returns>
    private bool UpdatePause(IConsumer<byte[], byte[]> consumer)
    {
        var shouldPause = _stopping || _abandoned is not null ||
                          (_inFlight is not null && (_inFlight.FailedAttempts > 0 || BufferOverfull));
        if (shouldPause)
        {
            if (_assigned.Count > _paused.Count || !_paused.IsSupersetOf(_assigned))
            {
                var toPause = _assigned.Where(p => !_paused.Contains(p)).ToList();
                try
                {
                    consumer.Pause(toPause.Select(p => new TopicPartition(Topic, p)));
                    _paused.UnionWith(toPause);
                    // Pausing because two batches wait is routine back-pressure; anything else is news.
                    var routine = !_stopping && _abandoned is null && _inFlight!.FailedAttempts == 0;
                    Log.PartitionsPaused(_logger, routine ? LogLevel.Debug : LogLevel.Information, Topic, Format(toPause), ReasonFor());
                    PublishStatus(running: true);
                }
                catch (KafkaException ex)
                {
                    Log.PauseResumeFailed(_logger, Topic, ex.Error.Reason);
                }
            }

            return true;
        }

        if (_paused.Count > 0)
        {
            ResumePaused(consumer, _paused.ToList());
        }

        return false;

        string ReasonFor() => _stopping ? "stopping"
            : _abandoned is not null ? "waiting for an abandoned batch"
            : _inFlight!.FailedAttempts > 0 ? "storage is failing"
            : "two batches are waiting";
    }

    private void ResumePaused(IConsumer<byte[], byte[]> consumer, List<int> partitions)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Resume(partitions.Select(p => new TopicPartition(Topic, p)));
            Log.PartitionsResumed(_logger, Topic, Format(partitions));
        }
        catch (KafkaException ex)
        {
            Log.PauseResumeFailed(_logger, Topic, ex.Error.Reason);
        }

        _paused.ExceptWith(partitions);
        PublishStatus(running: true);
    }

    private void OnPartitionsAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _assigned.Add(tp.Partition.Value);
            _storedOffsets.Remove(tp.Partition.Value);
        }

        if (partitions.Count > 0)
        {
            // Cooperative rebalancing also reports empty increments.
            Log.PartitionsAssigned(_logger, Topic, Format(partitions.Select(p => p.Partition.Value)));
        }

        PublishStatus(running: true);
    }

    private void OnPartitionsRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.Partition.Value).ToHashSet();
        var inFlight = _inFlight is { } current && current.Committable.Overlaps(revoked) ? current.Records.Count : 0;
        Log.PartitionsRevoked(_logger, Topic, Format(revoked), inFlight);
        DropBuffered(revoked);

        if (_inFlight is { } batch && batch.Committable.Overlaps(revoked))
        {
            // Give the in-flight batch the chance to finish so its offsets are committed on revoke
            // (librdkafka commits stored offsets while unassigning). The group waits meanwhile.
            if (!batch.Task.IsCompleted)
            {
                batch.Task.Wait(_options.ShutdownTimeout);
            }

            if (batch.Task.IsCompleted)
            {
                CompleteInFlight(consumer);
            }
            else
            {
                Abandon(batch, revoked, "partitions revoked before the batch reached storage");
            }
        }

        Release(consumer, revoked);
    }

    private void OnPartitionsLost(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        // Lost (session timed out, fenced): we are no longer a member, so nothing can be committed.
        var lost = partitions.Select(p => p.Partition.Value).ToHashSet();
        Log.PartitionsLost(_logger, Topic, Format(lost));
        DropBuffered(lost);
        if (_inFlight is { } batch && batch.Committable.Overlaps(lost))
        {
            Abandon(batch, lost, "partitions lost");
        }

        Release(consumer, lost);
    }

    /// <summary>Stops committing <paramref name="partitions"/> for <paramref name="batch"/>; cancels it when nothing of it is committable any more.</summary>
    private void Abandon(InFlightBatch batch, HashSet<int> partitions, string reason)
    {
        batch.Committable.ExceptWith(partitions);
        Log.BatchAbandoned(_logger, Topic, Format(partitions), batch.Records.Count, reason);
        if (batch.Committable.Count == 0 && ReferenceEquals(batch, _inFlight))
        {
            // Nothing left to commit: stop retrying. Wait for it to finish before the next batch so a
            // partition's records never reach the router from two batches at once.
            batch.Cancellation.Cancel();
            _inFlight = null;
            _abandoned = batch;
        }
    }

    /// <summary>Forgets revoked or lost partitions; resumes those we paused so a later re-assignment starts unpaused.</summary>
    private void Release(IConsumer<byte[], byte[]> consumer, HashSet<int> partitions)
    {
        ResumePaused(consumer, _paused.Where(partitions.Contains).ToList());
        _assigned.ExceptWith(partitions);
        foreach (var partition in partitions)
        {
            _storedOffsets.Remove(partition);
        }

        PublishStatus(running: true);
    }

    private void DropBuffered(IReadOnlySet<int>? partitions)
    {
        if (partitions is null)
        {
            _buffer.Clear();
            _bufferBytes = 0;
            return;
        }

        _buffer.RemoveAll(r => partitions.Contains(r.Record.Partition));
        _bufferBytes = _buffer.Sum(r => (long)r.Size);
    }

    private void Shutdown(IConsumer<byte[], byte[]> consumer)
    {
        _stopping = true;
        Log.ConsumerStopping(_logger, Topic, _inFlight?.Records.Count ?? 0, _buffer.Count);
        DropBuffered(null);
        UpdatePause(consumer);

        var started = _time.GetTimestamp();
        while (_inFlight is { Task.IsCompleted: false } batch && !_fatal)
        {
            var remaining = _options.ShutdownTimeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            Poll(consumer, TimeSpan.Zero);
            batch.Task.Wait(remaining < PausedWaitSlice ? remaining : PausedWaitSlice);
        }

        if (_inFlight is { } inFlight)
        {
            if (inFlight.Task.IsCompleted)
            {
                CompleteInFlight(consumer);
            }
            else
            {
                Log.ShutdownTimedOut(_logger, Topic, inFlight.Records.Count, _options.ShutdownTimeout);
                inFlight.Cancellation.Cancel();
                _inFlight = null;
            }
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

    private void OnError(IConsumer<byte[], byte[]> consumer, Error error)
    {
        if (error.IsFatal)
        {
            OnFatalError(error);
        }
        else
        {
            Log.ClientError(_logger, Topic, error.Code, error.Reason);
        }
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

    private void OnLog(IConsumer<byte[], byte[]> consumer, LogMessage message)
    {
        // librdkafka reports actionable failures through the error callback as well, so its own
        // log lines are one level quieter here.
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error or SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice => LogLevel.Information,
            SyslogLevel.Info => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
        Log.ClientLog(_logger, level, Topic, message.Facility, message.Message);
    }

    private void RefreshLagIfDue(IConsumer<byte[], byte[]> consumer)
    {
        var now = _time.GetTimestamp();
        if (now < _nextLagRefreshAt)
        {
            return;
        }

        _nextLagRefreshAt = now + (long)(LagRefreshInterval.TotalSeconds * _time.TimestampFrequency);
        var measurements = new List<Measurement<long>>(_assigned.Count);
        foreach (var partition in _assigned.Order())
        {
            var tp = new TopicPartition(Topic, partition);
            try
            {
                var watermarks = consumer.GetWatermarkOffsets(tp);
                if ((watermarks.High.IsSpecial || _paused.Contains(partition)) && _time.GetElapsedTime(now) < WatermarkQueryBudget)
                {
                    // Paused partitions are not fetched, so their cached watermark goes stale.
                    watermarks = consumer.QueryWatermarkOffsets(tp, WatermarkQueryTimeout);
                }

                var next = NextOffsetToRoute(consumer, tp);
                if (watermarks.High.IsSpecial || next is null)
                {
                    continue;
                }

                measurements.Add(new Measurement<long>(
                    Math.Max(0, watermarks.High.Value - next.Value),
                    new KeyValuePair<string, object?>(KafkaTelemetryNames.TopicTag, Topic),
                    new KeyValuePair<string, object?>(KafkaTelemetryNames.PartitionTag, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new KeyValuePair<string, object?>(KafkaTelemetryNames.ConsumerGroupTag, _options.ConsumerGroup)));
            }
            catch (KafkaException ex)
            {
                Log.LagUnavailable(_logger, Topic, partition, ex.Error.Reason);
            }
        }

        _lag = [.. measurements];
    }

    /// <summary>The first offset of <paramref name="tp"/> that has not reached storage yet, when known.</summary>
    private long? NextOffsetToRoute(IConsumer<byte[], byte[]> consumer, TopicPartition tp)
    {
        var partition = tp.Partition.Value;
        long? first = null;
        if (_inFlight is { } batch && batch.Committable.Contains(partition) && batch.FirstOffsets.TryGetValue(partition, out var inFlightFirst))
        {
            first = inFlightFirst;
        }

        foreach (var buffered in _buffer)
        {
            if (buffered.Record.Partition == partition && (first is null || buffered.Record.Offset < first))
            {
                first = buffered.Record.Offset;
                break; // buffer is in offset order per partition
            }
        }

        if (first is not null)
        {
            return first;
        }

        if (_storedOffsets.TryGetValue(partition, out var stored))
        {
            return stored;
        }

        var position = consumer.Position(tp);
        return position.IsSpecial ? null : position.Value;
    }

    private void PublishStatus(bool running)
        => _status = new KafkaSourceStatus(
            running,
            [.. _assigned.Order()],
            [.. _paused.Order()],
            _inFlight is not null,
            _inFlight?.FailedAttempts ?? 0,
            _buffer.Count);

    private static string Format(IEnumerable<int> partitions) => "[" + string.Join(",", partitions.Order()) + "]";

    private readonly record struct BufferedRecord(InboundRecord Record, int Size);

    /// <summary>A batch handed to the router, with what to store once it is routed.</summary>
    private sealed class InFlightBatch
    {
        private int _failedAttempts;

        public InFlightBatch(IReadOnlyList<InboundRecord> records, long startedAt)
        {
            Records = records;
            StartedAt = startedAt;
            foreach (var record in records)
            {
                if (!FirstOffsets.ContainsKey(record.Partition))
                {
                    FirstOffsets[record.Partition] = record.Offset;
                }

                NextOffsets[record.Partition] = Math.Max(NextOffsets.GetValueOrDefault(record.Partition), record.Offset + 1);
            }

            Committable = [.. NextOffsets.Keys];
        }

        public IReadOnlyList<InboundRecord> Records { get; }
        public long StartedAt { get; }
        public Dictionary<int, long> FirstOffsets { get; } = [];
        /// <summary>Per partition: the highest offset of the batch plus one, the offset to commit.</summary>
        public Dictionary<int, long> NextOffsets { get; } = [];
        /// <summary>Partitions whose offsets may still be stored (revoked or lost ones are removed).</summary>
        public HashSet<int> Committable { get; }
        public CancellationTokenSource Cancellation { get; } = new();
        public Task<bool> Task { get; set; } = System.Threading.Tasks.Task.FromResult(false);
        public int FailedAttempts => Volatile.Read(ref _failedAttempts);

        public int RecordFailure() => Interlocked.Increment(ref _failedAttempts);
    }
}

/// <summary>What a <see cref="KafkaSourceService"/> is doing, for tests and diagnostics.</summary>
/// <param name="Running">The consume thread is running.</param>
/// <param name="AssignedPartitions">Partitions currently assigned to this consumer.</param>
/// <param name="PausedPartitions">Assigned partitions this consumer has paused.</param>
/// <param name="BatchInFlight">A batch is being routed.</param>
/// <param name="FailedAttempts">Failed routing attempts of the in-flight batch so far.</param>
/// <param name="BufferedRecords">Records consumed but not yet handed to the router.</param>
internal sealed record KafkaSourceStatus(
    bool Running,
    IReadOnlyList<int> AssignedPartitions,
    IReadOnlyList<int> PausedPartitions,
    bool BatchInFlight,
    int FailedAttempts,
    int BufferedRecords)
{
    public static readonly KafkaSourceStatus NotStarted = new(false, [], [], false, 0, 0);
}

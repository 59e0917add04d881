using System.Threading.Channels;
using EventRouter.Kafka;
using EventRouter.Kafka.Consuming;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static EventRouter.Kafka.Tests.Consuming.ConsumerTestKit;

namespace EventRouter.Kafka.Tests.Consuming;

public sealed class BatchRetrierTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10); // only against a hang; nothing here waits for time
    private readonly FakeTimeProvider _time = new();
    private readonly KafkaMetricsProbe _metrics = new();
    private readonly ScriptedRouter _router;

    public BatchRetrierTests() => _router = new ScriptedRouter(_time);

    public void Dispose() => _metrics.Dispose();

    private BatchRetrier Retrier() => new(Topic, Options(), _router, _metrics.Metrics, NullLogger.Instance, _time, jitter: () => 0.5);

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(10, 400)] // capped at RetryMaxDelay
    public void Classify_NthFailure_WaitsTheDoubledDelayUpToTheCap(int failures, int expectedMs)
    {
        var failure = Retrier().Classify(new EventDeliveryException("down", isTransient: true), failures);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), failure.Delay);
    }

    [Fact]
    public void Classify_EachKindOfException_NamesItsErrorType()
    {
        var retrier = Retrier();
        Assert.Equal(KafkaTelemetryNames.TransientError, retrier.Classify(new EventDeliveryException("503", isTransient: true), 1).ErrorType);
        Assert.Equal(KafkaTelemetryNames.PermanentError, retrier.Classify(new EventDeliveryException("403", isTransient: false), 1).ErrorType);
        Assert.Equal(KafkaTelemetryNames.UnexpectedError, retrier.Classify(new InvalidOperationException("bug"), 1).ErrorType);
        Assert.Equal(KafkaTelemetryNames.UnexpectedError, retrier.Classify(new OperationCanceledException(), 1).ErrorType); // not ours
    }

    [Fact]
    public async Task RouteAsync_StorageFailsTwice_RetriesTheSameBatchAfterEachBackoffAndCountsTwoRetries()
    {
        _router.Script.Enqueue(new EventDeliveryException("503", isTransient: true));
        _router.Script.Enqueue(new InvalidOperationException("bug"));
        var batch = Batch(partition: 1, first: 40, count: 5);

        var routing = Task.Run(() => Retrier().RouteAsync(batch));
        var first = await _router.NextAttemptAsync();
        var second = await AdvanceUntilAttemptAsync();
        var third = await AdvanceUntilAttemptAsync();

        Assert.True(await routing.WaitAsync(Guard));
        Assert.Equal(2, batch.FailedAttempts);
        Assert.All([first, second, third], attempt => Assert.Same(batch.Records, attempt.Records));
        // Each retry came no sooner than its back-off: 100 ms after the first failure, 200 ms after the second.
        Assert.True(second.At - first.At >= TimeSpan.FromMilliseconds(100), $"second attempt after {second.At - first.At}");
        Assert.True(third.At - second.At >= TimeSpan.FromMilliseconds(200), $"third attempt after {third.At - second.At}");
        Assert.Equal(
            [KafkaTelemetryNames.TransientError, KafkaTelemetryNames.UnexpectedError],
            _metrics.Tags(KafkaTelemetryNames.BatchRetries, KafkaTelemetryNames.ErrorTypeTag));
    }

    [Fact]
    public async Task RouteAsync_CancelledDuringTheBackoff_ReturnsFalseAndNeverTriesAgain()
    {
        // A revoke or lost partition abandons the batch while it waits to retry.
        _router.Script.Enqueue(new EventDeliveryException("503", isTransient: true));
        var batch = Batch(partition: 0, first: 0, count: 3);

        var routing = Task.Run(() => Retrier().RouteAsync(batch));
        await _router.NextAttemptAsync();
        await batch.Cancellation.CancelAsync();

        Assert.False(await routing.WaitAsync(Guard));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _router.Attempts);
        Assert.Equal(1, _metrics.Sum(KafkaTelemetryNames.BatchRetries));
    }

    [Fact]
    public async Task RouteAsync_CancelledWhileTheRouterWrites_ReturnsFalseAndCountsNoRetry()
    {
        _router.HonourCancellation = true;
        var batch = Batch(partition: 0, first: 0, count: 3);

        var routing = Task.Run(() => Retrier().RouteAsync(batch));
        await _router.NextAttemptAsync();
        await batch.Cancellation.CancelAsync();

        Assert.False(await routing.WaitAsync(Guard));
        Assert.Equal(0, batch.FailedAttempts);
        Assert.Equal(0, _metrics.Sum(KafkaTelemetryNames.BatchRetries));
    }

    /// <summary>Moves the clock a millisecond at a time until the retrier tries again (its timer may not be set yet).</summary>
    private async Task<ScriptedRouter.Attempt> AdvanceUntilAttemptAsync()
    {
        var next = _router.NextAttemptAsync();
        for (var i = 0; i < 100_000 && !next.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }

        return await next;
    }

    /// <summary>A router that throws the scripted exceptions in turn, then succeeds; reports each attempt with the fake clock's time.</summary>
    private sealed class ScriptedRouter(FakeTimeProvider clock) : IRecordBatchRouter
    {
        private readonly Channel<Attempt> _attempts = Channel.CreateUnbounded<Attempt>();
        private int _count;

        public sealed record Attempt(IReadOnlyList<InboundRecord> Records, DateTimeOffset At);

        public Queue<Exception> Script { get; } = new();

        public bool HonourCancellation { get; set; }

        public int Attempts => Volatile.Read(ref _count);

        public async Task<BatchRoutingResult> RouteBatchAsync(IReadOnlyList<InboundRecord> records, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            Exception? failure;
            lock (Script) Script.TryDequeue(out failure);
            _attempts.Writer.TryWrite(new Attempt(records, clock.GetUtcNow()));
            if (HonourCancellation)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (failure is not null) throw failure;
            return null!; // the retrier does not look at the outcomes
        }

        public async Task<Attempt> NextAttemptAsync() => await _attempts.Reader.ReadAsync().AsTask().WaitAsync(Guard);
    }
}

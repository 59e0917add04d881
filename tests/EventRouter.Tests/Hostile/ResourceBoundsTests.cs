using System.Text;
using EventRouter.Testing;
using Xunit.Abstractions;

namespace EventRouter.Tests.Hostile;

/// <summary>
/// Memory and queue count stay bounded under hostile volume: a 10 MB record, a batch of 10,000
/// records, 100,000 distinct unknown categories. Allocation is measured with
/// <see cref="GC.GetTotalAllocatedBytes"/> (process-wide, so bounds are generous: other tests run
/// in parallel) and retained memory with <see cref="GC.GetTotalMemory"/> after a full collection.
/// </summary>
[Collection(Name)]
public sealed class ResourceBoundsTests(ITestOutputHelper output) : IDisposable
{
    public const string Name = "resource bounds (not parallel with each other)";
    private const long MiB = 1024 * 1024;
    private readonly PipelineFactory _factory = new();

    [Fact]
    public async Task RouteBatchAsync_10MbEvent_OffloadedWithBoundedAllocation()
    {
        var value = EventJson.Valid("USER.CREATED", Guid.NewGuid(), "{\"blob\":\"" + new string('x', 10 * 1024 * 1024) + "\"}");
        var dispatcher = new RecordingQueueDispatcher(keepContent: false);
        var pipeline = _factory.Create(dispatcher);

        var (allocated, result) = await Measure(() => pipeline.RouteBatchAsync([InboundRecord.Create("Notifications", 0, 1, value)]));

        Assert.Equal("events-user", Assert.Single(result.Outcomes).Queue);
        Assert.True(result.Outcomes[0].Offloaded);
        output.WriteLine($"10 MB event: {allocated / (double)MiB:F1} MiB allocated");
        Assert.True(allocated < 8 * value.Length, $"{allocated:N0} bytes allocated for a {value.Length:N0}-byte event");
    }

    [Fact]
    public async Task RouteBatchAsync_10MbInvalidValue_PoisonedWithBoundedAllocation()
    {
        var value = Encoding.UTF8.GetBytes("{\"id\":\"" + new string('x', 10 * 1024 * 1024));
        var dispatcher = new RecordingQueueDispatcher(keepContent: false);
        var pipeline = _factory.Create(dispatcher);

        var (allocated, result) = await Measure(() => pipeline.RouteBatchAsync([InboundRecord.Create("Notifications", 0, 1, value)]));

        Assert.Equal(OutcomeKind.Poisoned, Assert.Single(result.Outcomes).Kind);
        Assert.True(result.Outcomes[0].Offloaded);
        output.WriteLine($"10 MB poison value: {allocated / (double)MiB:F1} MiB allocated");
        Assert.True(allocated < 8 * value.Length, $"{allocated:N0} bytes allocated for a {value.Length:N0}-byte value");
    }

    [Fact]
    public async Task RouteBatchAsync_BatchOf10000_AllocationLinearAndNothingRetained()
    {
        var records = Enumerable.Range(0, 10_000)
            .Select(i => InboundRecord.Create("Notifications", i % 4, i, EventJson.Valid(i % 3 == 0 ? "ORDER.FILLED" : "USER.CREATED", Guid.NewGuid())))
            .ToArray();
        var input = records.Sum(r => (long)r.Value!.Value.Length);
        var dispatcher = new RecordingQueueDispatcher(keepContent: false);
        var pipeline = _factory.Create(dispatcher);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var (allocated, result) = await Measure(() => pipeline.RouteBatchAsync(records));
        GC.KeepAlive(result);
        result = null!;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.Equal(10_000, dispatcher.SendCount);
        output.WriteLine($"batch of 10,000 ({input:N0} bytes): {allocated / (double)MiB:F1} MiB allocated, {retained / (double)MiB:F1} MiB retained");
        Assert.True(allocated < 64 * MiB, $"{allocated:N0} bytes allocated");
        Assert.True(retained < 16 * MiB, $"{retained:N0} bytes retained after the batch");
    }

    [Fact]
    public async Task RouteBatchAsync_100000DistinctUnknownCategories_OneQueueAndBoundedMemory()
    {
        var dispatcher = new RecordingQueueDispatcher(keepContent: false);
        var pipeline = _factory.Create(dispatcher);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long allocated = 0;

        for (var batch = 0; batch < 200; batch++)
        {
            var records = Enumerable.Range(batch * 500, 500)
                .Select(i => InboundRecord.Create("Notifications", 0, i, EventJson.Valid($"CAT_{i:D6}_{Guid.NewGuid():N}.CREATED", Guid.NewGuid())))
                .ToArray();
            var (bytes, result) = await Measure(() => pipeline.RouteBatchAsync(records));
            allocated += bytes;
            Assert.All(result.Outcomes, o => Assert.Equal(OutcomeKind.Unrouted, o.Kind));
        }
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.Equal(["events-unrouted"], dispatcher.QueueNames.Keys);
        Assert.Equal(100_000, dispatcher.QueueNames["events-unrouted"]);
        output.WriteLine($"100,000 unknown categories: {allocated / (double)MiB:F1} MiB allocated, {retained / (double)MiB:F1} MiB retained");
        Assert.True(allocated < 400 * MiB, $"{allocated:N0} bytes allocated");
        Assert.True(retained < 16 * MiB, $"{retained:N0} bytes retained: something grows per category");
    }

    private static async Task<(long Allocated, T Result)> Measure<T>(Func<Task<T>> action)
    {
        var start = GC.GetTotalAllocatedBytes(precise: true);
        var result = await action();
        return (GC.GetTotalAllocatedBytes(precise: true) - start, result);
    }

    public void Dispose() => _factory.Dispose();
}

[CollectionDefinition(ResourceBoundsTests.Name, DisableParallelization = true)]
public sealed class ResourceBoundsCollection;

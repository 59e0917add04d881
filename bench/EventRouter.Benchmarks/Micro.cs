using System.Text;
using BenchmarkDotNet.Attributes;
using EventRouter.Formats;
using EventRouter.Routing;
using EventRouter.Testing;
using EventRouter.Validation;

namespace EventRouter.Benchmarks;

/// <summary>Validate + route of one event (what <see cref="RoutingPipeline"/> does per record before formatting).</summary>
[MemoryDiagnoser]
public class ValidateAndRouteBenchmarks
{
    private RouteTable _routes = null!;
    private byte[] _event300 = null!;
    private byte[] _event300Stream = null!;
    private byte[] _event5k = null!;
    private byte[] _poisonTruncated = null!;
    private byte[] _poisonBadUuid = null!;

    [GlobalSetup]
    public void Setup()
    {
        _routes = new RouteTable(new RoutingOptions());
        _event300 = BenchEvents.Create(300, type: "ORDER.FILLED");
        _event300Stream = BenchEvents.CreateStreamShaped(300, type: "ORDER.FILLED");
        _event5k = BenchEvents.Create(5 * 1024, type: "ORDER.FILLED");
        _poisonTruncated = _event300[..200];
        _poisonBadUuid = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_event300).Replace("\"id\":\"", "\"id\":\"zz", StringComparison.Ordinal));
        if (_event300.Length != 300 || !EventValidator.Validate(_event300).IsValid || !EventValidator.Validate(_event5k).IsValid)
            throw new InvalidOperationException($"benchmark events are not what they should be: {_event300.Length} B {EventValidator.Validate(_event300).Error} / {EventValidator.Validate(_event5k).Error}");
        if (_event300Stream.Length != 300 || !EventValidator.Validate(_event300Stream, BenchEvents.StreamFields).IsValid)
            throw new InvalidOperationException($"stream-shaped event is not what it should be: {_event300Stream.Length} B {EventValidator.Validate(_event300Stream, BenchEvents.StreamFields).Error}");
        if (Route(_event300) != "events-order" || Route(_event300Stream, BenchEvents.StreamFields) != "events-order" || Event300Previous() != "events-order")
            throw new InvalidOperationException("wrong route");
    }

    // Validate(value) without names on purpose: the default overload is what the baseline has always measured.
    private string Route(ReadOnlySpan<byte> value) => Route(value, EventValidator.Validate(value));

    private string Route(ReadOnlySpan<byte> value, EventFieldNames fields) => Route(value, EventValidator.Validate(value, fields));

    private string Route(ReadOnlySpan<byte> value, EventValidationResult validation)
    {
        if (!validation.IsValid) return _routes.PoisonQueue;
        var (queue, _) = validation.TryGetTypeUtf8(value, out var type)
            ? _routes.Resolve("Notifications", type)
            : _routes.Resolve("Notifications", validation.GetEventType(value));
        return queue;
    }

    [Benchmark(Baseline = true, Description = "validate+route 300 B event")]
    public string Event300() => Route(_event300);

    /// <summary>
    /// The same 300 B event through the validator as it was before its performance work (the frozen
    /// copy the unit tests compare the current one with) and the route lookup of that time, which
    /// decoded the type from UTF-8 into a 256-character stack buffer. Before and after must be
    /// measured in the same rounds: this VM's speed changes by up to 2x from minute to minute, so
    /// figures from two runs are not comparable (see <see cref="MicroConfig"/>).
    /// </summary>
    [Benchmark(Description = "validate+route 300 B event, previous implementation")]
    public string Event300Previous()
    {
        var value = _event300.AsSpan();
        var validation = ReferenceEventValidator.Validate(value);
        if (!validation.IsValid) return _routes.PoisonQueue;
        if (!validation.TryGetTypeUtf8(value, out var type)) return _routes.Resolve("Notifications", validation.GetEventType(value)).Queue;
        Span<char> chars = stackalloc char[256];
        var length = Encoding.UTF8.GetChars(type, chars);
        return _routes.Resolve("Notifications", chars[..length]).Queue;
    }

    /// <summary>Reference floor in the same run: only a Utf8JsonReader pass over the same 300 B (no checks, no routing).</summary>
    [Benchmark(Description = "reference: Utf8JsonReader pass, 300 B")]
    public int ReaderOnly300()
    {
        var reader = new System.Text.Json.Utf8JsonReader(_event300);
        var tokens = 0;
        while (reader.Read()) tokens++;
        return tokens;
    }

    /// <summary>The same 300 B event with configured field names (event_id, event_type, timestamp, data): the EventFields path.</summary>
    [Benchmark(Description = "validate+route 300 B event, mapped field names")]
    public string Event300StreamShaped() => Route(_event300Stream, BenchEvents.StreamFields);

    [Benchmark(Description = "validate+route 5 KB event")]
    public string Event5K() => Route(_event5k);

    [Benchmark(Description = "validate poison: truncated JSON")]
    public string PoisonTruncated() => Route(_poisonTruncated);

    [Benchmark(Description = "validate poison: id not a UUID")]
    public string PoisonBadUuid() => Route(_poisonBadUuid);
}

/// <summary>Building the routed queue message (the one allocation per event the pipeline must make).</summary>
[MemoryDiagnoser]
public class RoutedMessageBenchmarks
{
    private byte[] _event300 = null!;
    private byte[] _event5k = null!;
    private InboundRecord _record = null!;
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        _event300 = BenchEvents.Create(300);
        _event5k = BenchEvents.Create(5 * 1024);
        _record = new InboundRecord("Notifications", 3, 1042, DateTimeOffset.UtcNow, null, _event300, []);
        _now = DateTimeOffset.UtcNow;
    }

    [Benchmark(Description = "routed message, 300 B event")]
    public byte[] Message300() => RoutedMessage.Create(_event300, _record, _now);

    [Benchmark(Description = "routed message, 5 KB event")]
    public byte[] Message5K() => RoutedMessage.Create(_event5k, _record, _now);
}

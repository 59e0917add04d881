using System.Text;
using EventRouter.Routing;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// Realistic provider-shaped events for the sandbox (and <c>produce --sample</c>): every known
/// category with plausible actions and payloads on the notifications topic, price updates on the
/// prices topic, and a small share of malformed messages of several kinds. Deterministic for a
/// seed, so a run can be reproduced.
/// </summary>
internal sealed class SampleEventGenerator(int seed = 1, double malformedShare = 0.01, double pricesShare = 0.2)
{
    private static readonly string[] Actions = ["CREATED", "UPDATED", "COMPLETED", "FAILED", "CANCELLED"];
    private static readonly string[] Instruments = ["US0378331005", "US5949181045", "DE0007164600", "IE00B4L5Y983", "US88160R1014", "DE000BASF111"];
    private static readonly string[] Malformations = ["truncated", "not-json", "missing-id", "bad-uuid", "bad-date", "array", "tombstone", "not-utf8"];

    private readonly Random _random = new(seed);
    private DateTimeOffset _clock = DateTimeOffset.UtcNow;

    /// <summary>One message: topic role, key, headers and value (null for a tombstone).</summary>
    public SampleMessage Next()
    {
        _clock = _clock.AddMilliseconds(_random.Next(1, 20));
        if (_random.NextDouble() < malformedShare) return Malformed();
        return _random.NextDouble() < pricesShare ? Price() : Notification();
    }

    private SampleMessage Notification()
    {
        var category = RoutingDefaults.KnownCategories[_random.Next(RoutingDefaults.KnownCategories.Count)];
        var type = $"{category}.{Actions[_random.Next(Actions.Length)]}";
        var id = Guid.NewGuid();
        var userId = Guid.NewGuid().ToString();
        var payload = category switch
        {
            "ORDER" or "EXECUTION" or "PORTFOLIO_ORDER" =>
                $$"""{"id":"{{Guid.NewGuid()}}","user_id":"{{userId}}","instrument_id":"{{Instruments[_random.Next(Instruments.Length)]}}","side":"{{(_random.Next(2) == 0 ? "BUY" : "SELL")}}","quantity":"{{_random.Next(1, 500)}}","status":"{{type.Split('.')[1]}}"}""",
            "CASH_BALANCE" or "CASH_TRANSACTION" or "TOPUP" or "WITHDRAWAL" or "DIRECT_DEBIT" =>
                $$"""{"id":"{{Guid.NewGuid()}}","user_id":"{{userId}}","amount":"{{_random.Next(1, 100000) / 100.0:F2}}","currency":"EUR"}""",
            _ => $$"""{"id":"{{Guid.NewGuid()}}","user_id":"{{userId}}","status":"{{type.Split('.')[1]}}"}""",
        };
        var json = $$"""{"id":"{{id}}","created_at":"{{_clock.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","type":"{{type}}","object":{{payload}},"webhook_id":"{{Guid.NewGuid()}}"}""";
        return new SampleMessage(SampleTopic.Notifications, Encoding.UTF8.GetBytes(userId), Headers(id, type), Encoding.UTF8.GetBytes(json), type, null);
    }

    private SampleMessage Price()
    {
        var id = Guid.NewGuid();
        var instrument = Instruments[_random.Next(Instruments.Length)];
        var price = 10 + _random.NextDouble() * 400;
        var json = $$"""{"id":"{{id}}","created_at":"{{_clock.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","type":"PRICE.UPDATED","object":{"instrument_id":"{{instrument}}","bid":"{{price:F4}}","ask":"{{price * 1.001:F4}}","currency":"EUR","venue":"XETR"} """.TrimEnd() + "}";
        return new SampleMessage(SampleTopic.Prices, Encoding.UTF8.GetBytes(instrument), Headers(id, "PRICE.UPDATED"), Encoding.UTF8.GetBytes(json), "PRICE.UPDATED", null);
    }

    private SampleMessage Malformed()
    {
        var kind = Malformations[_random.Next(Malformations.Length)];
        var id = Guid.NewGuid();
        byte[]? value = kind switch
        {
            "truncated" => Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","created_at":"2026-11-22T10:00:00Z","type":"USER.CREATED","obj"""),
            "not-json" => "USER.CREATED user=42"u8.ToArray(),
            "missing-id" => Encoding.UTF8.GetBytes("""{"created_at":"2026-11-22T10:00:00Z","type":"USER.CREATED","object":{} """.TrimEnd() + "}"),
            "bad-uuid" => Encoding.UTF8.GetBytes("""{"id":"42","created_at":"2026-11-22T10:00:00Z","type":"USER.CREATED","object":{} """.TrimEnd() + "}"),
            "bad-date" => Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","created_at":"22/11/2026","type":"USER.CREATED","object":{} """.TrimEnd() + "}"),
            "array" => "[1,2,3]"u8.ToArray(),
            "tombstone" => null,
            _ => [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D],
        };
        return new SampleMessage(SampleTopic.Notifications, null, Headers(id, "USER.CREATED"), value, null, kind);
    }

    private static List<KeyValuePair<string, byte[]>> Headers(Guid id, string type) =>
    [
        new("event-id", Encoding.UTF8.GetBytes(id.ToString())),
        new("event-type", Encoding.UTF8.GetBytes(type)),
        new("content-type", "application/json"u8.ToArray()),
    ];
}

internal enum SampleTopic
{
    Notifications,
    Prices,
}

/// <summary>One generated message. <paramref name="Type"/> is set for a valid event; <paramref name="Malformation"/> names what is wrong with a malformed one.</summary>
internal sealed record SampleMessage(SampleTopic Topic, byte[]? Key, IReadOnlyList<KeyValuePair<string, byte[]>> Headers, byte[]? Value, string? Type, string? Malformation);

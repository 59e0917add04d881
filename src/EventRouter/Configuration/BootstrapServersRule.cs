using System.Globalization;

namespace EventRouter.Configuration;

/// <summary>
/// The one rule for <c>Kafka:BootstrapServers</c>, used by the worker's options validator and the
/// Functions app's trigger settings check so that a value one host accepts the other does not
/// refuse: a comma-separated list whose every entry is <c>host:port</c> with a port from 1 to 65535.
/// librdkafka would take a bare host and guess port 9092; a provider's brokers never listen there
/// with SASL, so the guess would only turn a typo into a connection timeout.
/// </summary>
public static class BootstrapServersRule
{
    /// <summary>What the setting holds, as the messages say it.</summary>
    public const string Expected = "a comma-separated list of host:port";

    /// <summary>Null when <paramref name="servers"/> is valid; otherwise the failure, naming the setting (the entry is shown: server addresses are not secret).</summary>
    public static string? Check(string? servers)
    {
        if (string.IsNullOrWhiteSpace(servers))
            return $"{KafkaSettingNames.BootstrapServers} is required ({Expected}).";

        var entries = servers.Split(',', StringSplitOptions.TrimEntries);
        if (entries.Any(entry => entry.Length == 0))
            return $"{KafkaSettingNames.BootstrapServers} contains an empty entry; use {Expected}.";

        foreach (var entry in entries)
        {
            if (!IsHostPort(entry))
                return $"{KafkaSettingNames.BootstrapServers}: '{entry}' is not host:port (expected {Expected}).";
        }
        return null;
    }

    private static bool IsHostPort(string entry)
    {
        // The last colon: "[::1]:9092" and "SASL_SSL://broker:9094" keep their host part whole.
        var colon = entry.LastIndexOf(':');
        return colon > 0 && colon < entry.Length - 1
            && int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }
}

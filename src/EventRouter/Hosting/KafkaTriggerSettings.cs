using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventRouter.Hosting;

/// <summary>
/// The Kafka settings both hosts read, by configuration key. In app settings and environment
/// variables <c>:</c> is written <c>__</c> (<c>Kafka__BootstrapServers</c>); Azure Functions binding
/// expressions use the key form (<c>%Kafka:BootstrapServers%</c>), which resolves through the same
/// configuration.
/// </summary>
public static class KafkaSettingNames
{
    public const string BootstrapServers = "Kafka:BootstrapServers";
    public const string SecurityProtocol = "Kafka:SecurityProtocol";
    public const string SaslMechanism = "Kafka:SaslMechanism";
    public const string Username = "Kafka:Username";
    public const string Password = "Kafka:Password";
    public const string SslCaPem = "Kafka:SslCaPem";
    public const string ConsumerGroup = "Kafka:ConsumerGroup";
    public const string NotificationsTopic = "Kafka:Topics:Notifications";
    public const string PricesTopic = "Kafka:Topics:Prices";

    /// <summary>Every key above, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [BootstrapServers, SecurityProtocol, SaslMechanism, Username, Password, SslCaPem, ConsumerGroup, NotificationsTopic, PricesTopic];

    /// <summary><c>Kafka:Topics:Prices</c> → <c>Kafka__Topics__Prices</c>.</summary>
    public static string ToAppSettingName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}

/// <summary>
/// What a host whose Kafka consumer is declared at build time (the Azure Functions Kafka trigger)
/// needs from configuration, plus the protocol and SASL mechanism it was built with. Validated at
/// start-up by <see cref="KafkaTriggerSettingsValidator"/>, so a missing setting or a mechanism the
/// build does not use stops the app with a message naming the setting, instead of a consumer that
/// cannot authenticate.
/// </summary>
public sealed class KafkaTriggerSettings
{
    public string? BootstrapServers { get; set; }
    public string? ConsumerGroup { get; set; }
    public string? Username { get; set; }
    /// <summary>Checked for presence only; never logged or repeated in a message.</summary>
    public string? Password { get; set; }
    public string? NotificationsTopic { get; set; }
    public string? PricesTopic { get; set; }
    /// <summary>The configured <c>Kafka:SecurityProtocol</c>, if any (the trigger does not read it).</summary>
    public string? SecurityProtocol { get; set; }
    /// <summary>The configured <c>Kafka:SaslMechanism</c>, if any (the trigger does not read it).</summary>
    public string? SaslMechanism { get; set; }
    /// <summary>The protocol compiled into the trigger, e.g. <c>SaslSsl</c>.</summary>
    public string CompiledSecurityProtocol { get; set; } = "";
    /// <summary>The SASL mechanism compiled into the trigger, e.g. <c>ScramSha512</c>.</summary>
    public string CompiledSaslMechanism { get; set; } = "";

    public override string ToString() =>
        $"Kafka trigger settings (servers {BootstrapServers}, group {ConsumerGroup}, {CompiledSecurityProtocol}/{CompiledSaslMechanism})";

    /// <summary>Compares protocol or mechanism names across spellings: <c>ScramSha512</c>, <c>SCRAM-SHA-512</c>, <c>scram_sha_512</c>.</summary>
    public static bool SameName(string? left, string? right) =>
        string.Equals(Normalize(left), Normalize(right), StringComparison.Ordinal);

    private static string Normalize(string? name) =>
        new((name ?? "").Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}

/// <summary>Start-up checks of <see cref="KafkaTriggerSettings"/>. Every message names the setting; none repeats a secret.</summary>
public sealed class KafkaTriggerSettingsValidator : IValidateOptions<KafkaTriggerSettings>
{
    public ValidateOptionsResult Validate(string? name, KafkaTriggerSettings options)
    {
        var failures = new List<string>();

        void Require(string key, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
                failures.Add($"{key} (app setting {KafkaSettingNames.ToAppSettingName(key)}) is not set; the Kafka triggers read it.");
        }

        Require(KafkaSettingNames.BootstrapServers, options.BootstrapServers);
        Require(KafkaSettingNames.ConsumerGroup, options.ConsumerGroup);
        Require(KafkaSettingNames.Username, options.Username);
        Require(KafkaSettingNames.Password, options.Password);
        Require(KafkaSettingNames.NotificationsTopic, options.NotificationsTopic);
        Require(KafkaSettingNames.PricesTopic, options.PricesTopic);

        if (!string.IsNullOrWhiteSpace(options.BootstrapServers) && FirstBadServer(options.BootstrapServers) is { } bad)
        {
            failures.Add($"{KafkaSettingNames.BootstrapServers}: '{bad}' is not host:port (expected host:port[,host:port...]).");
        }

        if (!string.IsNullOrWhiteSpace(options.SecurityProtocol) && !KafkaTriggerSettings.SameName(options.SecurityProtocol, options.CompiledSecurityProtocol))
        {
            failures.Add($"{KafkaSettingNames.SecurityProtocol} is '{options.SecurityProtocol}', but this build's Kafka triggers connect with {options.CompiledSecurityProtocol}; the protocol is fixed when the Functions app is built.");
        }

        if (!string.IsNullOrWhiteSpace(options.SaslMechanism) && !KafkaTriggerSettings.SameName(options.SaslMechanism, options.CompiledSaslMechanism))
        {
            failures.Add($"{KafkaSettingNames.SaslMechanism} is '{options.SaslMechanism}', but this build's Kafka triggers authenticate with {options.CompiledSaslMechanism}; " +
                $"the mechanism is fixed when the Functions app is built: build with -p:KafkaSaslMechanism=<Plain|ScramSha256|ScramSha512> (docs/functions.md).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? FirstBadServer(string servers)
    {
        foreach (var raw in servers.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = raw.LastIndexOf(':');
            var ok = colon > 0 && colon < raw.Length - 1
                && int.TryParse(raw.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= 65535;
            if (!ok) return raw;
        }
        return null;
    }
}

/// <summary>Registers the start-up check of the Kafka trigger settings.</summary>
public static class KafkaTriggerSettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="KafkaTriggerSettings"/> from the shared <c>Kafka:*</c> keys and validates it on
    /// start. <paramref name="compiledSecurityProtocol"/> and <paramref name="compiledSaslMechanism"/> are
    /// the values compiled into the trigger attributes (their enum names, e.g. <c>SaslSsl</c>, <c>ScramSha512</c>).
    /// </summary>
    public static IServiceCollection AddKafkaTriggerSettingsCheck(this IServiceCollection services, IConfiguration configuration,
        string compiledSecurityProtocol, string compiledSaslMechanism)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(compiledSecurityProtocol);
        ArgumentException.ThrowIfNullOrEmpty(compiledSaslMechanism);
        services.AddOptions<KafkaTriggerSettings>()
            .Configure(options =>
            {
                options.BootstrapServers = configuration[KafkaSettingNames.BootstrapServers];
                options.ConsumerGroup = configuration[KafkaSettingNames.ConsumerGroup];
                options.Username = configuration[KafkaSettingNames.Username];
                options.Password = configuration[KafkaSettingNames.Password];
                options.NotificationsTopic = configuration[KafkaSettingNames.NotificationsTopic];
                options.PricesTopic = configuration[KafkaSettingNames.PricesTopic];
                options.SecurityProtocol = configuration[KafkaSettingNames.SecurityProtocol];
                options.SaslMechanism = configuration[KafkaSettingNames.SaslMechanism];
                options.CompiledSecurityProtocol = compiledSecurityProtocol;
                options.CompiledSaslMechanism = compiledSaslMechanism;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaTriggerSettings>, KafkaTriggerSettingsValidator>();
        return services;
    }
}

using EventRouter.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventRouter.Functions.Hosting;

/// <summary>
/// The Kafka-triggered functions of the Functions app. The extension takes the SASL mechanism as an
/// enum in the trigger attribute, fixed at build time, so the app has one function per topic and
/// mechanism, and a deployment runs the pair of its <c>Kafka:SaslMechanism</c> and disables the other
/// four with <c>AzureWebJobs.&lt;function&gt;.Disabled</c> app settings (<see cref="DisabledSettings"/>;
/// infra/modules/functions.bicep and local.settings.sample.json set exactly these).
/// </summary>
public static class KafkaTriggerFunctions
{
    public const string Plain = "Plain";
    public const string ScramSha256 = "ScramSha256";
    public const string ScramSha512 = "ScramSha512";

    public const string NotificationsPlain = "NotificationsPlain";
    public const string NotificationsScramSha256 = "NotificationsScramSha256";
    public const string NotificationsScramSha512 = "NotificationsScramSha512";
    public const string PricesPlain = "PricesPlain";
    public const string PricesScramSha256 = "PricesScramSha256";
    public const string PricesScramSha512 = "PricesScramSha512";

    /// <summary>The SASL mechanisms the provider issues, by the extension's enum names.</summary>
    public static IReadOnlyList<string> Mechanisms { get; } = [Plain, ScramSha256, ScramSha512];

    /// <summary>Every Kafka-triggered function: topic (<c>Notifications</c>, <c>Prices</c>) followed by mechanism.</summary>
    public static IReadOnlyList<string> All { get; } =
        [NotificationsPlain, NotificationsScramSha256, NotificationsScramSha512, PricesPlain, PricesScramSha256, PricesScramSha512];

    /// <summary>The mechanism a function authenticates with: the end of its name.</summary>
    public static string MechanismOf(string functionName) =>
        Mechanisms.Single(mechanism => functionName.EndsWith(mechanism, StringComparison.Ordinal));

    /// <summary>The canonical name of <paramref name="mechanism"/> in any usual spelling (<c>SCRAM-SHA-512</c>, <c>scram_sha_512</c>), or null.</summary>
    public static string? Canonical(string? mechanism) => Mechanisms.FirstOrDefault(m => SameName(m, mechanism));

    /// <summary>The app setting that disables a function, as the Functions host reads it.</summary>
    public static string DisabledSetting(string functionName) => $"AzureWebJobs.{functionName}.Disabled";

    /// <summary>The same setting where environment variable names cannot hold dots (App Service on Linux); the host reads both.</summary>
    public static string DisabledSettingWithUnderscores(string functionName) => $"AzureWebJobs_{functionName}_Disabled";

    /// <summary>
    /// What a deployment sets for <paramref name="mechanism"/>: every function's disable setting,
    /// <c>false</c> for the two of that mechanism and <c>true</c> for the others.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DisabledSettings(string mechanism)
    {
        var canonical = Canonical(mechanism) ?? throw new ArgumentException($"'{mechanism}' is not one of {string.Join(", ", Mechanisms)}.", nameof(mechanism));
        return All.ToDictionary(DisabledSetting, name => MechanismOf(name) == canonical ? "false" : "true", StringComparer.Ordinal);
    }

    /// <summary>Whether the host treats <paramref name="value"/> as "disabled": <c>true</c> in any case, or <c>1</c>.</summary>
    public static bool IsDisabledValue(string? value) =>
        string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase) || value?.Trim() == "1";

    /// <summary>Compares protocol or mechanism names across spellings: <c>ScramSha512</c>, <c>SCRAM-SHA-512</c>, <c>scram_sha_512</c>.</summary>
    public static bool SameName(string? left, string? right) =>
        string.Equals(Normalize(left), Normalize(right), StringComparison.Ordinal);

    private static string Normalize(string? name) =>
        new((name ?? "").Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}

/// <summary>
/// What the Azure Functions Kafka triggers need from configuration, validated at start-up by
/// <see cref="KafkaTriggerSettingsValidator"/>: a missing setting, or disable settings that do not
/// match <c>Kafka:SaslMechanism</c>, stop the app with a message naming the setting, instead of a
/// consumer that cannot authenticate or a topic nobody reads.
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
    /// <summary>The configured <c>Kafka:SaslMechanism</c>: which pair of Kafka functions runs.</summary>
    public string? SaslMechanism { get; set; }
    /// <summary>The protocol compiled into every trigger, e.g. <c>SaslSsl</c>.</summary>
    public string CompiledSecurityProtocol { get; set; } = "";
    /// <summary>Per Kafka function: whether the host will run it (its disable setting is not true).</summary>
    public Dictionary<string, bool> Enabled { get; } = new(StringComparer.Ordinal);

    public override string ToString() =>
        $"Kafka trigger settings (servers {BootstrapServers}, group {ConsumerGroup}, {CompiledSecurityProtocol}/{SaslMechanism})";
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

        // Missing is reported above with the app setting's name; the format by the rule the worker uses too.
        if (!string.IsNullOrWhiteSpace(options.BootstrapServers) && BootstrapServersRule.Check(options.BootstrapServers) is { } badServers)
        {
            failures.Add(badServers);
        }

        if (!string.IsNullOrWhiteSpace(options.SecurityProtocol) && !KafkaTriggerFunctions.SameName(options.SecurityProtocol, options.CompiledSecurityProtocol))
        {
            failures.Add($"{KafkaSettingNames.SecurityProtocol} is '{options.SecurityProtocol}', but the Kafka triggers connect with {options.CompiledSecurityProtocol}; the protocol is fixed when the Functions app is built.");
        }

        var mechanisms = string.Join(", ", KafkaTriggerFunctions.Mechanisms);
        if (string.IsNullOrWhiteSpace(options.SaslMechanism))
        {
            failures.Add($"{KafkaSettingNames.SaslMechanism} (app setting {KafkaSettingNames.ToAppSettingName(KafkaSettingNames.SaslMechanism)}) is not set; it chooses the Kafka functions that run: {mechanisms}.");
        }
        else if (KafkaTriggerFunctions.Canonical(options.SaslMechanism) is not { } mechanism)
        {
            failures.Add($"{KafkaSettingNames.SaslMechanism} is '{options.SaslMechanism}'; expected one of {mechanisms}.");
        }
        else
        {
            foreach (var (function, enabled) in options.Enabled)
            {
                var shouldRun = KafkaTriggerFunctions.MechanismOf(function) == mechanism;
                if (enabled == shouldRun) continue;
                var setting = KafkaTriggerFunctions.DisabledSetting(function);
                failures.Add(shouldRun
                    ? $"{setting} is true, but {KafkaSettingNames.SaslMechanism} is {mechanism}: {function} is the function that consumes its topic with {mechanism}. Set {setting} to false."
                    : $"{setting} is not true, but {KafkaSettingNames.SaslMechanism} is {mechanism}: {function} would connect with {KafkaTriggerFunctions.MechanismOf(function)} and fail. Set {setting} to true (infra/modules/functions.bicep derives every such setting from the mechanism).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Registers the start-up check of the Kafka trigger settings.</summary>
public static class KafkaTriggerSettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="KafkaTriggerSettings"/> from the shared <c>Kafka:*</c> keys and the disable
    /// settings of <paramref name="functions"/> (the Kafka functions this build has), and validates it
    /// on start. <paramref name="compiledSecurityProtocol"/> is the protocol compiled into the trigger
    /// attributes (its enum name, e.g. <c>SaslSsl</c>).
    /// </summary>
    public static IServiceCollection AddKafkaTriggerSettingsCheck(this IServiceCollection services, IConfiguration configuration,
        string compiledSecurityProtocol, IReadOnlyList<string> functions)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(compiledSecurityProtocol);
        ArgumentNullException.ThrowIfNull(functions);
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
                foreach (var function in functions)
                {
                    // Like the host: disabled when either spelling of the setting says so.
                    options.Enabled[function] =
                        !KafkaTriggerFunctions.IsDisabledValue(configuration[KafkaTriggerFunctions.DisabledSetting(function)]) &&
                        !KafkaTriggerFunctions.IsDisabledValue(configuration[KafkaTriggerFunctions.DisabledSettingWithUnderscores(function)]);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaTriggerSettings>, KafkaTriggerSettingsValidator>();
        return services;
    }
}

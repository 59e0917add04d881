using EventRouter.Configuration;
using EventRouter.Delivery;
using EventRouter.Kafka;
using EventRouter.Processing;
using EventRouter.Routing;
using EventRouter.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventRouter.Cli.Hosting;

/// <summary>
/// Warns at start-up about each key under the options sections that no option binds (a typo the
/// binder would ignore silently), with the closest known key. Keys only, never values.
/// </summary>
internal sealed partial class UnknownSettingsReporter(IConfiguration configuration, ILogger<UnknownSettingsReporter> logger) : IHostedService
{
    /// <summary>The sections whose keys are checked, and the options type each binds to.</summary>
    public static readonly IReadOnlyList<(string Section, Type OptionsType)> Sections =
    [
        (KafkaOptions.SectionName, typeof(KafkaOptions)),
        (RoutingOptions.SectionName, typeof(RoutingOptions)),
        (DeliveryOptions.SectionName, typeof(DeliveryOptions)),
        (ProcessingOptions.SectionName, typeof(ProcessingOptions)),
        (EventFieldsOptions.SectionName, typeof(EventFieldsOptions)),
        (PriceConflationOptions.SectionName, typeof(PriceConflationOptions)),
        (Health.HealthOptions.SectionName, typeof(Health.HealthOptions)),
    ];

    public static IReadOnlyList<UnknownSetting> Find(IConfiguration configuration) => UnknownSettings.Find(configuration, Sections);

    /// <summary>One line: <c>Kafka:SessionTimeoutMs (did you mean Kafka:Consumer:session.timeout.ms?)</c>.</summary>
    public static string Describe(UnknownSetting setting) =>
        setting.Suggestion is { } suggestion ? $"{setting.Key} (did you mean {suggestion}?)" : setting.Key;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var setting in Find(configuration))
        {
            if (setting.Suggestion is { } suggestion) Log.UnknownSettingWithSuggestion(logger, setting.Key, suggestion);
            else Log.UnknownSetting(logger, setting.Key);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Warning, "Setting {Key} is not a known setting and is ignored; did you mean {Suggestion}?", EventName = "UnknownSetting")]
        public static partial void UnknownSettingWithSuggestion(ILogger logger, string key, string suggestion);

        [LoggerMessage(9002, LogLevel.Warning, "Setting {Key} is not a known setting and is ignored", EventName = "UnknownSettingNoSuggestion")]
        public static partial void UnknownSetting(ILogger logger, string key);
    }
}

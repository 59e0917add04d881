using EventRouter.Routing;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>
/// Start-up checks of <see cref="RoutingOptions"/>: every queue a route can reach is a valid Azure
/// queue name whose <c>-poison</c> twin still fits. Each failure names the setting.
/// </summary>
public sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var failures = new List<string>();

        void CheckQueue(string setting, string? queue, int maxLength = QueueNameRules.MaxRoutedQueueNameLength)
        {
            if (QueueNameRules.Validate(queue, maxLength) is { } problem)
            {
                failures.Add($"{setting}: queue name {problem}.");
            }
        }

        CheckQueue($"{RoutingOptions.SectionName}:PricesQueue", options.PricesQueue);
        CheckQueue($"{RoutingOptions.SectionName}:UnroutedQueue", options.UnroutedQueue);
        CheckQueue($"{RoutingOptions.SectionName}:PoisonQueue", options.PoisonQueue, 63);

        foreach (var category in options.EffectiveCategories)
        {
            if (string.IsNullOrWhiteSpace(category) || category.Contains('.') || category.Contains('*'))
            {
                failures.Add($"{RoutingOptions.SectionName}:KnownCategories: '{category}' is not a category (expected e.g. ORDER, no dots or wildcards).");
                continue;
            }
            CheckQueue($"{RoutingOptions.SectionName}:KnownCategories ({category})", RoutingDefaults.CategoryQueueName(category, options.CategoryQueuePrefix));
        }

        foreach (var (pattern, queue) in options.Overrides)
        {
            var setting = $"{RoutingOptions.SectionName}:Overrides:{pattern}";
            var star = pattern.IndexOf('*');
            var isCategoryPattern = pattern.EndsWith(".*", StringComparison.Ordinal) && pattern.Length > 2 && star == pattern.Length - 1;
            if (string.IsNullOrWhiteSpace(pattern) || (star >= 0 && !isCategoryPattern))
            {
                failures.Add($"{setting}: a route key is an exact type (ORDER.FILLED) or a category pattern (ORDER.*).");
                continue;
            }
            CheckQueue(setting, queue);
        }

        foreach (var (setting, topic) in new[] { ("Kafka:Topics:Notifications", options.NotificationsTopic), ("Kafka:Topics:Prices", options.PricesTopic) })
        {
            if (!string.IsNullOrEmpty(topic) && !IsValidTopic(topic))
            {
                failures.Add($"{setting}: '{topic}' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249).");
            }
        }
        if (!string.IsNullOrEmpty(options.PricesTopic) && options.PricesTopic == options.NotificationsTopic)
        {
            failures.Add("Kafka:Topics:Prices must differ from Kafka:Topics:Notifications.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsValidTopic(string topic) =>
        topic.Length <= 249 && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}

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

        // The prefix is checked on its own: when it is bad, every category queue is, and the
        // failure belongs to the prefix setting, not to each category.
        var prefix = options.CategoryQueuePrefix ?? "";
        var prefixSetting = $"{RoutingOptions.SectionName}:CategoryQueuePrefix";
        var prefixProblem = CategoryQueuePrefixProblem(prefix);
        if (prefixProblem is not null)
        {
            failures.Add($"{prefixSetting}: '{prefix}' {prefixProblem} (category queues are named <prefix><category>).");
        }

        var checkedCategories = new HashSet<string>(StringComparer.Ordinal);
        var categories = (options.KnownCategories ?? RoutingDefaults.KnownCategories).Select(c => (Setting: "KnownCategories", Category: c))
            .Concat(options.AdditionalCategories.Select(c => (Setting: "AdditionalCategories", Category: c)));
        foreach (var (list, category) in categories)
        {
            var setting = $"{RoutingOptions.SectionName}:{list}";
            if (!checkedCategories.Add(category ?? "")) continue;
            if (string.IsNullOrWhiteSpace(category) || category.Contains('.') || category.Contains('*'))
            {
                failures.Add($"{setting}: '{category}' is not a category (expected e.g. ORDER, no dots or wildcards).");
                continue;
            }
            if (prefixProblem is null)
            {
                CheckQueue($"{setting} ({category})", RoutingDefaults.CategoryQueueName(category, prefix));
            }
        }

        var seen = new Dictionary<string, (string Setting, string Queue)>(StringComparer.Ordinal);
        foreach (var (setting, pattern, queue) in options.EffectiveOverrides)
        {
            if (seen.TryGetValue(pattern, out var earlier) && earlier.Queue != queue)
            {
                failures.Add($"{setting}: '{pattern}' is already routed to '{earlier.Queue}' by {earlier.Setting}.");
            }
            seen[pattern] = (setting, queue);
            var star = pattern.IndexOf('*');
            var isCategoryPattern = pattern.EndsWith(".*", StringComparison.Ordinal) && pattern.Length > 2 && star == pattern.Length - 1;
            if (string.IsNullOrWhiteSpace(pattern) || (star >= 0 && !isCategoryPattern))
            {
                failures.Add($"{setting}: a route key is an exact type (ORDER.FILLED) or a category pattern (ORDER.*).");
                continue;
            }
            CheckQueue(setting, queue);
        }

        foreach (var (setting, topic) in new[] { (KafkaSettingNames.NotificationsTopic, options.NotificationsTopic), (KafkaSettingNames.PricesTopic, options.PricesTopic) })
        {
            if (!string.IsNullOrEmpty(topic) && !IsValidTopic(topic))
            {
                failures.Add($"{setting}: '{topic}' is not a Kafka topic name (letters, digits, '.', '_', '-'; at most 249).");
            }
        }
        if (!string.IsNullOrEmpty(options.PricesTopic) && options.PricesTopic == options.NotificationsTopic)
        {
            failures.Add($"{KafkaSettingNames.PricesTopic} must differ from {KafkaSettingNames.NotificationsTopic}.");
        }

        // Routed events must never mix with poison: no route may target the poison queue or a -poison twin.
        var routed = new List<(string Setting, string Queue)>
        {
            ($"{RoutingOptions.SectionName}:PricesQueue", options.PricesQueue),
            ($"{RoutingOptions.SectionName}:UnroutedQueue", options.UnroutedQueue),
        };
        routed.AddRange(options.EffectiveOverrides.Select(o => (o.Setting, o.Queue)));
        foreach (var (setting, queue) in routed)
        {
            if (string.Equals(queue, options.PoisonQueue, StringComparison.Ordinal))
                failures.Add($"{setting}: '{queue}' is the poison queue ({RoutingOptions.SectionName}:PoisonQueue); routed events must not go there.");
            else if (queue?.EndsWith(RoutingDefaults.PoisonQueueSuffix, StringComparison.Ordinal) == true)
                failures.Add($"{setting}: '{queue}' ends with '{RoutingDefaults.PoisonQueueSuffix}', which is reserved for the queue stage's poison twins.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Why <paramref name="prefix"/> cannot begin a queue name, or null. It may end with a hyphen; length is checked per category.</summary>
    private static string? CategoryQueuePrefixProblem(string prefix)
    {
        if (!prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return "may contain only lowercase letters, digits and hyphens";
        if (prefix.StartsWith('-')) return "must start with a letter or digit";
        if (prefix.Contains("--", StringComparison.Ordinal)) return "must not contain consecutive hyphens";
        return null;
    }

    private static bool IsValidTopic(string topic) =>
        topic.Length <= 249 && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}

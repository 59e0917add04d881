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

        if (failures.Count == 0)
        {
            // The shards are checked against the routes the rest of the section defines, so only
            // once that is valid (a route table cannot be built from a bad category list).
            CheckShards(options, failures);
        }
        CheckShardConnections(options, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// <c>Routing:Shards</c>: each entry names a queue some route writes to, once, with a count from 1
    /// to <see cref="ShardSelector.MaxShards"/>; its shard queues are valid names that no other route uses.
    /// </summary>
    /// <remarks>
    /// Why 64: a route's events come from one topic of 6 partitions, and 64 queues take 128,000
    /// messages/s by Azure's per-queue target (about 2,000/s), six times one account's 20,000/s and
    /// far past what one topic delivers (docs/performance.md, capacity table). More shards buy
    /// nothing but empty queues that every worker polls and the Functions app triggers on.
    /// </remarks>
    private static void CheckShards(RoutingOptions options, List<string> failures)
    {
        var routes = new RouteTable(options).Routes.ToHashSet(StringComparer.Ordinal);
        var sharded = new Dictionary<string, string>(StringComparer.Ordinal);
        var shardQueues = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Shards.Count; i++)
        {
            var setting = $"{RoutingOptions.SectionName}:Shards:{i}";
            var (queue, count) = (options.Shards[i].Queue, options.Shards[i].Count ?? 1);
            if (string.IsNullOrWhiteSpace(queue))
            {
                failures.Add($"{setting}:Queue is not set (the queue a route writes to, e.g. prices).");
                continue;
            }
            if (!routes.Contains(queue))
            {
                failures.Add($"{setting}:Queue: '{queue}' is not a queue any route writes to (the prices queue, the unrouted queue, a category's or an override's queue; not the poison queue).");
                continue;
            }
            if (!sharded.TryAdd(queue, setting))
            {
                failures.Add($"{setting}:Queue: '{queue}' is already sharded by {sharded[queue]}.");
                continue;
            }
            if (count is < 1 or > ShardSelector.MaxShards)
            {
                failures.Add($"{setting}:Count: {count} is not between 1 and {ShardSelector.MaxShards} (64 queues take 128,000 messages/s at Azure's 2,000 per queue, more than a 6-partition topic delivers; more are only empty queues to poll).");
                continue;
            }
            for (var shard = 0; shard < count && count > 1; shard++)
            {
                var name = RoutingDefaults.ShardQueueName(queue, shard);
                if (QueueNameRules.Validate(name, QueueNameRules.MaxRoutedQueueNameLength) is { } problem)
                {
                    failures.Add($"{setting}: shard queue name {problem}.");
                    break;
                }
                if (routes.Contains(name) || !shardQueues.TryAdd(name, setting))
                {
                    failures.Add($"{setting}: shard queue '{name}' is already a queue of {(shardQueues.TryGetValue(name, out var other) ? other : "another route")}.");
                    break;
                }
            }
        }
    }

    /// <summary><c>Routing:ShardConnections</c>: names of connections, each once (whether each is configured is <see cref="ShardConnectionsValidator"/>'s check).</summary>
    private static void CheckShardConnections(RoutingOptions options, List<string> failures)
    {
        var connections = options.ShardConnections ?? [];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < connections.Count; i++)
        {
            var setting = $"{RoutingOptions.SectionName}:ShardConnections:{i}";
            if (!IsConnectionName(connections[i]))
            {
                failures.Add($"{setting}: '{connections[i]}' is not a connection name (letters, digits and '_', like EventStorage).");
            }
            else if (!seen.Add(connections[i]))
            {
                failures.Add($"{setting}: '{connections[i]}' is listed twice (each shard connection once; shards spread over the list in order).");
            }
        }
    }

    /// <summary>A connection name as an app setting can hold it: letters, digits, '_' (no ':' or '.', which would nest it).</summary>
    internal static bool IsConnectionName(string? name) =>
        !string.IsNullOrEmpty(name) && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

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

using EventRouter.Validation;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>
/// Start-up checks of <see cref="EventFieldsOptions"/>: every name is usable as a field name, and
/// the four names in effect on each topic differ (one field cannot be both the id and the type).
/// Each failure names the setting.
/// </summary>
public sealed class EventFieldsOptionsValidator : IValidateOptions<EventFieldsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventFieldsOptions options)
    {
        var failures = new List<string>();
        var invalid = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (setting, fieldName) in Configured(options))
        {
            if (EventFieldNames.Problem(fieldName) is { } problem)
            {
                failures.Add($"{setting}: the field name {problem}.");
                invalid.Add(setting);
            }
        }

        CheckDistinct(options.Effective(), failures, invalid, reportAllTopicsPairs: true);
        foreach (var topicSection in options.OverriddenTopicSections())
        {
            // Pairs of two all-topics settings were reported above; here only those an override takes part in.
            CheckDistinct(options.Effective(topicSection), failures, invalid, reportAllTopicsPairs: false);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every name a setting gives: the four all-topics names and each per-topic override that is set.</summary>
    private static IEnumerable<(string Setting, string? Name)> Configured(EventFieldsOptions options)
    {
        foreach (var field in options.Effective()) yield return (field.Setting, field.Name);
        foreach (var (section, overrides) in new[] { (nameof(options.Notifications), options.Notifications), (nameof(options.Prices), options.Prices) })
        {
            var prefix = $"{EventFieldsOptions.SectionName}:{section}";
            if (overrides.Id is not null) yield return ($"{prefix}:{nameof(overrides.Id)}", overrides.Id);
            if (overrides.Type is not null) yield return ($"{prefix}:{nameof(overrides.Type)}", overrides.Type);
            if (overrides.CreatedAt is not null) yield return ($"{prefix}:{nameof(overrides.CreatedAt)}", overrides.CreatedAt);
            if (overrides.Object is not null) yield return ($"{prefix}:{nameof(overrides.Object)}", overrides.Object);
        }
    }

    private static void CheckDistinct(EventFieldsOptions.EffectiveField[] fields, List<string> failures, HashSet<string> invalid, bool reportAllTopicsPairs)
    {
        var allTopicsPrefix = EventFieldsOptions.SectionName + ":";
        bool IsAllTopics(string setting) => setting.IndexOf(':', allTopicsPrefix.Length) < 0;

        for (var i = 0; i < fields.Length; i++)
        {
            for (var j = i + 1; j < fields.Length; j++)
            {
                var (first, second) = (fields[i], fields[j]);
                if (invalid.Contains(first.Setting) || invalid.Contains(second.Setting)) continue;
                if (!string.Equals(first.Name, second.Name, StringComparison.Ordinal)) continue;
                if (!reportAllTopicsPairs && IsAllTopics(first.Setting) && IsAllTopics(second.Setting)) continue;
                // Blame the per-topic override when one takes part: it is the setting that clashes.
                if (IsAllTopics(second.Setting) && !IsAllTopics(first.Setting)) (first, second) = (second, first);
                failures.Add($"{second.Setting}: field '{second.Name}' is already the field of {first.Setting}; id, type, created_at and object each need their own field.");
            }
        }
    }
}

using System.Collections;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace EventRouter.Configuration;

/// <summary>A setting no option binds, and the known key it most likely meant (null when none is close).</summary>
public sealed record UnknownSetting(string Key, string? Suggestion);

/// <summary>
/// Finds keys under the options sections that no option binds, such as <c>Kafka:SessionTimeoutMs</c>,
/// which the configuration binder ignores silently. Keys only: values are never read, so a secret
/// under a misspelt key cannot leak into the report. The known keys come from the options types
/// themselves (public settable properties), so a new option is known without a list to maintain.
/// </summary>
public static class UnknownSettings
{
    /// <summary>Every unknown key under <paramref name="sections"/> (section name → options type), in configuration order.</summary>
    public static IReadOnlyList<UnknownSetting> Find(IConfiguration configuration, IEnumerable<(string Section, Type OptionsType)> sections)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sections);
        var found = new List<UnknownSetting>();
        foreach (var (section, type) in sections)
        {
            var shape = Shape.Of(type);
            var known = KnownKeys(section, shape).ToList();
            foreach (var key in Unknown(configuration.GetSection(section), shape))
            {
                found.Add(new UnknownSetting(key, Suggest(key, known, section)));
            }
        }
        return found;
    }

    /// <summary>The known key closest to <paramref name="key"/>, or null when none is close (edit distance, case-insensitive).</summary>
    public static string? Closest(string key, IEnumerable<string> knownKeys)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(knownKeys);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in knownKeys)
        {
            var distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        // Close means: a few letters, at most a third of the last segment (the part people mistype), differ.
        var lastSegment = key[(key.LastIndexOf(':') + 1)..];
        return best is not null && bestDistance <= Math.Max(3, lastSegment.Length / 3) ? best : null;
    }

    /// <summary><c>SessionTimeoutMs</c> → <c>session.timeout.ms</c>: how a librdkafka key looks when written as an option name.</summary>
    public static string ToLibrdkafkaKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '_' or '-') { text.Append('.'); continue; }
            if (char.IsUpper(c) && i > 0 && text.Length > 0 && text[^1] != '.') text.Append('.');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    private static string? Suggest(string key, IReadOnlyList<string> known, string section)
    {
        if (Closest(key, known) is { } closest) return closest;
        // Kafka:SessionTimeoutMs: a librdkafka property written as an option; the pass-through takes it.
        var relative = key[(section.Length + 1)..];
        return section == KafkaSettingNames.Section && !relative.Contains(':') ? $"{KafkaSettingNames.Consumer}:{ToLibrdkafkaKey(relative)}" : null;
    }

    private static IEnumerable<string> Unknown(IConfigurationSection section, Shape shape)
    {
        foreach (var child in section.GetChildren())
        {
            switch (shape.Kind)
            {
                case ShapeKind.Open:
                    yield break;
                case ShapeKind.List:
                    if (!int.TryParse(child.Key, out _)) { yield return child.Path; continue; }
                    foreach (var key in Unknown(child, shape.Element!)) yield return key;
                    continue;
                case ShapeKind.Object:
                    if (!shape.Properties!.TryGetValue(child.Key, out var property)) { yield return child.Path; continue; }
                    foreach (var key in Unknown(child, property)) yield return key;
                    continue;
                default:
                    // A value with children (Kafka:BootstrapServers:0): nothing binds those.
                    yield return child.Path;
                    continue;
            }
        }
    }

    private static IEnumerable<string> KnownKeys(string prefix, Shape shape)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Object:
                foreach (var (name, property) in shape.Properties!)
                {
                    var path = $"{prefix}:{name}";
                    if (property.Kind is ShapeKind.Value or ShapeKind.Open or ShapeKind.List) yield return path;
                    foreach (var key in KnownKeys(path, property)) yield return key;
                }
                break;
            case ShapeKind.List when shape.Element!.Kind == ShapeKind.Object:
                foreach (var key in KnownKeys($"{prefix}:0", shape.Element)) yield return key;
                break;
        }
    }

    private enum ShapeKind { Value, Object, List, Open }

    /// <summary>What the configuration binder accepts under a key of a given type.</summary>
    private sealed record Shape(ShapeKind Kind, IReadOnlyDictionary<string, Shape>? Properties = null, Shape? Element = null)
    {
        public static Shape Of(Type type, int depth = 0)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (depth > 8 || IsValue(type)) return new(ShapeKind.Value);
            if (type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d
                    && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))))
                return new(ShapeKind.Open);
            if (type.IsArray) return new(ShapeKind.List, Element: Of(type.GetElementType()!, depth + 1));
            if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
                return new(ShapeKind.List, Element: Of(type.GetGenericArguments()[0], depth + 1));
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0 && (p.SetMethod?.IsPublic == true || !IsValue(p.PropertyType)))
                .ToDictionary(p => p.Name, p => Of(p.PropertyType, depth + 1), StringComparer.OrdinalIgnoreCase);
            return new(ShapeKind.Object, properties);
        }

        private static bool IsValue(Type type) =>
            type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

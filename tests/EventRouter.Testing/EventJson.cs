using System.Text;
using EventRouter.Validation;

namespace EventRouter.Testing;

/// <summary>
/// Builds provider events for tests. Each member argument is a raw JSON fragment (so tests can put
/// a number, an array or an escaped string in a field); <c>null</c> leaves the member out.
/// </summary>
internal static class EventJson
{
    public const string Id = "5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11";
    public const string CreatedAt = "2024-05-01T12:34:56Z";
    public const string EventType = "USER.CREATED";
    public const string ObjectJson = """{"user_id":"u-1","name":"Ada"}""";

    /// <summary>A JSON string literal for <paramref name="text"/> (no escaping: test text is plain ASCII).</summary>
    public static string Quote(string text) => "\"" + text + "\"";

    public static string Build(
        string? id = "\"" + Id + "\"",
        string? createdAt = "\"" + CreatedAt + "\"",
        string? type = "\"" + EventType + "\"",
        string? obj = ObjectJson)
        => Build(EventFieldNames.Default, id, createdAt, type, obj);

    /// <summary>The same event with the field names of <paramref name="fields"/> (a stream of another shape).</summary>
    public static string Build(
        EventFieldNames fields,
        string? id = "\"" + Id + "\"",
        string? createdAt = "\"" + CreatedAt + "\"",
        string? type = "\"" + EventType + "\"",
        string? obj = ObjectJson)
    {
        var members = new List<string>();
        if (id is not null) members.Add(Quote(fields.Id) + ":" + id);
        if (createdAt is not null) members.Add(Quote(fields.CreatedAt) + ":" + createdAt);
        if (type is not null) members.Add(Quote(fields.Type) + ":" + type);
        if (obj is not null) members.Add(Quote(fields.Object) + ":" + obj);
        return "{" + string.Join(",", members) + "}";
    }

    /// <summary>The field names of a stream shaped <c>{"event_id", "event_type", "timestamp", "data"}</c>.</summary>
    public static readonly EventFieldNames StreamFields = new("event_id", "event_type", "timestamp", "data");

    /// <summary>A valid event of <paramref name="type"/> with <paramref name="id"/>, as UTF-8.</summary>
    public static byte[] Valid(string type = EventType, Guid? id = null, string obj = ObjectJson)
        => Encoding.UTF8.GetBytes(Build(id: Quote((id ?? Guid.Parse(Id)).ToString()), type: Quote(type), obj: obj));

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    /// <summary>Adds <paramref name="member"/> (<c>"name":value</c>) as the last member of the JSON object <paramref name="json"/>.</summary>
    public static string WithMember(string json, string member) => json[..^1] + "," + member + "}";

    /// <summary>Every character of <paramref name="text"/> as a <c>\uXXXX</c> escape.</summary>
    public static string EscapeAll(string text) => string.Concat(text.Select(c => $"\\u{(int)c:x4}"));
}

using System.Text.Json;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// The sandbox's settings as a JSON file for <c>eventrouter check/poison/replay/stats --settings</c>:
/// the broker, topics, group and storage connection of the running sandbox. Written readable by its
/// owner only (it holds a connection string), and deleted when the sandbox stops.
/// </summary>
internal sealed class SandboxSettingsFile : IDisposable
{
    private SandboxSettingsFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Writes <paramref name="settings"/> (flat <c>Section:Key</c> names) as nested JSON in a new private folder.</summary>
    public static SandboxSettingsFile Write(IReadOnlyDictionary<string, string> settings, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        directory ??= Directory.CreateTempSubdirectory("eventrouter-dev-").FullName; // created 0700
        var path = System.IO.Path.Combine(directory, "sandbox.settings.json");
        using (var stream = PrivateFile.Create(path))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            WriteNested(writer, settings);
        }
        return new SandboxSettingsFile(path);
    }

    /// <summary><c>Kafka:Topics:Prices</c> becomes <c>{"Kafka": {"Topics": {"Prices": …}}}</c>; a value that reads as a boolean is written as one.</summary>
    internal static void WriteNested(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> settings)
    {
        var root = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            var node = root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child)) node[parts[i]] = child = new SortedDictionary<string, object>(StringComparer.Ordinal);
                node = (SortedDictionary<string, object>)child;
            }
            node[parts[^1]] = value;
        }
        Write(root);

        void Write(SortedDictionary<string, object> node)
        {
            writer.WriteStartObject();
            foreach (var (name, value) in node)
            {
                writer.WritePropertyName(name);
                switch (value)
                {
                    case SortedDictionary<string, object> child: Write(child); break;
                    case string text when bool.TryParse(text, out var flag): writer.WriteBooleanValue(flag); break;
                    case string text: writer.WriteStringValue(text); break;
                }
            }
            writer.WriteEndObject();
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (directory is not null && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
        }
        catch (IOException)
        {
            // Best effort: a file that cannot be deleted stays user-only in the temporary folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

using YamlDotNet.RepresentationModel;

namespace EventRouter.Infrastructure.Tests;

/// <summary>deploy/k8s/*.yaml parsed with YamlDotNet: every document of every file, by kind and name.</summary>
internal sealed class KubernetesManifests
{
    public const string Folder = "deploy/k8s";

    private KubernetesManifests(IReadOnlyList<(string File, YamlMappingNode Document)> documents) => Documents = documents;

    public IReadOnlyList<(string File, YamlMappingNode Document)> Documents { get; }

    public static KubernetesManifests Load()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var path in Directory.GetFiles(RepositoryTools.PathOf(Folder), "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StringReader(File.ReadAllText(path)))
            {
                stream.Load(reader);
            }

            foreach (var document in stream.Documents)
            {
                documents.Add((Path.GetFileName(path), (YamlMappingNode)document.RootNode));
            }
        }

        return new KubernetesManifests(documents);
    }

    /// <summary>The one object of <paramref name="kind"/> (and <paramref name="name"/>, when given).</summary>
    public YamlMappingNode Single(string kind, string? name = null)
    {
        var matches = Documents.Where(d => Yaml.Text(d.Document, "kind") == kind && (name is null || Yaml.Text(d.Document, "metadata", "name") == name)).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind}{(name is null ? "" : " " + name)} in {Folder}, found {matches.Count}");
        return matches[0].Document;
    }
}

/// <summary>Small readers over YamlDotNet's representation model, failing with the path that is missing.</summary>
internal static class Yaml
{
    public static YamlNode? Find(YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static YamlNode Get(YamlNode node, params string[] path)
        => Find(node, path) ?? throw new Xunit.Sdk.XunitException($"no {string.Join('.', path)}");

    public static string? Text(YamlNode node, params string[] path) => (Find(node, path) as YamlScalarNode)?.Value;

    public static string RequiredText(YamlNode node, params string[] path)
        => Text(node, path) ?? throw new Xunit.Sdk.XunitException($"no scalar at {string.Join('.', path)}");

    public static IReadOnlyList<YamlMappingNode> Items(YamlNode node, params string[] path)
        => Find(node, path) is YamlSequenceNode sequence ? [.. sequence.Children.Cast<YamlMappingNode>()] : [];

    public static IReadOnlyDictionary<string, string> Map(YamlNode node, params string[] path)
        => Find(node, path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();
}

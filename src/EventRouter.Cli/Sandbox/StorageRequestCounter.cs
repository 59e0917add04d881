using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// Counts the sandbox's Azure Storage requests by what they do (queue write, receive, delete,
/// archive blob, idempotency marker, ...), as an <see cref="HttpPipelinePolicy"/> on its storage
/// clients: what each event costs Azurite, whose single node.js thread bounds the sandbox.
/// Retries count once each (the policy sits per retry), so a struggling emulator shows.
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    public long Total => _counts.Values.Sum();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = Classify(message.Request.Method.Method, message.Request.Uri.Path, message.Request.Uri.Query);
        _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    /// <summary>
    /// What a request is, from its method and path (<c>/&lt;account&gt;/&lt;queue or container&gt;/...</c>,
    /// the emulator's path-style addressing) and query.
    /// </summary>
    internal static string Classify(string method, string path, string query)
    {
        var segments = path.Trim('/').Split('/', 3);
        var resource = segments.Length > 1 ? segments[1] : "";
        var rest = segments.Length > 2 ? segments[2] : "";
        var isMessages = rest.StartsWith("messages", StringComparison.Ordinal);
        var restype = query.Contains("restype=container", StringComparison.Ordinal) || (!isMessages && rest.Length == 0);
        return (method, resource) switch
        {
            ("POST", _) when isMessages => "queue: write",
            ("GET", _) when isMessages => "queue: receive",
            ("DELETE", _) when isMessages => "queue: delete",
            ("PUT", _) when isMessages => "queue: update",
            (_, "event-archive") when !restype => "blob: archive",
            (_, "event-idempotency") when !restype => method switch
            {
                "PUT" when query.Contains("comp=metadata", StringComparison.Ordinal) => "blob: idempotency complete",
                "PUT" => "blob: idempotency claim",
                "HEAD" => "blob: idempotency read",
                "DELETE" => "blob: idempotency release",
                _ => "blob: idempotency other",
            },
            (_, "event-payloads") when !restype => "blob: payload",
            _ when restype => "create queue or container",
            _ => "other",
        };
    }
}

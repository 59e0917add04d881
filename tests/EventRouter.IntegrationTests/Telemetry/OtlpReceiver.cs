using System.Collections.Concurrent;
using System.Net;
using EventRouter.Cli.Sandbox;
using Google.Protobuf;

namespace EventRouter.IntegrationTests.Telemetry;

/// <summary>A span as an OTLP receiver sees it (ids in lowercase hex).</summary>
internal sealed record OtlpSpan(string Scope, string Name, string TraceId, string SpanId, string ParentSpanId, int Kind, int StatusCode,
    IReadOnlyList<(string TraceId, string SpanId)> Links);

/// <summary>A metric as an OTLP receiver sees it: its scope (the Meter), name, unit and data kind.</summary>
internal sealed record OtlpMetric(string Scope, string Name, string Unit, string Kind);

/// <summary>
/// A stand-in for an OpenTelemetry Collector: an OTLP/HTTP receiver (protobuf, <c>/v1/metrics</c>,
/// <c>/v1/traces</c>, <c>/v1/logs</c>) on a free loopback port. It reads the wire format by field
/// number with Google.Protobuf's <see cref="CodedInputStream"/>, following the messages of
/// opentelemetry-proto (<c>collector/*/v1</c>, <c>metrics/v1</c>, <c>trace/v1</c>, <c>logs/v1</c>),
/// and keeps only what the tests check.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        var port = AzuriteProcess.FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to.</summary>
    public string Endpoint { get; }

    public ConcurrentQueue<OtlpMetric> Metrics { get; } = new();
    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();
    /// <summary>The resource attributes of the span exports (string, bool and int values as text).</summary>
    public ConcurrentDictionary<string, string> SpanResource { get; } = new();
    /// <summary>Log records: scope (the logger's category) and severity text.</summary>
    public ConcurrentQueue<(string Category, int Severity)> Logs { get; } = new();
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var path = context.Request.Url!.AbsolutePath;
            Requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            try
            {
                switch (path)
                {
                    case "/v1/metrics": ReadMetrics(body.ToArray()); break;
                    case "/v1/traces": ReadTraces(body.ToArray()); break;
                    case "/v1/logs": ReadLogs(body.ToArray()); break;
                }
                // An empty Export*ServiceResponse: everything accepted.
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (InvalidProtocolBufferException)
            {
                context.Response.StatusCode = 400;
            }
            context.Response.Close();
        }
    }

    // ExportMetricsServiceRequest: 1 resource_metrics. ResourceMetrics: 2 scope_metrics.
    // ScopeMetrics: 1 scope (InstrumentationScope: 1 name), 2 metrics.
    // Metric: 1 name, 3 unit, 5 gauge, 7 sum, 9 histogram, 10 exponential_histogram, 11 summary.
    private void ReadMetrics(byte[] request)
    {
        foreach (var resource in Messages(request, 1))
        foreach (var scopeMetrics in Messages(resource, 2))
        {
            var scope = ScopeName(scopeMetrics);
            foreach (var metric in Messages(scopeMetrics, 2))
            {
                var fields = Fields(metric);
                var kind = fields.Select(f => f.Number switch { 5 => "gauge", 7 => "sum", 9 => "histogram", 10 => "exponential_histogram", 11 => "summary", _ => null })
                    .FirstOrDefault(k => k is not null) ?? "none";
                Metrics.Enqueue(new OtlpMetric(scope, Text(fields, 1), Text(fields, 3), kind));
            }
        }
    }

    // ExportTraceServiceRequest: 1 resource_spans. ResourceSpans: 1 resource, 2 scope_spans. ScopeSpans: 1 scope, 2 spans.
    // Resource: 1 attributes (KeyValue: 1 key, 2 value; AnyValue: 1 string_value, 2 bool_value, 3 int_value).
    // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 13 links (Link: 1 trace_id, 2 span_id), 15 status (Status: 3 code).
    private void ReadTraces(byte[] request)
    {
        foreach (var resource in Messages(request, 1))
        {
            foreach (var attribute in Messages(resource, 1).SelectMany(r => Messages(r, 1)))
            {
                var keyValue = Fields(attribute);
                var value = keyValue.FirstOrDefault(f => f.Number == 2).Bytes is { } v ? Fields(v) : [];
                SpanResource[Text(keyValue, 1)] = value.FirstOrDefault().Number switch
                {
                    1 => Text(value, 1),
                    2 => (Varint(value, 2) != 0).ToString(),
                    3 => ((long)Varint(value, 3)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => "",
                };
            }
            foreach (var scopeSpans in Messages(resource, 2))
            {
                var scope = ScopeName(scopeSpans);
                foreach (var span in Messages(scopeSpans, 2))
                {
                    var fields = Fields(span);
                    var links = fields.Where(f => f.Number == 13).Select(f => Fields(f.Bytes!)).Select(l => (Hex(l, 1), Hex(l, 2))).ToList();
                    var status = fields.FirstOrDefault(f => f.Number == 15).Bytes is { } s ? (int)Varint(Fields(s), 3) : 0;
                    Spans.Enqueue(new OtlpSpan(scope, Text(fields, 5), Hex(fields, 1), Hex(fields, 2), Hex(fields, 4), (int)Varint(fields, 6), status, links));
                }
            }
        }
    }

    // ExportLogsServiceRequest: 1 resource_logs. ResourceLogs: 2 scope_logs. ScopeLogs: 1 scope, 2 log_records (LogRecord: 2 severity_number).
    private void ReadLogs(byte[] request)
    {
        foreach (var resource in Messages(request, 1))
        foreach (var scopeLogs in Messages(resource, 2))
        {
            var scope = ScopeName(scopeLogs);
            foreach (var record in Messages(scopeLogs, 2))
            {
                Logs.Enqueue((scope, (int)Varint(Fields(record), 2)));
            }
        }
    }

    private static string ScopeName(byte[] scoped) => Messages(scoped, 1).Select(s => Text(Fields(s), 1)).FirstOrDefault() ?? "";

    private static IEnumerable<byte[]> Messages(byte[] message, int field) =>
        Fields(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => f.Bytes!);

    private static string Text(IReadOnlyList<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number).Bytes is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";

    private static string Hex(IReadOnlyList<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number).Bytes is { } bytes ? Convert.ToHexStringLower(bytes) : "";

    private static ulong Varint(IReadOnlyList<Field> fields, int number) => fields.FirstOrDefault(f => f.Number == number).Value;

    private readonly record struct Field(int Number, byte[]? Bytes, ulong Value);

    /// <summary>The top-level fields of one message: length-delimited ones as bytes, the others as numbers.</summary>
    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited: fields.Add(new Field(number, input.ReadBytes().ToByteArray(), 0)); break;
                case WireFormat.WireType.Varint: fields.Add(new Field(number, null, input.ReadUInt64())); break;
                case WireFormat.WireType.Fixed64: fields.Add(new Field(number, null, input.ReadFixed64())); break;
                case WireFormat.WireType.Fixed32: fields.Add(new Field(number, null, input.ReadFixed32())); break;
                default: input.SkipLastField(); break;
            }
        }
        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}

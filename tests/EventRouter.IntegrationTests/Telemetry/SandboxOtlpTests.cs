using EventRouter.Diagnostics;
using EventRouter.IntegrationTests.EndToEnd;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Telemetry;

/// <summary>
/// The "done when" of issue 21: a real <c>eventrouter dev</c> run with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// pointing at an OTLP/HTTP receiver started by the test; the receiver gets the EventRouter metrics
/// (checked by name) and spans, from the Meter and ActivitySource named EventRouter, and every handler
/// span links to the batch span that routed its event.
/// </summary>
public sealed class SandboxOtlpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Dev_300EventsWithAnOtlpEndpoint_TheReceiverGetsTheEventRouterMetricsAndSpans()
    {
        await using var receiver = new OtlpReceiver();
        await using var sandbox = new WorkerProcess(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        }, "dev", "--events", "300", "--rate", "300", "--seed", "5");

        sandbox.Start();
        var exitCode = await sandbox.WaitForExitAsync(TimeSpan.FromMinutes(4));
        output.WriteLine(sandbox.OutputText);
        output.WriteLine("requests: " + string.Join(", ", receiver.Requests.Select(r => $"{r.Key} {r.Value}")));

        Assert.Equal(0, exitCode);
        var metrics = receiver.Metrics.Where(m => m.Scope == TelemetryNames.MeterName).ToList();
        var names = metrics.Select(m => m.Name).ToHashSet();
        output.WriteLine("metrics: " + string.Join(", ", names.Order()));
        foreach (var expected in new[]
        {
            TelemetryNames.EventsRouted, TelemetryNames.EventsPoisoned, TelemetryNames.BatchSize, TelemetryNames.BatchDuration,
            TelemetryNames.QueueMessagesProcessed, "eventrouter.kafka.batches", "eventrouter.kafka.records", "eventrouter.kafka.batch.duration",
            "eventrouter.kafka.record.delay", "eventrouter.kafka.consumer.lag",
        })
        {
            Assert.Contains(expected, names);
        }
        Assert.Contains(metrics, m => m.Name == TelemetryNames.EventsRouted && m.Kind == "sum" && m.Unit == "{event}");
        Assert.Contains(metrics, m => m.Name == "eventrouter.kafka.record.delay" && m.Kind == "histogram" && m.Unit == "s");
        Assert.Contains(metrics, m => m.Name == "eventrouter.kafka.consumer.lag" && m.Kind == "gauge");

        var spans = receiver.Spans.Where(s => s.Scope == TelemetryNames.ActivitySourceName).ToList();
        output.WriteLine($"spans: {spans.Count} ({string.Join(", ", spans.GroupBy(s => s.Name.Split(' ')[0]).Select(g => $"{g.Key} {g.Count()}"))})");
        Assert.Contains(spans, s => s.Name == "route batch");
        Assert.Contains(spans, s => s.Name.StartsWith("process ", StringComparison.Ordinal));
        Assert.All(spans, s => Assert.Equal(32, s.TraceId.Length));

        // One event followed from Kafka record to handler: every handler span links to the batch span
        // that routed its event (the traceparent in the envelope), by that span's trace and span id.
        // A link, not a parent, so the handler span has a trace of its own (QueueDeliveryHandler says why).
        var batches = spans.Where(s => s.Name == "route batch").Select(s => (s.TraceId, s.SpanId)).ToHashSet();
        var handlers = spans.Where(s => s.Name.StartsWith(TelemetryNames.ProcessSpanPrefix, StringComparison.Ordinal)).ToList();
        output.WriteLine($"handler spans: {handlers.Count}, of them linked to a received batch span: {handlers.Count(h => h.Links.Any(batches.Contains))}");
        Assert.All(handlers, handler =>
        {
            var link = Assert.Single(handler.Links);
            Assert.True(batches.Contains(link), $"{handler.Name} {handler.SpanId} links to {link.TraceId}/{link.SpanId}, which is no 'route batch' span received");
            Assert.NotEqual(link.TraceId, handler.TraceId);
        });

        // The resource docs/operations.md ("Spans") lists for the worker.
        output.WriteLine("resource: " + string.Join(", ", receiver.SpanResource.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}")));
        Assert.Equal("eventrouter", receiver.SpanResource.GetValueOrDefault("service.name"));
        Assert.Equal(EventRouterTelemetry.Version, receiver.SpanResource.GetValueOrDefault("service.version"));
        Assert.True(Guid.TryParse(receiver.SpanResource.GetValueOrDefault("service.instance.id"), out _), "service.instance.id is a GUID");
    }
}

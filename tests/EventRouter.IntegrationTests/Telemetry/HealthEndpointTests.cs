using System.Net;
using EventRouter.Cli.Sandbox;
using EventRouter.IntegrationTests.EndToEnd;
using Xunit.Abstractions;

namespace EventRouter.IntegrationTests.Telemetry;

/// <summary>
/// The worker's endpoints for an orchestrator, by real HTTP requests against a running
/// <c>eventrouter run</c> (librdkafka's mock cluster, its own Azurite): live and ready once its
/// partitions are assigned, Prometheus text on /metrics, not ready while Azurite is down and ready
/// again after.
/// </summary>
public sealed class HealthEndpointTests(ITestOutputHelper output) : IDisposable
{
    private readonly MockKafkaProcess _kafka = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task Run_WithHealthPort_LiveReadyMetrics_NotReadyWhileStorageIsDown_ReadyAgainAfter()
    {
        await using var storage = await AzuriteProcess.StartAsync();
        await using var scope = EndToEndScope.Create(_kafka, storage.ConnectionString, notificationsPartitions: 2, pricesPartitions: 1);
        scope.Produce(200, malformedShare: 0.02, seed: 21);
        var port = AzuriteProcess.FreePort();
        var environment = scope.WorkerEnvironment();
        environment["Health__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Health__ProbeInterval"] = "00:00:00.500";
        environment["Health__StorageFailureThreshold"] = "00:00:03";
        await using var worker = new WorkerProcess(environment, "run");
        var baseAddress = $"http://127.0.0.1:{port}";

        worker.Start();
        try
        {
            await WaitForAsync($"{baseAddress}/healthz", HttpStatusCode.OK, TimeSpan.FromMinutes(1), worker);
            var ready = await WaitForAsync($"{baseAddress}/readyz", HttpStatusCode.OK, TimeSpan.FromMinutes(1), worker);
            Assert.Contains("\"status\":\"ok\"", ready);
            await scope.WaitUntilAllCommittedAsync(TimeSpan.FromMinutes(2), worker);

            // The lag gauge is measured on the consumer's refresh interval (LagReporter), not at each
            // record, so under load the first scrapes can come before its first value: scrape until it is there.
            HttpResponseMessage metrics;
            string text;
            var scraping = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                metrics = await _http.GetAsync($"{baseAddress}/metrics");
                text = await metrics.Content.ReadAsStringAsync();
                if (text.Contains("eventrouter_kafka_consumer_lag{", StringComparison.Ordinal) || scraping.Elapsed > TimeSpan.FromSeconds(60)) break;
                await Task.Delay(500);
            }
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Assert.Contains("eventrouter_events_routed_total{", text);
            Assert.Contains("eventrouter_kafka_records_total{", text);
            Assert.Contains("eventrouter_kafka_consumer_lag{", text);
            Assert.Contains("eventrouter_kafka_record_delay_seconds_bucket{", text);
            Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{baseAddress}/nothing-here")).StatusCode);

            storage.Stop(TimeSpan.FromSeconds(10));
            var notReady = await WaitForAsync($"{baseAddress}/readyz", HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), worker);
            output.WriteLine("while Azurite is down: " + notReady);
            Assert.Contains("storage EventStorage has not answered", notReady);
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{baseAddress}/healthz")).StatusCode);

            await storage.StartAsync();
            await WaitForAsync($"{baseAddress}/readyz", HttpStatusCode.OK, TimeSpan.FromMinutes(1), worker);
        }
        finally
        {
            var exitCode = await worker.StopAsync(TimeSpan.FromSeconds(40));
            output.WriteLine(worker.OutputText);
            Assert.Equal(0, exitCode);
        }
    }

    /// <summary>Polls <paramref name="url"/> until it answers <paramref name="status"/>; returns the body.</summary>
    private async Task<string> WaitForAsync(string url, HttpStatusCode status, TimeSpan timeout, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await _http.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == status) return body;
                last = $"{(int)response.StatusCode} {body}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "timed out";
            }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"{url} did not answer {(int)status} within {timeout}; last: {last}\n{worker.OutputText}");
    }

    public void Dispose()
    {
        _http.Dispose();
        _kafka.Dispose();
    }
}

using EventRouter;
using EventRouter.ApplicationInsights;
using EventRouter.Functions;
using EventRouter.Hosting;
using EventRouter.Processing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = FunctionsApplication.CreateBuilder(args);

// The routing core and the queue stage: the same registrations, settings and start-up validation
// as the self-hosted host. A bad setting stops the worker at start with a message naming it.
builder.AddEventRouter();
builder.Services.AddEventRouterProcessing(builder.Configuration);

// The Kafka triggers read Kafka:* through binding expressions; check those settings, and that
// Kafka:SecurityProtocol / Kafka:SaslMechanism (when set) match what this build was compiled with.
builder.Services.AddKafkaTriggerSettingsCheck(builder.Configuration,
    KafkaSecurity.Protocol.ToString(), KafkaSecurity.Mechanism.ToString());
// Warn about routed queues (overrides, another prefix) that no queue trigger of this app reads.
builder.Services.AddQueueTriggerCoverageCheck(QueueTriggerCoverage.DefaultQueues);

// Telemetry from the worker straight to Application Insights, including the core's "EventRouter"
// Meter and ActivitySource, with sampling that never drops exceptions or failed invocations.
builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights()
    .AddEventRouterApplicationInsights();
// The Azure SDKs are chatty at Information; their failures still surface through our own logs.
builder.Logging.AddFilter("Azure", LogLevel.Warning);

builder.Build().Run();

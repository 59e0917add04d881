using Microsoft.Extensions.Configuration;

namespace EventRouter.Telemetry;

/// <summary>Where telemetry goes; both at once is allowed.</summary>
[Flags]
public enum TelemetryExporters
{
    None = 0,
    /// <summary>Application Insights, through the Azure Monitor OpenTelemetry exporter.</summary>
    AzureMonitor = 1,
    /// <summary>Any OTLP receiver (an OpenTelemetry Collector, a vendor's endpoint).</summary>
    Otlp = 2,
}

/// <summary>Chooses the exporters from the standard variables, as every OpenTelemetry SDK reads them.</summary>
public static class TelemetryExporterSelection
{
    public const string AzureMonitorConnectionSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";

    public static TelemetryExporters From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return From(configuration[AzureMonitorConnectionSetting], configuration[OtlpEndpointSetting]);
    }

    /// <summary>Azure Monitor when a connection string is set, OTLP when an endpoint is set; blank counts as unset.</summary>
    public static TelemetryExporters From(string? azureMonitorConnectionString, string? otlpEndpoint)
        => (string.IsNullOrWhiteSpace(azureMonitorConnectionString) ? TelemetryExporters.None : TelemetryExporters.AzureMonitor)
            | (string.IsNullOrWhiteSpace(otlpEndpoint) ? TelemetryExporters.None : TelemetryExporters.Otlp);
}

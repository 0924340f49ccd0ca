using System.Text.Json.Serialization;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>The process's tracer and meter providers; the container disposes them (flushing exports) at shutdown.</summary>
internal sealed class TelemetryProviders(TracerProvider tracing, MeterProvider metrics) : IDisposable
{
    public void Dispose()
    {
        tracing.Dispose();
        metrics.Dispose();
    }
}

/// <summary>Creates the providers when the host starts, so telemetry flows from the first request.</summary>
internal sealed class TelemetryStarter(TelemetryProviders providers, Rcmd.ServiceDefaults.Metrics.PrometheusCollector metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(providers);
        GC.KeepAlive(metrics);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

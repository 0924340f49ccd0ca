using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Rcmd.ServiceDefaults.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Rcmd service shares: OpenTelemetry (exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set),
/// health checks (<c>/health</c> = ready, <c>/alive</c> = live) and HttpClient defaults. Shaped like Aspire's
/// ServiceDefaults; the OpenTelemetry hosting package is not on this package source, so providers are built with
/// <c>Sdk.Create…ProviderBuilder()</c> and owned by the container (see README, "Substitutes").
/// </summary>
public static class Extensions
{
    /// <summary>The ActivitySource and Meter name every Rcmd library uses.</summary>
    public const string TelemetryName = "Rcmd";

    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var otlpEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var exportOtlp = !string.IsNullOrWhiteSpace(otlpEndpoint);
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (exportOtlp)
            {
                logging.AddOtlpExporter();
            }
        });

        builder.Services.AddSingleton(_ =>
        {
            // Spans only when they go somewhere: a listened-to source records an Activity for every request served and
            // every HTTP call made (to rcd): CPU on the job path for nothing when no exporter takes them.
            var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource);
            if (exportOtlp)
            {
                tracing.AddSource(TelemetryName, "Microsoft.AspNetCore", "System.Net.Http").AddOtlpExporter();
            }

            return new TelemetryProviders(tracing.Build(), BuildMeters(resource, exportOtlp));
        });
        builder.Services.AddHostedService<TelemetryStarter>();
        // /metrics (Prometheus text), from the same instruments (see MapDefaultEndpoints).
        builder.Services.AddSingleton(sp => new PrometheusCollector(sp.GetService<IMeterFactory>()));
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: every check must pass (ready for traffic). <c>/alive</c>: only the process itself (live).
    /// Both answer JSON with each check's status; they carry no secrets, so they are mapped in every environment
    /// (Kubernetes probes use them). <c>/metrics</c>: the Prometheus text exposition (<see cref="PrometheusCollector"/>);
    /// its labels are job types, statuses, error codes, remote and channel names — no secrets either.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks("/alive", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapGet("/metrics", (PrometheusCollector metrics) => Results.Text(metrics.Scrape(), PrometheusCollector.ContentType))
            .ExcludeFromDescription();
        return app;
    }

    private static MeterProvider BuildMeters(ResourceBuilder resource, bool exportOtlp)
    {
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(TelemetryName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                "System.Net.Http", "System.Runtime");
        if (exportOtlp)
        {
            metrics.AddOtlpExporter();
        }

        return metrics.Build()!;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status + (e.Value.Description is { } d ? ": " + d : "")),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJsonContext.Default.DictionaryStringObject));
    }
}

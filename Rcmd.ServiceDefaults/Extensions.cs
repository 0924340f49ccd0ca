using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Rcmd service shares, in the shape of Aspire's ServiceDefaults template: OpenTelemetry (logs, metrics,
/// traces; exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as the AppHost sets it), service discovery
/// (<c>http://rclone</c>, <c>http://api</c> resolve from <c>services__{name}__http__0</c>), the standard resilience
/// handler on every HttpClient, health checks (<c>/health</c> = ready, <c>/alive</c> = live) and <c>/metrics</c>
/// (OpenTelemetry's Prometheus exporter).
/// </summary>
public static class Extensions
{
    /// <summary>The ActivitySource and Meter name every Rcmd library uses.</summary>
    public const string TelemetryName = "Rcmd";

    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string MetricsEndpointPath = "/metrics";
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Local mode admits everyone: refuse a non-loopback address before anything binds (one line, exit code 78).
        if (LoopbackGuard.Refusal(builder.Configuration) is { } refusal)
        {
            Console.Error.WriteLine("rcmd: " + refusal);
            Environment.Exit(LoopbackGuard.RefusedExitCode);
        }

        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Every client gets the standard handler; a client whose calls must not be retried blindly (the Worker's rcd
            // client) replaces it with its own configuration.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>Whether spans and logs leave the process: only when an OTLP endpoint is configured.</summary>
    public static bool ExportsOtlp(this IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var exportOtlp = builder.ExportsOtlp();
        var frameworkLimit = FrameworkCardinality(builder.Configuration);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryName)
                .AddView(instrument => FrameworkStream(instrument, frameworkLimit))
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        // Spans only when they go somewhere: a listened-to source records an Activity for every request served and every
        // HTTP call made (to rcd, several per job), CPU on the job path for nothing when no exporter takes them.
        if (exportOtlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(TelemetryName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Room for <see cref="FrameworkCardinalityLimit"/> label sets in each stream of the framework's instruments (requests,
    /// Kestrel, SignalR, HttpClient, runtime); Rcmd's own meter keeps OpenTelemetry's default of 2,000.
    /// </summary>
    /// <remarks>
    /// OpenTelemetry allocates a stream's whole array of points up front: at the default 2,000 that is 144 KB, a
    /// large-object-heap array, for each of ~56 instruments and each reader (Prometheus and OTLP) — 16 MiB of every
    /// service's heap (measured in Rcmd.Web with 20 dashboards open). 500 label sets (36 KB) hold every route × method ×
    /// status the Api answers; beyond them OpenTelemetry adds to its <c>otel.metric.overflow</c> point rather than drop.
    /// A service that needs fewer sets <see cref="FrameworkCardinalityLimitKey"/> (<see cref="FrameworkCardinality"/>).
    /// </remarks>
    public static MetricStreamConfiguration? FrameworkStream(Instrument instrument, int limit = FrameworkCardinalityLimit) =>
        instrument.Meter.Name == TelemetryName ? null : new MetricStreamConfiguration { CardinalityLimit = limit };

    public const int FrameworkCardinalityLimit = 500;

    /// <summary>
    /// Label sets per framework stream for this service. Rcmd.Web sets 200 in its appsettings.json: its busiest stream,
    /// Blazor's parameter updates by component type, has ~80, and each stream's array is then 14 KB, not 36 KB
    /// (112 streams: ~2.4 MiB less of the dashboard's heap).
    /// </summary>
    public const string FrameworkCardinalityLimitKey = "Rcmd:Telemetry:FrameworkCardinalityLimit";

    /// <summary>The configured <see cref="FrameworkCardinalityLimitKey"/>, <see cref="FrameworkCardinalityLimit"/> unless set.</summary>
    /// <exception cref="InvalidOperationException">The value is not a whole number of at least 1.</exception>
    public static int FrameworkCardinality(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[FrameworkCardinalityLimitKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return FrameworkCardinalityLimit;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit >= 1
            ? limit
            : throw new InvalidOperationException(
                $"{FrameworkCardinalityLimitKey} must be a whole number of label sets, at least 1 (it is \"{text}\").");
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: every check must pass (ready for traffic). <c>/alive</c>: only the process itself (live). Both
    /// answer JSON with each check's status; they carry no secrets, so they are mapped in every environment (Kubernetes
    /// probes use them). <c>/metrics</c>: the Prometheus text exposition of the <c>Rcmd</c> meter (the seed's
    /// <c>jobs_*</c> series) and the ASP.NET Core, HttpClient and runtime meters; its labels are job types, statuses,
    /// error codes, remote and channel names — no secrets either.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath);
        return app;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath) || path.StartsWithSegments(MetricsEndpointPath);

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

[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

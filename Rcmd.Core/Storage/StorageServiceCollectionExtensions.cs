using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rcmd.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The connection name: <c>ConnectionStrings:redis</c> (<c>ConnectionStrings__redis</c>), Aspire's convention.</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// The one Redis connection through Aspire's client integration (<c>AddRedisClient</c>: one multiplexer, Redis
    /// command spans when traces are exported) and the stores over it. The readiness check is ours (<c>redis</c> in
    /// <c>/health</c>, <see cref="RedisHealthCheck"/>): it says why Redis is not ready in words an operator can act on.
    /// </summary>
    public static TBuilder AddRcmdStorage<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            throw new InvalidOperationException("ConnectionStrings:redis is not set (the AppHost sets ConnectionStrings__redis).");
        }

        var exportsTraces = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.AddRedisClient(ConnectionName,
            settings =>
            {
                settings.DisableHealthChecks = true;
                settings.DisableTracing = !exportsTraces;
            },
            RedisConnection.Configure);
        // StackExchange.Redis 3 logs every connect step at Information; its warnings and errors (a lost connection) stay.
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        builder.Services.AddSingleton(sp => new RedisConnection(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisKeys>()));
        builder.Services.AddRcmdStores(builder.Configuration);
        return builder;
    }

    /// <summary>The stores over a <see cref="RedisConnection"/> registered by the caller (tests register their own).</summary>
    public static IServiceCollection AddRcmdStores(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new RedisKeys(configuration["Rcmd:RedisPrefix"] ?? RedisKeys.DefaultPrefix));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobStatsStore>();
        // The job metrics (Telemetry/JobMetrics): counted by JobStore's observer hook in the process that made each change.
        services.AddMetrics();
        services.TryAddSingleton(sp => new Telemetry.JobMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobTransitionObserver, Telemetry.JobMetrics>(sp => sp.GetRequiredService<Telemetry.JobMetrics>()));
        services.AddSingleton<JobQueue>();
        services.AddSingleton<Batches.BatchStore>();
        services.AddSingleton<Batches.RemoteSemaphore>();
        return services;
    }
}

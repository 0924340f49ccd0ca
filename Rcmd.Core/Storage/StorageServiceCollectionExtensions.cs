using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Rcmd.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the one Redis connection (<c>ConnectionStrings:redis</c>, Aspire's convention) and the stores over it.
    /// </summary>
    public static IServiceCollection AddRcmdStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("redis")
            ?? throw new InvalidOperationException("ConnectionStrings:redis is not set (the AppHost sets ConnectionStrings__redis).");
        services.AddSingleton(new RedisKeys(configuration["Rcmd:RedisPrefix"] ?? RedisKeys.DefaultPrefix));
        services.AddSingleton(sp => new RedisConnection(connectionString, sp.GetRequiredService<RedisKeys>()));
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

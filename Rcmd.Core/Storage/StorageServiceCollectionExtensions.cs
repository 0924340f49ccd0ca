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
        services.AddSingleton<JobQueue>();
        return services;
    }
}

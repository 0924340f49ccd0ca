using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Rcmd.Breakers;

public static class BreakerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the circuit breakers per remote: <see cref="BreakerOptions"/> (section <c>Breakers</c>, validated at
    /// start), the Redis <see cref="BreakerStore"/> and <see cref="RemoteBreakers"/>. Needs <c>AddRcmdStorage</c>.
    /// </summary>
    public static IServiceCollection AddRcmdBreakers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BreakerOptions>()
            .Bind(configuration.GetSection(BreakerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BreakerStore>();
        services.TryAddSingleton<RemoteBreakers>();
        return services;
    }
}

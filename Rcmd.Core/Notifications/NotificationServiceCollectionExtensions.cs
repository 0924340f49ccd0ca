using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rcmd.Notifications;
using Rcmd.Storage;
using Rcmd.Telemetry;

// In the DI namespace, like AddHttpClient and AddHealthChecks: a host adds notifications with one line.
namespace Microsoft.Extensions.DependencyInjection;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// The notification dispatcher (a hosted service; each Worker runs one) with its options (<c>Notifications</c>,
    /// validated at start), stream, cooldown, dead letters and <c>notifications_sent_total</c>. Needs
    /// <see cref="StorageServiceCollectionExtensions.AddRcmdStorage"/>.
    /// <para>
    /// The channels' HttpClient logs no requests and records no spans: a Telegram bot token is part of the URL, and
    /// a webhook URL may be a credential too; nor does it send trace headers to third parties.
    /// </para>
    /// </summary>
    public static IServiceCollection AddRcmdNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>()
            .Bind(configuration.GetSection(NotificationOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NotificationStream>();
        services.TryAddSingleton<NotificationCooldown>();
        services.TryAddSingleton<NotificationDeadLetters>();
        services.TryAddSingleton<NotificationMetrics>();
        services.TryAddSingleton<NotificationChannelFactory>();
        services.AddHttpClient(NotificationChannelFactory.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // null: no DiagnosticsHandler, so no "System.Net.Http" activity carrying the URL (and its token).
                ActivityHeadersPropagator = null,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            })
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan) // each attempt is bounded by AttemptTimeout
            .RemoveAllLoggers();
        services.AddHostedService<NotificationDispatcher>();
        return services;
    }
}

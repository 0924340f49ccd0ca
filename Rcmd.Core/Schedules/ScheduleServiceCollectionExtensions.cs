using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rcmd.Failures;
using Rcmd.Schedules;
using Rcmd.Telemetry;

// In the DI namespace, like AddRcmdNotifications: a host adds schedules with one line.
namespace Microsoft.Extensions.DependencyInjection;

public static class ScheduleServiceCollectionExtensions
{
    /// <summary>
    /// The schedule store, the firer (jobs and batches through the normal paths), the dispatcher that a scheduler loop
    /// runs, <c>schedule_runs_total</c> and <c>schedule_fire_lag_ms</c>, and <see cref="ScheduleOptions"/> (section
    /// <c>Schedules</c>, validated at start). Needs <c>AddRcmdStorage</c>.
    /// </summary>
    public static IServiceCollection AddRcmdSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScheduleOptions>()
            .Bind(configuration.GetSection(ScheduleOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ScheduleMetrics>();
        services.TryAddSingleton<ScheduleStore>();
        services.TryAddSingleton(sp => new ScheduleFirer(
            sp.GetRequiredService<Rcmd.Storage.JobStore>(), sp.GetRequiredService<Rcmd.Batches.BatchStore>(), sp.GetRequiredService<TimeProvider>(),
            RetryAttempts(configuration)));
        services.TryAddSingleton<ScheduleDispatcher>();
        return services;
    }

    // The RCLONE_RETRY_* settings the Workers run with: a scheduled job records its attempts, as a submitted one does.
    // An invalid value is reported by the Worker itself (InvalidConfigurationService); here it only means "not recorded".
    private static RetrySettings? RetryAttempts(IConfiguration configuration)
    {
        try
        {
            return RetrySettings.FromEnvironment(name => configuration[name]);
        }
        catch (InvalidRetrySettingException)
        {
            return null;
        }
    }
}

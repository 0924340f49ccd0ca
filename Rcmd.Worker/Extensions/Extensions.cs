using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Paths;
using Rcmd.Rclone;
using Rcmd.Retention;
using Rcmd.Storage;
using Rcmd.Worker.Rclone;
using Rcmd.Worker.Services;

namespace Rcmd.Worker;

public static class Extensions
{
    /// <summary>
    /// Everything the Worker runs: its options, the one Redis connection (Aspire's client) and the job store/queue, the rcd client behind
    /// the standard resilience handler, the circuit breaker per remote in front of every launch (<c>Breakers</c>), the
    /// job runner, the lease reaper and the waiting-jobs scheduler, job retries
    /// (<c>RCLONE_RETRY_*</c>) and the unknown-error capture (<c>RCLONE_CAPTURE_UNKNOWN_ERRORS</c>), and the readiness
    /// checks (<c>redis</c>, <c>rclone</c>) behind <c>/health</c>. An invalid <c>RCLONE_RETRY_*</c> value registers
    /// nothing but <see cref="InvalidConfigurationService"/>, which logs it and stops the process (exit code 2).
    /// </summary>
    public static TBuilder AddWorkerServices<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Read once at start (environment variables are part of configuration, under their own names).
        RetrySettings retrySettings;
        try
        {
            retrySettings = RetrySettings.FromEnvironment(name => configuration[name]);
        }
        catch (InvalidRetrySettingException ex)
        {
            services.AddHostedService(sp => ActivatorUtilities.CreateInstance<InvalidConfigurationService>(sp, ex.Message));
            return builder;
        }

        services.AddSingleton(new JobRetryPolicy(retrySettings));
        services.AddSingleton(sp => new UnknownErrorCapture(UnknownErrorCaptureOptions.FromEnvironment(name =>
            name == UnknownErrorCaptureOptions.DataDirectoryVariable
                ? NonEmpty(configuration[name]) ?? NonEmpty(configuration["Rcmd:DataDir"])
                : configuration[name]), sp.GetRequiredService<TimeProvider>()));

        services.AddOptions<WorkerOptions>()
            .Bind(configuration.GetSection(WorkerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddRcmdStorage();
        services.AddRcmdBreakers(configuration);
        services.AddRcmdPathPolicy(configuration);

        // No client timeout: the standard handler bounds control calls (its total timeout); a batch item's synchronous
        // transfer lasts as long as the file takes (RcloneRequest.LongRunning, see RcloneResilience).
        services.AddRcloneClient(configuration).ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        // rcd listens on loopback: the singletons below keep one typed client; handler rotation (for DNS) is moot here.
        services.AddSingleton<RclonePidCache>();
        services.AddSingleton<RcloneVersionCache>();

        services.AddSingleton<ActiveJobs>();
        services.AddSingleton<BreakerGate>();
        services.AddOptions<Batches.BatchEngineOptions>()
            .Bind(configuration.GetSection(Batches.BatchEngineOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<Batches.BatchRunner>();
        services.AddSingleton<JobExecutor>();
        services.AddHostedService<JobRunnerService>();
        services.AddHostedService<LeaseReaperService>();
        services.AddHostedService<WaitingJobsService>();
        services.AddRcmdSchedules(configuration);
        services.AddHostedService<SchedulerService>();
        services.AddRcmdNotifications(configuration);
        services.AddRcmdRetention(configuration, sweeper: true).AddHostedService<RetentionSweepService>();

        services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>("redis")
            .AddCheck<RcloneHealthCheck>("rclone");

        // IHttpClientFactory logs every request at Information: with jobs polled twice a second that is noise.
        builder.Logging.AddFilter("System.Net.Http.HttpClient.RcloneClient", LogLevel.Warning);
        return builder;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

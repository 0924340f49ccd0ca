using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Rclone;
using Rcmd.Worker.Services;

namespace Rcmd.Worker;

public static class Extensions
{
    /// <summary>
    /// Everything the Worker runs: its options, the one Redis connection and the job store/queue, the rcd client behind
    /// the standard resilience handler, the job runner and the lease reaper, and the readiness checks
    /// (<c>redis</c>, <c>rclone</c>) behind <c>/health</c>.
    /// </summary>
    public static TBuilder AddWorkerServices<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<WorkerOptions>()
            .Bind(configuration.GetSection(WorkerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<RcloneResilienceOptions>()
            .Bind(configuration.GetSection(RcloneResilienceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddRcmdStorage(configuration);

        services.AddSingleton<RcloneResiliencePipeline>();
        services.AddTransient<RcloneResilienceHandler>();
        services.AddRcloneClient(configuration).AddHttpMessageHandler<RcloneResilienceHandler>();
        // rcd listens on loopback: the singletons below keep one typed client; handler rotation (for DNS) is moot here.
        services.AddSingleton<RclonePidCache>();

        services.AddSingleton<ActiveJobs>();
        services.AddSingleton<JobExecutor>();
        services.AddHostedService<JobRunnerService>();
        services.AddHostedService<LeaseReaperService>();

        services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>("redis")
            .AddCheck<RcloneHealthCheck>("rclone");

        // IHttpClientFactory logs every request at Information: with jobs polled twice a second that is noise.
        builder.Logging.AddFilter("System.Net.Http.HttpClient.RcloneClient", LogLevel.Warning);
        return builder;
    }
}

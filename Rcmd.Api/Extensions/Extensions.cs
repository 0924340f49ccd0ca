using System.Text.Json.Serialization;
using Rcmd.Api.Errors;
using Rcmd.Api.Hubs;
using Rcmd.Api.Rc;
using Rcmd.Api.Security;
using Rcmd.Api.Services;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Paths;
using Rcmd.Rclone;
using Rcmd.Retention;
using Rcmd.Serialization;
using Rcmd.Storage;

namespace Rcmd.Api.Extensions;

public static class Extensions
{
    /// <summary>
    /// Everything the Api needs besides the service defaults: the Redis store, the rcd client, the event hub, the
    /// error shape, the "rcmd" authorization policy, JSON and OpenAPI, and loopback as the default address.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ApiOptions>()
            .Bind(configuration.GetSection(ApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddRcmdStorage();
        services.AddRcmdSchedules(configuration);
        services.AddRcmdRetention(configuration); // reads the sweep's state and tombstones (the 410); the Workers sweep

        // The RCLONE_RETRY_* settings the Workers use too: a new job records its number of attempts (Job.MaxAttempts).
        services.AddSingleton(_ => RetrySettings.FromEnvironment(name => configuration[name]));
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");

        // Control calls only (list remotes): a sick rcd must answer 503 in seconds, not hang the caller.
        services.AddRcloneClient(configuration).ConfigureHttpClient(http => http.Timeout = TimeSpan.FromSeconds(10));

        // Circuit breakers per remote (shared with the Workers through Redis) and the remote reads behind them; a read is
        // bounded by its remote's operation timeout, not by a client timeout.
        services.AddRcmdBreakers(configuration);
        services.AddRcmdPathPolicy(configuration);
        services.AddOptions<RcOptions>().Bind(configuration.GetSection(RcOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RcJobIds>();
        services.AddSingleton<RcJobs>();
        services.AddSingleton<RcStats>();
        services.AddSingleton<RcBatches>();
        services.AddSingleton<RcBatchStops>();
        services.AddHostedService<RcBatchResumer>();
        services.AddSingleton<JobCanceler>();
        services.AddHttpClient(RemoteReads.HttpClientName).ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<RemoteReadCache>();
        services.AddSingleton<RemoteReads>();
        services.AddSingleton<ListingCache>();

        services.AddSingleton<JobWatchers>();
        services.AddSingleton<EventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventHub>());

        // The dashboard's live feed: the same events over SignalR (/hubs/events), in groups per page.
        services.AddSignalR();
        services.AddSingleton<LiveGroups>();
        services.AddHostedService<LiveHubRelay>();

        services.AddApiErrors();
        services.AddApiSecurity();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, RcmdJsonContext.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(1, Rcmd.Schedules.ScheduleJsonContext.Default);
        });
        services.AddOpenApi();

        if (builder is WebApplicationBuilder web)
        {
            var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
            web.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = api.MaxRequestBodyBytes);
            if (string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
                && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
                && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey]))
            {
                web.WebHost.UseUrls(api.DefaultUrl);
            }
        }

        return builder;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rcmd.Rclone;

namespace Rcmd.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the retention options (<c>Rcmd:Retention</c>, validated at start), the store and metrics; with
    /// <paramref name="sweeper"/>, also the archive target and the sweeper (the Worker runs it; the Api only reads the state).
    /// Needs <c>AddRcmdStorage</c>, and for an rclone-remote archive the rcd client.
    /// </summary>
    public static IServiceCollection AddRcmdRetention(this IServiceCollection services, IConfiguration configuration, bool sweeper = false)
    {
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.Section))
            .Configure(options => options.ArchiveTo = DefaultArchiveTo(configuration) ?? options.ArchiveTo)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<RetentionStore>();
        if (!sweeper)
        {
            return services;
        }

        services.AddMetrics();
        services.TryAddSingleton<RetentionMetrics>();
        services.TryAddSingleton<Notifications.NotificationStream>();
        services.TryAddSingleton<IArchiveTarget>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RetentionOptions>>().Value;
            var store = sp.GetRequiredService<RetentionStore>();
            return options.ArchivesToRemote
                ? new RcloneArchiveTarget(options.ArchiveTo,
                    options.StagingDirectory ?? Path.Combine(Path.GetTempPath(), "rcmd-archive-staging"),
                    sp.GetRequiredService<RcloneClient>(), store)
                : new DirectoryArchiveTarget(options.ArchiveTo, store);
        });
        services.TryAddSingleton<RetentionSweeper>();
        return services;
    }

    /// <summary>
    /// With no archive configured, <c>archive/</c> under Rcmd's data directory (<c>Rcmd:DataDir</c>, which the AppHost
    /// sets) rather than under the working directory, which for a service the AppHost starts is its project folder.
    /// </summary>
    private static string? DefaultArchiveTo(IConfiguration configuration) =>
        configuration[$"{RetentionOptions.Section}:{nameof(RetentionOptions.ArchiveTo)}"] is null
        && configuration[Paths.PathServiceCollectionExtensions.DataDirectoryKey] is { Length: > 0 } dataDirectory
            ? Path.Combine(dataDirectory, RetentionConstants.DataDirectoryArchive)
            : null;
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rcmd.AppHost;

/// <summary>Marks a resource whose process is started again when it exits while the AppHost runs.</summary>
internal sealed class RestartOnCrashAnnotation : IResourceAnnotation;

internal static class RestartOnCrashExtensions
{
    public static IResourceBuilder<T> WithRestartOnCrash<T>(this IResourceBuilder<T> resource) where T : IResource =>
        resource.WithAnnotation(new RestartOnCrashAnnotation());
}

/// <summary>
/// Aspire shows a process that exited as Exited and leaves it so; Rcmd's processes must come back by themselves (a killed
/// rcd or Worker is a fault Rcmd exists to ride out). This watches every resource instance (each replica on its own)
/// and starts one that crashed again with Aspire's own start command, after the delay its <see cref="CrashWatch"/> gives.
/// A process that ended because someone stopped it (the Aspire dashboard's Stop or Restart, which Aspire reports as
/// Stopping first) is left alone, and nothing is restarted while the AppHost is stopping.
/// </summary>
internal sealed partial class CrashRestarter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<CrashRestarter> logger) : BackgroundService
{
    private readonly Dictionary<string, CrashWatch> _instances = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = model.Resources.Where(r => r.Annotations.OfType<RestartOnCrashAnnotation>().Any()).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!watched.Contains(change.Resource.Name) || lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    continue;
                }

                var instance = _instances.TryGetValue(change.ResourceId, out var known) ? known : _instances[change.ResourceId] = new CrashWatch(time);
                if (instance.Observe(change.Snapshot.State?.Text) is { } delay)
                {
                    _ = RestartAsync(change.ResourceId, instance, delay, change.Snapshot.ExitCode, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(string resourceId, CrashWatch instance, TimeSpan delay, int? exitCode, CancellationToken stoppingToken)
    {
        try
        {
            LogRestarting(logger, resourceId, exitCode, delay.TotalSeconds);
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return;
            }

            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken).ConfigureAwait(false);
            if (!result.Success)
            {
                LogRestartFailed(logger, resourceId, result.Message ?? "no reason given");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            instance.RestartDone();
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "{Resource} exited (code {ExitCode}); starting it again in {DelaySeconds} s")]
    private static partial void LogRestarting(ILogger logger, string resource, int? exitCode, double delaySeconds);

    [LoggerMessage(2, LogLevel.Error, "{Resource} could not be started again: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string reason);
}

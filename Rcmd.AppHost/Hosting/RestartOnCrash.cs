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
/// and starts an exited one again with Aspire's own start command after 1 s, 2 s, 4 s … (at most 30 s; the delay
/// starts over once an instance has run for a minute). Nothing is restarted while the AppHost is stopping.
/// </summary>
internal sealed partial class CrashRestarter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<CrashRestarter> logger) : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);

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

                var state = change.Snapshot.State?.Text;
                var instance = _instances.TryGetValue(change.ResourceId, out var known) ? known : _instances[change.ResourceId] = new Instance();
                if (state == KnownResourceStates.Running && instance.RunningSince is null)
                {
                    instance.RunningSince = time.GetTimestamp();
                }
                else if (state is not null && (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished
                    || state == KnownResourceStates.FailedToStart) && !instance.Restarting)
                {
                    instance.Restarting = true;
                    _ = RestartAsync(change.ResourceId, instance, change.Snapshot.ExitCode, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(string resourceId, Instance instance, int? exitCode, CancellationToken stoppingToken)
    {
        try
        {
            var ranLong = instance.RunningSince is { } since && time.GetElapsedTime(since) >= HealthyRun;
            instance.Delay = ranLong || instance.Delay == TimeSpan.Zero ? FirstDelay : Min(instance.Delay * 2, MaxDelay);
            instance.RunningSince = null;
            LogRestarting(logger, resourceId, exitCode, instance.Delay.TotalSeconds);
            await Task.Delay(instance.Delay, time, stoppingToken).ConfigureAwait(false);
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
            instance.Restarting = false;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class Instance
    {
        public long? RunningSince { get; set; }

        public TimeSpan Delay { get; set; }

        public bool Restarting { get; set; }
    }

    [LoggerMessage(1, LogLevel.Warning, "{Resource} exited (code {ExitCode}); starting it again in {DelaySeconds} s")]
    private static partial void LogRestarting(ILogger logger, string resource, int? exitCode, double delaySeconds);

    [LoggerMessage(2, LogLevel.Error, "{Resource} could not be started again: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string reason);
}

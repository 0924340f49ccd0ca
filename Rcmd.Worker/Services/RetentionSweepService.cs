using Microsoft.Extensions.Options;
using Rcmd.Retention;

namespace Rcmd.Worker.Services;

/// <summary>
/// Runs the retention sweep (<see cref="RetentionSweeper"/>) every <see cref="RetentionOptions.SweepInterval"/>, the
/// first shortly after start. Every Worker runs this; the Redis lease lets one sweep at a time, and another replica
/// takes over when the holder dies. A sweep that fails (Redis away) is tried again at the next tick.
/// </summary>
public sealed partial class RetentionSweepService(
    RetentionSweeper sweeper,
    IOptions<RetentionOptions> retention,
    IOptions<WorkerOptions> worker,
    TimeProvider time,
    ILogger<RetentionSweepService> logger) : BackgroundService
{
    /// <summary>The first sweep's delay after start (the Worker's own start-up comes first).</summary>
    public static readonly TimeSpan FirstSweepDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!retention.Value.Enabled)
        {
            return;
        }

        var holder = $"{worker.Value.WorkerId}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        try
        {
            await Task.Delay(Min(FirstSweepDelay, retention.Value.SweepInterval), time, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(retention.Value.SweepInterval, time);
            do
            {
                try
                {
                    await sweeper.SweepAsync(holder, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogSweepFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Retention sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}

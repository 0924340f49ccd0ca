using Microsoft.Extensions.Options;
using Rcmd.Schedules;

namespace Rcmd.Worker.Services;

/// <summary>
/// Fires schedules (<see cref="ScheduleDispatcher"/>): runs in every Worker, and each fire time is claimed in Redis by
/// one Lua script, so however many Workers run it, each fire time yields one run; a Worker killed between the claim and
/// the job leaves a leased claim that another Worker finishes. Off with <c>Schedules:Enabled=false</c>.
/// </summary>
public sealed partial class SchedulerService(
    ScheduleDispatcher dispatcher,
    IOptions<ScheduleOptions> options,
    TimeProvider time,
    ILogger<SchedulerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan delay;
                try
                {
                    delay = await dispatcher.PassAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogPassFailed(logger, ex);
                    delay = options.Value.PollInterval;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "A scheduler pass failed (Redis unreachable?); trying again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}

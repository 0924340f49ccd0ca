using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Worker.Services;

/// <summary>
/// Queues waiting jobs again when they fall due — retries after their backoff, jobs held by an open circuit breaker
/// when it lets requests through. Runs in every Worker: the move from the waiting set to the queue is one Redis script
/// per job (<see cref="JobStore.ReleaseDueAsync"/>), so however many Workers look at once, each job is queued exactly
/// once; a Worker that dies loses nothing, the set lives in Redis. Polls every
/// <see cref="WorkerOptions.WaitingPollInterval"/>, or sooner when the next job is due sooner.
/// </summary>
public sealed class WaitingJobsService(
    JobStore store,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WaitingJobsService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = await PassAsync(stoppingToken).ConfigureAwait(false);
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

    /// <summary>Queues what is due; returns how long to sleep before the next pass.</summary>
    private async Task<TimeSpan> PassAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.WaitingPollInterval;
        try
        {
            var pass = await store.ReleaseDueAsync(time, WorkerConstants.ReleaseBatchSize, stoppingToken).ConfigureAwait(false);
            foreach (var job in pass.Released)
            {
                Log.JobReleased(logger, job.Id, job.Type.ToWire(), job.Attempt);
            }

            if (pass.Released.Count >= WorkerConstants.ReleaseBatchSize)
            {
                return TimeSpan.Zero;
            }

            if (pass.NextDueAt is { } next)
            {
                var until = next - time.GetUtcNow();
                return until < WorkerConstants.MinWaitingDelay ? WorkerConstants.MinWaitingDelay : until < poll ? until : poll;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Log.ReleaseFailed(logger, ex);
        }

        return poll;
    }
}

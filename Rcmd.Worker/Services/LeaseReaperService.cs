using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Worker.Services;

/// <summary>
/// Recovers the jobs of Workers that died: every <see cref="WorkerOptions.LeaseCheckInterval"/> it takes over expired
/// leases (one Redis script per lease, so exactly one Worker wins each) and decides, per job:
/// <list type="bullet">
///   <item>ended already, or waiting for a retry (the scheduler queues it) → nothing to do;</item>
///   <item>still Queued (claimed, never started) → back to the head of the queue;</item>
///   <item>Running, and rcd (the same rcd process) still knows the run → adopt it: watch the same run to its end, or
///     record the result it already has — never a second run;</item>
///   <item>Running, but the run is gone → queue it again if the job type is idempotent, else fail it with
///     <c>server_restarted</c> (see <see cref="JobExecutor.RecoverLostRunAsync"/>).</item>
/// </list>
/// A recovery that fails half-way (rcd unreachable, say) leaves this Worker's new lease to expire and is tried again.
/// </summary>
public sealed class LeaseReaperService(
    JobStore store,
    JobQueue queue,
    JobExecutor executor,
    ActiveJobs active,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<LeaseReaperService> logger) : BackgroundService
{
    private readonly List<Task> _watching = [];

    private WorkerOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(Options.LeaseCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.SweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_watching).ConfigureAwait(false);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        _watching.RemoveAll(t => t.IsCompleted);
        var expired = await queue.ExpiredAsync(WorkerConstants.ReapBatchSize, stoppingToken).ConfigureAwait(false);
        foreach (var id in expired)
        {
            if (active.Contains(id))
            {
                continue; // ours: the heartbeat renews it
            }

            var previous = await queue.TryTakeOverAsync(id, Options.WorkerId, Options.LeaseDuration, stoppingToken).ConfigureAwait(false);
            if (previous is null)
            {
                continue; // renewed meanwhile, or another Worker won it
            }

            try
            {
                await RecoverAsync(id, previous, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.RecoveryFailed(logger, ex, id);
            }
        }
    }

    private async Task RecoverAsync(string id, string previousOwner, CancellationToken stoppingToken)
    {
        for (var tries = 0; tries < 3; tries++)
        {
            var job = await store.GetAsync(id, stoppingToken).ConfigureAwait(false);
            if (job is null || job.State.IsTerminal())
            {
                await queue.ReleaseAsync(id, Options.WorkerId, stoppingToken).ConfigureAwait(false);
                return;
            }

            if (job.State == JobState.Waiting)
            {
                // Deferred (the lease outlived the defer, e.g. the Worker died in between): the scheduler queues it when due.
                await queue.ReleaseAsync(id, Options.WorkerId, stoppingToken).ConfigureAwait(false);
                return;
            }

            if (job.State == JobState.Queued)
            {
                // Queued again and unleased in one step (see JobStore.RequeueIdAsync).
                await store.RequeueIdAsync(id, stoppingToken, leaseHolder: Options.WorkerId).ConfigureAwait(false);
                Log.ClaimRecovered(logger, id, job.Type.ToWire(), previousOwner);
                return;
            }

            var adopted = JobStateMachine.Adopt(job, Options.WorkerId, time);
            var saved = await store.SaveAsync(adopted, JobState.Running, job.WorkerId, stoppingToken).ConfigureAwait(false);
            if (saved == SaveResult.Conflict)
            {
                continue; // changed between read and write (a progress save, a cancel): read again
            }

            if (saved == SaveResult.NotFound)
            {
                await queue.ReleaseAsync(id, Options.WorkerId, stoppingToken).ConfigureAwait(false);
                return;
            }

            if (await executor.IsRunKnownAsync(adopted, stoppingToken).ConfigureAwait(false))
            {
                Log.JobAdopted(logger, id, job.Type.ToWire(), previousOwner, adopted.RcloneJobId ?? 0);
                _watching.Add(Task.Run(() => executor.WatchAdoptedAsync(adopted, stoppingToken), CancellationToken.None));
            }
            else
            {
                Log.RunLost(logger, id, job.Type.ToWire(), previousOwner);
                await executor.RecoverLostRunAsync(adopted, stoppingToken).ConfigureAwait(false);
            }

            return;
        }

        Log.RecoveryFailed(logger, null, id);
    }
}

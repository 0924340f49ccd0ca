using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Rclone;
using StackExchange.Redis;

namespace Rcmd.Worker.Services;

/// <summary>
/// Claims queued jobs (atomically, with a lease) and runs up to <see cref="WorkerOptions.Concurrency"/> of them at once.
/// An idle Worker wakes the moment a job is queued (Redis channel <see cref="RedisKeys.WakeChannel"/>) and looks at the
/// queue every second anyway, in case a message was lost.
/// </summary>
public sealed class JobRunnerService(
    JobQueue queue,
    JobExecutor executor,
    ActiveJobs active,
    RedisConnection redis,
    RcloneVersionCache versions,
    RcloneClient rclone,
    IOptions<WorkerOptions> options,
    ILogger<JobRunnerService> logger) : BackgroundService
{
    private WorkerOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the first Redis connect may block: never on the host's start-up path
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnWake(RedisChannel channel, RedisValue message) => wake.Writer.TryWrite(true);
        var subscribed = await SubscribeAsync(OnWake, stoppingToken).ConfigureAwait(false);
        Log.WorkerStarted(logger, Options.WorkerId, Options.Concurrency);
        await ReadRcloneVersionAsync(stoppingToken).ConfigureAwait(false);
        await CheckRcdJobExpiryAsync(stoppingToken).ConfigureAwait(false);

        using var slots = new SemaphoreSlim(Options.Concurrency, Options.Concurrency);
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                ClaimedJob? claimed = null;
                try
                {
                    claimed = await queue.TryClaimJobAsync(Options.WorkerId, Options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.ClaimFailed(logger, ex);
                }
                finally
                {
                    if (claimed is null)
                    {
                        slots.Release();
                    }
                }

                if (claimed is null)
                {
                    await WaitForWorkAsync(wake.Reader, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                Log.JobClaimed(logger, claimed.Id);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunAsync(claimed, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            var left = active.Count;
            await Task.WhenAll(running).ConfigureAwait(false);
            if (subscribed)
            {
                await UnsubscribeAsync(OnWake).ConfigureAwait(false);
            }

            Log.WorkerStopped(logger, Options.WorkerId, left, Options.LeaseDuration.TotalSeconds);
        }
    }

    /// <summary>Reads (and caches) rcd's version at start, so jobs are checked against it; an rcd not up yet is read later.</summary>
    private async Task ReadRcloneVersionAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(WorkerConstants.VersionReadTimeout);
        try
        {
            Log.RcloneVersion(logger, (await versions.GetAsync(timeout.Token).ConfigureAwait(false)).Version);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.RcloneVersionUnknown(logger, ex);
        }
    }

    /// <summary>
    /// Warns once at start when rcd forgets finished jobs sooner than a dead Worker's jobs are taken over (see
    /// <see cref="WorkerOptions.TakeoverTime"/>): recovery would then find the runs gone and resolve them from the record
    /// alone. Silent when rcd cannot be asked now; nothing depends on it.
    /// </summary>
    private async Task CheckRcdJobExpiryAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(WorkerConstants.VersionReadTimeout);
        try
        {
            if (await rclone.JobExpiryAsync(timeout.Token).ConfigureAwait(false) is { } expiry && expiry < Options.TakeoverTime)
            {
                Log.RcdExpiryTooShort(logger, expiry.TotalSeconds, Options.TakeoverTime.TotalSeconds);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is RcloneException or HttpRequestException or OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(ClaimedJob claimed, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await executor.RunClaimedAsync(claimed, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task WaitForWorkAsync(ChannelReader<bool> wake, CancellationToken stoppingToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        idle.CancelAfter(WorkerConstants.IdlePollInterval);
        try
        {
            await wake.ReadAsync(idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> SubscribeAsync(Action<RedisChannel, RedisValue> handler, CancellationToken stoppingToken)
    {
        try
        {
            await redis.Subscriber.SubscribeAsync(RedisChannel.Literal(redis.Keys.WakeChannel), handler).WaitAsync(stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.WakeSubscriptionFailed(logger, ex);
            return false;
        }
    }

    private async Task UnsubscribeAsync(Action<RedisChannel, RedisValue> handler)
    {
        try
        {
            await redis.Subscriber.UnsubscribeAsync(RedisChannel.Literal(redis.Keys.WakeChannel), handler).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.WakeSubscriptionFailed(logger, ex);
        }
    }
}

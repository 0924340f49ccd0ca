using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Batches;
using Rcmd.Breakers;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Services;

namespace Rcmd.Worker.Batches;

/// <summary>
/// Runs batch jobs (<see cref="JobType.Batch"/>) for <see cref="JobExecutor"/>: a batch this Worker claimed (Queued →
/// Running) or adopted from a dead Worker (Running, lease taken over). The caller holds the job's lease and renews it;
/// when the lease is lost or the Worker stops, the token is canceled and the run stops touching the batch.
/// See <see cref="BatchRun"/> for how items are run.
/// </summary>
public sealed partial class BatchRunner(
    JobStore jobs,
    JobQueue queue,
    BatchStore batches,
    RcloneClient rclone,
    RemoteSemaphore semaphore,
    RemoteBreakers breakers,
    JobRetryPolicy retries,
    IOptions<WorkerOptions> workerOptions,
    IOptions<BatchEngineOptions> options,
    TimeProvider time,
    ILogger<BatchRunner> logger)
{
    internal JobStore Jobs => jobs;
    internal JobQueue Queue => queue;
    internal BatchStore Batches => batches;
    internal RcloneClient Rclone => rclone;
    internal RemoteSemaphore Semaphore => semaphore;
    internal RemoteBreakers Breakers => breakers;
    internal JobRetryPolicy Retries => retries;
    internal BatchEngineOptions Options => options.Value;
    internal TimeProvider Time => time;
    internal ILogger Logger => logger;
    internal string WorkerId => workerOptions.Value.WorkerId;

    /// <summary>A batch this Worker has just claimed (Queued, its lease held): start it and run it to its end.</summary>
    public async Task RunClaimedAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (await jobs.IsCancelRequestedAsync(job.Id, cancellationToken).ConfigureAwait(false))
        {
            var canceled = JobStateMachine.Cancel(job, time);
            if (await jobs.SaveAndReleaseAsync(canceled, JobState.Queued, null, WorkerId, clearCancelRequest: true, cancellationToken)
                .ConfigureAwait(false) == SaveResult.Saved)
            {
                LogBatchFinished(logger, job.Id, canceled.State.ToWire(), 0, 0, 0);
            }
            else
            {
                await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var running = JobStateMachine.Start(job, WorkerId, time);
        if (await jobs.SaveAsync(running, JobState.Queued, null, cancellationToken).ConfigureAwait(false) != SaveResult.Saved)
        {
            await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
            return;
        }

        LogBatchStarted(logger, job.Id, running.Attempt, job.Batch?.Total ?? 0);
        if (job.Attempt > 0 || job.Batch?.RetryOf is not null)
        {
            // A resume or a retry of failed items: the operator may have fixed the target meanwhile.
            await ClearFsCacheAsync(job.Id, cancellationToken).ConfigureAwait(false);
        }

        await new BatchRun(this, running).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Empties rcd's Fs cache (rc <c>fscache/clear</c>). rcd keeps every Fs it made — one that failed too, such as a
    /// destination directory that was a file ("is a file not a directory") — for <c>--fs-cache-expire-duration</c> (5 min
    /// by default), so without this a fixed target keeps failing after a resume. Best effort: the items run either way.
    /// </summary>
    private async Task ClearFsCacheAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await rclone.CallAsync("fscache/clear", null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFsCacheClearFailed(logger, ex, id);
        }
    }

    /// <summary>
    /// Whether an item's step failed because rcd itself did not answer (connection refused or cut, the response cut off,
    /// the rcd client's pipeline refusing the call) — as opposed to an error rcd answered about the remote
    /// (<see cref="RcloneException"/>). Such an item is not a failure: it runs again once rcd answers.
    /// </summary>
    public static bool IsRcdUnreachable(Exception exception) =>
        exception is HttpRequestException or IOException or Polly.ExecutionRejectedException;

    /// <summary>
    /// Whether an item's step failed because rcd or the store (Redis) did not answer for a while (not because of the item):
    /// the item goes back to the run's queue without a result and runs again once they answer.
    /// </summary>
    public static bool IsOutage(Exception exception) =>
        IsRcdUnreachable(exception) || exception is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException;

    /// <summary>A running batch this Worker adopted (the record names it): continue from the checkpoint.</summary>
    public async Task RunAdoptedAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        LogBatchAdopted(logger, job.Id, job.Attempt);
        await new BatchRun(this, job).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stats group of a batch's run in rcd (one for all its items).</summary>
    public static string Group(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"rcmd/{job.Id}/{job.Attempt}";
    }

    /// <summary>The rcd call of one item: method and parameters (one synchronous call, in the batch's stats group).</summary>
    public static (string Method, JsonObject Parameters) Command(BatchItem item, string group, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(item);
        var source = RclonePath.SplitFile(item.Source);
        var parameters = item.Op == BatchOp.DeleteFile
            ? new JsonObject { ["fs"] = source.Fs, ["remote"] = source.Remote }
            : new JsonObject
            {
                ["srcFs"] = source.Fs,
                ["srcRemote"] = source.Remote,
                ["dstFs"] = RclonePath.SplitFile(item.Destination!).Fs,
                ["dstRemote"] = RclonePath.SplitFile(item.Destination!).Remote,
            };
        parameters["_group"] = group;
        if (dryRun)
        {
            parameters["_config"] = new JsonObject { ["DryRun"] = true };
        }

        return (item.Op.Method(), parameters);
    }

    /// <summary>The remotes an item touches (source, destination), distinct, for limits and breakers.</summary>
    public static IReadOnlyList<string> RemotesOf(BatchItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var source = RclonePath.RemoteName(item.Source);
        return item.Destination is { } d && RclonePath.RemoteName(d) is var destination && destination != source
            ? [.. new[] { source, destination }.Order(StringComparer.Ordinal)]
            : [source];
    }

    /// <summary>One file found by a directory listing, as an item.</summary>
    public static BatchItem ItemFor(BatchDirectory directory, BatchOp op, string path)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return new BatchItem { Op = op, Source = Join(directory.Source!, path), Destination = Join(directory.Destination!, path) };
    }

    /// <summary>
    /// The directory's include/exclude patterns as rclone filter rules, in the order that gives them their meaning:
    /// excludes first (an excluded file stays out even when an include matches it), then includes, then — when there are
    /// includes — "everything else out".
    /// </summary>
    public static IReadOnlyList<string> FilterRules(BatchDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var rules = new List<string>();
        rules.AddRange((directory.Exclude ?? []).Select(p => "- " + p));
        rules.AddRange((directory.Include ?? []).Select(p => "+ " + p));
        if (directory.Include is { Count: > 0 })
        {
            rules.Add("- **");
        }

        return rules;
    }

    private static string Join(string root, string path) =>
        root.EndsWith('/') || root.EndsWith(':') ? root + path : $"{root}/{path}";

    [LoggerMessage(70, LogLevel.Information, "Batch {job_id} started (attempt {attempt}, {total} items)")]
    internal static partial void LogBatchStarted(ILogger logger, string job_id, int attempt, long total);

    [LoggerMessage(71, LogLevel.Information, "Batch {job_id} adopted (attempt {attempt}): continuing from its checkpoint")]
    internal static partial void LogBatchAdopted(ILogger logger, string job_id, int attempt);

    [LoggerMessage(72, LogLevel.Information,
        "Batch {job_id} ended {job_state}: {succeeded} succeeded, {failed} failed, {pending} not run")]
    internal static partial void LogBatchFinished(ILogger logger, string job_id, string job_state, long succeeded, long failed, long pending);

    [LoggerMessage(73, LogLevel.Information, "Batch {job_id}: resuming {recovered} item(s) that were in flight, from item {cursor}")]
    internal static partial void LogBatchRecovering(ILogger logger, string job_id, int recovered, long cursor);

    [LoggerMessage(74, LogLevel.Warning,
        "Batch {job_id}: stop rule fired ({failed} of {finished} finished items failed, more than {max_ratio}); stopping dispatch")]
    internal static partial void LogStopRule(ILogger logger, string job_id, long failed, long finished, double max_ratio);

    [LoggerMessage(75, LogLevel.Warning, "Batch {job_id}: checkpoint failed; will try again")]
    internal static partial void LogCheckpointFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(76, LogLevel.Warning, "Batch {job_id} changed elsewhere (now {job_state}); no longer touching it")]
    internal static partial void LogChangedElsewhere(ILogger logger, string job_id, string job_state);

    [LoggerMessage(77, LogLevel.Information, "Batch {job_id}: expanded directory into {total} items")]
    internal static partial void LogExpanded(ILogger logger, string job_id, long total);

    [LoggerMessage(78, LogLevel.Warning, "Batch {job_id}: item {index} could not be recorded; it runs again on resume")]
    internal static partial void LogRecordFailed(ILogger logger, Exception exception, string job_id, long index);

    [LoggerMessage(79, LogLevel.Error, "Batch {job_id}: the directory listing failed for good (error_code {error_code})")]
    internal static partial void LogExpansionFailed(ILogger logger, string job_id, string error_code);

    [LoggerMessage(81, LogLevel.Warning, "Batch {job_id}: reading the next items failed; will try again")]
    internal static partial void LogDispatchFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(82, LogLevel.Warning,
        "Batch {job_id}: item {index} could not run ({outage} did not answer); it goes back to the queue, dispatch pauses {pause_ms} ms")]
    internal static partial void LogItemGivenBack(ILogger logger, string job_id, long index, string outage, double pause_ms);

    [LoggerMessage(83, LogLevel.Warning, "Batch {job_id}: clearing rcd's Fs cache before the resumed run failed")]
    internal static partial void LogFsCacheClearFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(84, LogLevel.Information, "Batch {job_id}: {count} item(s) in flight have no result yet; running them again")]
    internal static partial void LogLeftovers(ILogger logger, string job_id, int count);

    [LoggerMessage(80, LogLevel.Information, "Batch {job_id}: cancel requested; aborting items in flight")]
    internal static partial void LogCanceling(ILogger logger, string job_id);
}

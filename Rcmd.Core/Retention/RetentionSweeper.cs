using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications;

namespace Rcmd.Retention;

/// <summary>
/// One retention sweep: under the Redis lease (one replica at a time), in steps of <see cref="RetentionOptions.StepSize"/>
/// jobs, each step archive (written and verified) → delete (one script that keeps every index and count consistent). The
/// passes: jobs past their outcome's retention; item results of batches past <see cref="RetentionOptions.BatchItems"/>;
/// the oldest finished jobs past <see cref="RetentionOptions.MaxFinishedJobs"/>; tombstones past
/// <see cref="RetentionOptions.ArchivedLinks"/>. A failed archive write ends the sweep with nothing of that step deleted,
/// and raises <see cref="NotificationTypes.ArchiveFailed"/>.
/// </summary>
public sealed partial class RetentionSweeper(
    RetentionStore store,
    BatchStore batches,
    IArchiveTarget target,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    RetentionMetrics metrics,
    NotificationStream notifications,
    ILogger<RetentionSweeper> logger)
{
    private RetentionOptions Options => options.Value;

    /// <summary>Runs one sweep as <paramref name="holder"/>; returns what it did (nothing when another replica holds the lease).</summary>
    public async Task<SweepResult> SweepAsync(string holder, CancellationToken cancellationToken)
    {
        if (!await store.TryLeaseAsync(holder, Options.LeaseDuration, cancellationToken).ConfigureAwait(false))
        {
            return SweepResult.NotLeader;
        }

        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var run = new Run(holder, now, RetentionRules.ArchiveFileName(now));
        try
        {
            foreach (var state in RetentionStore.FinishedStates)
            {
                if (!await ExpireByAgeAsync(run, state, cancellationToken).ConfigureAwait(false))
                {
                    return await EndAsync(run, started, cancellationToken).ConfigureAwait(false);
                }
            }

            if (!await StripBatchItemsAsync(run, cancellationToken).ConfigureAwait(false)
                || !await ExpireOverCapAsync(run, cancellationToken).ConfigureAwait(false))
            {
                return await EndAsync(run, started, cancellationToken).ConfigureAwait(false);
            }

            await store.TrimTombstonesAsync(now - Options.ArchivedLinks, Options.MaxArchivedLinks, cancellationToken).ConfigureAwait(false);
            run.Completed = true;
            return await EndAsync(run, started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await store.ReleaseLeaseAsync(holder, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Jobs in <paramref name="state"/> past their retention, oldest first. False when the sweep must stop.</summary>
    private async Task<bool> ExpireByAgeAsync(Run run, JobState state, CancellationToken cancellationToken)
    {
        var cutoff = RetentionRules.CandidateCutoff(state, Options, run.Now);
        long offset = 0;
        while (true)
        {
            var ids = await store.CandidatesAsync(state, cutoff, offset, Options.StepSize, cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return true;
            }

            var stored = await store.ReadAsync(ids, cancellationToken).ConfigureAwait(false);
            var expired = stored.Where(s => s.Job.State == state && RetentionRules.Evaluate(s.Job, Options, run.Now) == RetentionVerdict.Expired).ToList();
            var deleted = await ArchiveAndDeleteAsync(run, expired, cancellationToken).ConfigureAwait(false);
            if (deleted < 0)
            {
                return false;
            }

            // The ones kept (finished later than they were created by more than the margin, or changed) stay ahead.
            offset += ids.Count - deleted;
            if (!await RenewAsync(run, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    /// <summary>The oldest finished jobs past <see cref="RetentionOptions.MaxFinishedJobs"/>.</summary>
    private async Task<bool> ExpireOverCapAsync(Run run, CancellationToken cancellationToken)
    {
        var excess = RetentionRules.OverCap(await store.FinishedCountAsync(cancellationToken).ConfigureAwait(false), Options);
        while (excess > 0)
        {
            var ids = await store.OldestFinishedAsync((int)Math.Min(Options.StepSize, excess), cancellationToken).ConfigureAwait(false);
            var stored = await store.ReadAsync(ids, cancellationToken).ConfigureAwait(false);
            var victims = RetentionRules.CapVictims(stored.Select(s => s.Job), excess).Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
            var deleted = await ArchiveAndDeleteAsync(run, [.. stored.Where(s => victims.Contains(s.Job.Id))], cancellationToken).ConfigureAwait(false);
            if (deleted <= 0 || !await RenewAsync(run, cancellationToken).ConfigureAwait(false))
            {
                return deleted == 0;
            }

            excess -= deleted;
        }

        return true;
    }

    /// <summary>Item results of finished batches past <see cref="RetentionOptions.BatchItems"/> (not of one that may still be resumed).</summary>
    private async Task<bool> StripBatchItemsAsync(Run run, CancellationToken cancellationToken)
    {
        var cutoff = run.Now - Options.BatchItems;
        long offset = 0;
        while (true)
        {
            var ids = await store.BatchCandidatesAsync(cutoff, offset, Options.StepSize, cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return true;
            }

            offset += ids.Count;
            foreach (var batch in await store.ReadAsync(ids, cancellationToken).ConfigureAwait(false))
            {
                if (!RetentionRules.BatchItemsExpired(batch.Job, Options, run.Now) || batch.Job.Batch is { CanResume: true }
                    || !await store.HasBatchItemsAsync(batch.Job.Id, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                var items = await ReadItemsAsync(batch.Job.Id, cancellationToken).ConfigureAwait(false);
                var record = new ArchiveRecord { Kind = ArchiveRecord.KindBatchItems, JobId = batch.Job.Id, ArchivedAt = run.Now, BatchItems = items };
                if (await WriteAsync(run, [record], cancellationToken).ConfigureAwait(false) is not { } write)
                {
                    return false;
                }

                if (await store.StripBatchItemsAsync(batch, write, cancellationToken).ConfigureAwait(false))
                {
                    metrics.BatchItemsArchived(1);
                    run.BatchesStripped++;
                }
            }

            if (!await RenewAsync(run, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    /// <summary>Archives then deletes one step's jobs. The number deleted, or -1 when the archive write failed (nothing deleted).</summary>
    private async Task<int> ArchiveAndDeleteAsync(Run run, IReadOnlyList<StoredJob> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0)
        {
            return 0;
        }

        var records = new List<ArchiveRecord>(jobs.Count);
        foreach (var stored in jobs)
        {
            IReadOnlyList<BatchReportItem>? items = stored.Job.Type == JobType.Batch
                && await store.HasBatchItemsAsync(stored.Job.Id, cancellationToken).ConfigureAwait(false)
                    ? await ReadItemsAsync(stored.Job.Id, cancellationToken).ConfigureAwait(false)
                    : null;
            records.Add(new ArchiveRecord { Kind = ArchiveRecord.KindJob, JobId = stored.Job.Id, ArchivedAt = run.Now, Job = stored.Job, BatchItems = items });
        }

        if (await WriteAsync(run, records, cancellationToken).ConfigureAwait(false) is not { } write)
        {
            return -1;
        }

        metrics.Archived(records.Count);
        var deleted = await store.DeleteArchivedAsync(jobs, write, run.Now, cancellationToken).ConfigureAwait(false);
        metrics.Deleted(deleted.Count);
        run.Archived += deleted.Count;
        return deleted.Count;
    }

    /// <summary>The archive write; null when it failed (recorded, logged, notified).</summary>
    private async Task<ArchiveWrite?> WriteAsync(Run run, IReadOnlyList<ArchiveRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            return await target.AppendAsync(run.File, records, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = SecretRedactor.Redact($"{ex.GetType().Name}: {ex.Message}");
            run.Error = message;
            metrics.ArchiveFailed();
            LogArchiveFailed(logger, target.Locate(run.File), records.Count, message);
            await NotifyAsync(run, message, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private async Task NotifyAsync(Run run, string message, CancellationToken cancellationToken)
    {
        var data = new JsonObject { ["file"] = target.Locate(run.File), ["error"] = message, ["archiveTo"] = Options.ArchiveTo };
        try
        {
            await notifications.AddAsync(NotificationTypes.ArchiveFailed, run.Now, data.ToJsonString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogNotifyFailed(logger, ex.GetType().Name);
        }
    }

    private async Task<IReadOnlyList<BatchReportItem>> ReadItemsAsync(string id, CancellationToken cancellationToken)
    {
        var items = new List<BatchReportItem>();
        await foreach (var item in batches.ReadReportAsync(id, null, null, running: false, cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    private async Task<bool> RenewAsync(Run run, CancellationToken cancellationToken)
    {
        if (await store.TryLeaseAsync(run.Holder, Options.LeaseDuration, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        run.Error = "The sweep lease was lost (another replica took it over).";
        return false;
    }

    private async Task<SweepResult> EndAsync(Run run, long started, CancellationToken cancellationToken)
    {
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        List<KeyValuePair<string, string>> fields = run.Completed
            ? [new("lastSweepAt", run.Now.ToString("O", CultureInfo.InvariantCulture)), new("lastSweepArchived", run.Archived.ToString(CultureInfo.InvariantCulture)),
               new("lastSweepSeconds", seconds.ToString("0.###", CultureInfo.InvariantCulture)), new("lastError", string.Empty)]
            : [new("lastError", run.Error ?? "stopped"), new("lastErrorAt", run.Now.ToString("O", CultureInfo.InvariantCulture))];
        await store.SetStatusAsync(fields, cancellationToken).ConfigureAwait(false);
        if (run.Completed)
        {
            metrics.SweepCompleted(time.GetUtcNow());
        }

        LogSwept(logger, run.Archived, run.BatchesStripped, seconds, run.Completed);
        return new SweepResult(true, run.Completed, run.Archived, run.BatchesStripped, run.Error);
    }

    private sealed class Run(string holder, DateTimeOffset now, string file)
    {
        public string Holder { get; } = holder;
        public DateTimeOffset Now { get; } = now;
        public string File { get; } = file;
        public int Archived { get; set; }
        public int BatchesStripped { get; set; }
        public bool Completed { get; set; }
        public string? Error { get; set; }
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Error,
        Message = "Retention: archive write to {ArchiveFile} failed ({Jobs} records); nothing deleted, sweep stopped: {Error}")]
    private static partial void LogArchiveFailed(ILogger logger, string archiveFile, int jobs, string error);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Retention: the ARCHIVE_FAILED notification could not be written ({ExceptionType})")]
    private static partial void LogNotifyFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information,
        Message = "Retention sweep: {Archived} jobs archived and deleted, {Batches} batches' item results archived, {Seconds:0.###} s, completed {Completed}")]
    private static partial void LogSwept(ILogger logger, int archived, int batches, double seconds, bool completed);
}

/// <summary>What one sweep did. <see cref="Leader"/> is false when another replica held the lease (nothing was done).</summary>
public sealed record SweepResult(bool Leader, bool Completed, int Archived, int BatchesStripped, string? Error)
{
    public static SweepResult NotLeader { get; } = new(false, false, 0, 0, null);
}

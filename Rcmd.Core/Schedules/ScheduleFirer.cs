using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Schedules;

/// <summary>
/// Turns a schedule's run into a job through the normal paths: a job as <c>POST /api/jobs</c> creates it, or a batch as
/// <c>POST /api/batches</c> does (items staged, committed, the batch job queued). Idempotent for a given job id: when
/// the job exists it is returned as is, so a scheduler that takes over a claim from one that died creates no second job.
/// </summary>
public sealed class ScheduleFirer(JobStore jobs, BatchStore batches, TimeProvider time, RetrySettings? retry = null)
{
    /// <summary>The job of cron fire time <paramref name="planned"/>: the same id whoever creates it.</summary>
    public static string JobIdFor(string scheduleId, DateTimeOffset planned) => $"{scheduleId}-{planned.ToUnixTimeMilliseconds()}";

    public async Task<Job> CreateJobAsync(Schedule schedule, string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        // A batch stages its items before its job exists: look first, so a job already there keeps its items. A job is
        // one script that refuses an id that exists, so it needs no look.
        if (schedule.Batch is not null && await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var job = schedule.Batch is { } batch
            ? await StageBatchAsync(batch, jobId, cancellationToken).ConfigureAwait(false)
            : NewJob(schedule.Job ?? throw new InvalidOperationException($"Schedule {schedule.Id} has neither a job nor a batch."), jobId);
        job = job with { ScheduleId = schedule.Id, MaxAttempts = retry?.Attempts };
        if (!await jobs.EnqueueAsync(job, cancellationToken).ConfigureAwait(false))
        {
            // Another scheduler created it between the read and here (a takeover race): that one is the job.
            return await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) ?? job;
        }

        return job;
    }

    private Job NewJob(JobRequest request, string jobId)
    {
        var validation = JobValidator.Validate(request);
        if (validation.Submission is not { } submission)
        {
            throw new InvalidOperationException($"The schedule's job is no longer valid: {string.Join(" ", validation.Errors.SelectMany(e => e.Value))}");
        }

        return JobStateMachine.Create(jobId, submission, time);
    }

    private async Task<Job> StageBatchAsync(ScheduleBatch batch, string jobId, CancellationToken cancellationToken)
    {
        // A claimant that died part-way may have staged some items: start clean (the job does not exist yet).
        await batches.DeleteAsync(jobId, cancellationToken).ConfigureAwait(false);
        var isDirectory = batch.Directory is not null;
        var items = batch.Items ?? [];
        for (var start = 0; start < items.Count; start += BatchStore.ChunkSize)
        {
            await batches.StageItemsAsync(jobId, [.. items.Skip(start).Take(BatchStore.ChunkSize)], cancellationToken).ConfigureAwait(false);
        }

        var total = isDirectory ? 0 : items.Count;
        await batches.CommitItemsAsync(jobId, total, expanded: !isDirectory, cancellationToken).ConfigureAwait(false);
        var summary = new BatchSummary
        {
            Name = batch.Name,
            Kind = isDirectory ? BatchSummary.DirectoryKind : BatchSummary.ItemsKind,
            Op = isDirectory ? batch.Op ?? BatchOp.CopyFile : null,
            Directory = batch.Directory,
            Total = total,
            Pending = total,
            Expanding = isDirectory,
            Options = batch.Options,
        };
        var now = time.GetUtcNow();
        return new Job
        {
            Id = jobId,
            Type = JobType.Batch,
            Source = isDirectory ? batch.Directory!.Source! : items[0].Source,
            Destination = isDirectory ? batch.Directory!.Destination : items[0].Destination,
            Options = new JobOptions { DryRun = batch.Options.DryRun },
            State = JobState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            Batch = summary,
        };
    }
}

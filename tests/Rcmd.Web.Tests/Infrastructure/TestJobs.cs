using Rcmd.Jobs;

namespace Rcmd.Web.Tests.Infrastructure;

/// <summary>Jobs in each state, built the way Rcmd.Core builds them.</summary>
public static class TestJobs
{
    public static readonly DateTimeOffset T0 = new(2025, 5, 4, 12, 0, 0, TimeSpan.Zero);
    private static int _next;

    public static string NewId() => "job-" + Interlocked.Increment(ref _next).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    public static Job Queued(string? id = null, JobType type = JobType.Copy, string source = "/data/in", string? destination = "/data/out") => new()
    {
        Id = id ?? NewId(),
        Type = type,
        Source = source,
        Destination = type.HasDestination() ? destination : null,
        State = JobState.Queued,
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    public static Job Running(string? id = null, double percent = 10, int attempt = 1)
    {
        var queued = Queued(id);
        var started = T0.AddSeconds(1);
        const long total = 100L * 1024 * 1024;
        return queued with
        {
            State = JobState.Running,
            StartedAt = started,
            UpdatedAt = started.AddSeconds(1),
            WorkerId = "worker-1",
            RcloneJobId = 42,
            Attempts = [.. Enumerable.Range(1, attempt).Select(n => new JobAttempt
            {
                Number = n,
                StartedAt = started,
                FinishedAt = n < attempt ? started : null,
                WorkerId = "worker-1",
                ErrorCode = n < attempt ? "server_restarted" : null,
            })],
            Progress = new JobProgress
            {
                Bytes = (long)(total * percent / 100),
                TotalBytes = total,
                Speed = 2 * 1024 * 1024,
                EtaSeconds = 45,
                Transfers = 1,
                TotalTransfers = 10,
                CurrentFile = "photos/a.jpg",
            },
        };
    }

    /// <summary>The same job, <paramref name="seconds"/> later, with new progress.</summary>
    public static Job WithProgress(Job job, double percent, int seconds = 1) => job with
    {
        UpdatedAt = job.UpdatedAt.AddSeconds(seconds),
        Progress = (job.Progress ?? new JobProgress { TotalBytes = 100L * 1024 * 1024 }) with
        {
            Bytes = (long)((job.Progress?.TotalBytes ?? 100L * 1024 * 1024) * percent / 100),
        },
    };

    public static Job Succeeded(Job running, int seconds = 5) => running with
    {
        State = JobState.Succeeded,
        UpdatedAt = running.UpdatedAt.AddSeconds(seconds),
        FinishedAt = running.UpdatedAt.AddSeconds(seconds),
        Attempts = [.. running.Attempts.Take(running.Attempts.Count - 1), running.Attempts[^1] with { FinishedAt = running.UpdatedAt.AddSeconds(seconds) }],
    };

    /// <summary>A batch job in <paramref name="state"/> with its summary (200 items; 8 failed: 5 not_found, 3 access_denied).</summary>
    public static Job Batch(JobState state = JobState.PartiallyFailed, bool canResume = true, long failed = 8, string? id = null)
    {
        var running = Running(id) with { Type = JobType.Batch, Source = "/data/in/a.jpg", Destination = "/data/out/a.jpg", Progress = null };
        var finished = running.UpdatedAt.AddSeconds(10);
        return running with
        {
            State = state,
            UpdatedAt = state == JobState.Running ? running.UpdatedAt : finished,
            FinishedAt = state.IsTerminal() ? finished : null,
            Error = state == JobState.PartiallyFailed
                ? new JobError { Code = "not_found", Message = $"{failed} of 200 items failed", Retryable = canResume }
                : null,
            Batch = new Batches.BatchSummary
            {
                Name = "nightly photos",
                Kind = Batches.BatchSummary.ItemsKind,
                Total = 200,
                Succeeded = 200 - failed - (state == JobState.Running ? 40 : 0),
                Failed = failed,
                Pending = state == JobState.Running ? 32 : 0,
                Running = state == JobState.Running ? 8 : 0,
                FailedByCode = failed == 0 ? new Dictionary<string, long>() : new Dictionary<string, long> { ["not_found"] = 5, ["access_denied"] = failed - 5 },
                RetryableFailed = canResume ? 3 : 0,
                CanResume = canResume,
            },
        };
    }

    public static Job Failed(string? id = null, string code = "not_found", string message = "directory not found")
    {
        var running = Running(id);
        var finished = running.UpdatedAt.AddSeconds(2);
        return running with
        {
            State = JobState.Failed,
            UpdatedAt = finished,
            FinishedAt = finished,
            Error = new JobError { Code = code, Message = message },
            Attempts = [running.Attempts[0] with { FinishedAt = finished, ErrorCode = code, ErrorMessage = message }],
        };
    }
}

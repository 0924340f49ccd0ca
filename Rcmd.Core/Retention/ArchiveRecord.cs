using System.Text.Json;
using System.Text.Json.Serialization;
using Rcmd.Batches;
using Rcmd.Jobs;

namespace Rcmd.Retention;

/// <summary>
/// One line of an archive file (gzipped JSON Lines): a whole job as Redis held it — attempts, error, batch summary — and,
/// for a batch, its item results; or (<see cref="KindBatchItems"/>) a batch's item results alone, dropped after
/// <see cref="RetentionOptions.BatchItems"/> while the job itself stays. Records hold what the Api shows, which never
/// carries a secret (messages are redacted when they are recorded).
/// </summary>
public sealed record ArchiveRecord
{
    public const string KindJob = "job";
    public const string KindBatchItems = "batchItems";

    public required string Kind { get; init; }
    public required string JobId { get; init; }
    public required DateTimeOffset ArchivedAt { get; init; }
    public Job? Job { get; init; }
    public IReadOnlyList<BatchReportItem>? BatchItems { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ArchiveRecord))]
[JsonSerializable(typeof(RetentionState))]
[JsonSerializable(typeof(RetentionSettings))]
[JsonSerializable(typeof(RetentionView))]
[JsonSerializable(typeof(ArchivedJobResponse))]
[JsonSerializable(typeof(RcArchivedJob))]
public sealed partial class RetentionJsonContext : JsonSerializerContext;

/// <summary>The retention settings in force, as <c>GET /api/retention</c> shows them (for the dashboard's settings view).</summary>
public sealed record RetentionSettings(TimeSpan Succeeded, TimeSpan Failed, TimeSpan BatchItems, long MaxFinishedJobs, string ArchiveTo,
    TimeSpan SweepInterval, TimeSpan ArchivedLinks)
{
    public static RetentionSettings From(RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // ArchiveTo may be an inline remote with credentials (":s3,secret_access_key=…:bucket"): shown masked.
        return new(options.Succeeded, options.Failed, options.BatchItems, options.MaxFinishedJobs, Failures.SecretRedactor.Redact(options.ArchiveTo),
            options.SweepInterval, options.ArchivedLinks);
    }
}

/// <summary><c>GET /api/retention</c>: the settings, how far back live history goes, and the sweep's last run and totals.</summary>
public sealed record RetentionView(RetentionSettings Settings, RetentionState State)
{
    /// <summary>When the next sweep is due: the last one plus the sweep interval (null before the first sweep).</summary>
    public DateTimeOffset? NextSweepAt { get; init; }

    /// <summary>Redis's memory now (<c>INFO memory</c>): what retention keeps bounded; null when it could not be read.</summary>
    public Storage.RedisMemoryInfo? Redis { get; init; }
}

/// <summary>
/// The body of the 410 that <c>GET /api/jobs/{id}</c> answers for an archived job: the Api's error shape (<c>error</c>,
/// code <c>not_found</c>) and <c>archived</c>, which says where the job is now.
/// </summary>
public sealed record ArchivedJobResponse(Failures.ErrorBody Error, ArchivedJob Archived)
{
    public static ArchivedJobResponse For(string id, DateTimeOffset archivedAt, string archiveFile) => new(
        Failures.ErrorResponse.Create(Failures.ErrorCodes.NotFound,
            $"Job '{id}' was archived on {archivedAt:yyyy-MM-dd} and is no longer in live history: it is in {archiveFile}.",
            suggestion: "Read it from the archive file (gzipped JSON Lines, one job per line).").Error,
        new ArchivedJob(id, archivedAt, archiveFile));
}

/// <summary>Where an archived job went.</summary>
public sealed record ArchivedJob(string Id, DateTimeOffset ArchivedAt, string ArchiveFile);

/// <summary>
/// What rclone's <c>job/status</c> shows of an RC job (<see cref="Job.Rc"/>) that the retention sweep archived: kept in
/// <see cref="Storage.RedisKeys.RcArchived"/> by its RC job id, so the id still answers after its record left Redis.
/// </summary>
public sealed record RcArchivedJob(long Id, string JobId, string Group, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt,
    bool Succeeded, string? Error, DateTimeOffset ArchivedAt)
{
    public static RcArchivedJob From(Job job, DateTimeOffset archivedAt)
    {
        ArgumentNullException.ThrowIfNull(job);
        var rc = job.Rc ?? throw new ArgumentException($"Job {job.Id} did not come through the RC API.", nameof(job));
        return new(rc.JobId, job.Id, rc.Group, job.StartedAt ?? job.CreatedAt, job.FinishedAt ?? job.UpdatedAt,
            job.State == JobState.Succeeded, job.State == JobState.Succeeded ? null : job.Error?.Message ?? job.State.ToWire(), archivedAt);
    }
}

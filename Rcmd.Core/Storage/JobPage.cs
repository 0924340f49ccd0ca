using Rcmd.Jobs;

namespace Rcmd.Storage;

/// <summary>
/// A filter and a page of the job list. Pages count from 1; newest jobs come first unless <see cref="Ascending"/>.
/// Every filter is an index sorted set (see <see cref="RedisKeys"/>); the time range bounds the creation-time scores.
/// </summary>
public sealed record JobQuery(JobState? State = null, int Page = 1, int PageSize = JobQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public JobType? Type { get; init; }

    /// <summary>A remote name as <see cref="RclonePath.RemoteName"/> gives it (<c>local</c>, <c>s3prod</c>, <c>:s3</c>).</summary>
    public string? Remote { get; init; }

    /// <summary>One of <see cref="Failures.ErrorCodes"/>: failed jobs that ended with it.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Jobs created at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Jobs created at or before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Oldest first instead of newest first; with <see cref="SortBy"/> State or Type: A to Z instead of Z to A.</summary>
    public bool Ascending { get; init; }

    /// <summary>
    /// The column the page is ordered by. State and Type order by the wire name, then newest first within each
    /// (each state and type has its own index, so no job is read to sort).
    /// </summary>
    public JobSort SortBy { get; init; } = JobSort.Created;
}

/// <summary>What a job list is ordered by.</summary>
public enum JobSort
{
    /// <summary>Creation time.</summary>
    Created,

    /// <summary>State (wire name), then creation time, newest first.</summary>
    State,

    /// <summary>Type (wire name), then creation time, newest first.</summary>
    Type,
}

public sealed record JobPage(IReadOnlyList<Job> Items, long Total, int Page, int PageSize);

/// <summary>How many jobs are in each state.</summary>
public sealed record JobCounts(IReadOnlyDictionary<string, long> ByState, long Total, long QueueLength);

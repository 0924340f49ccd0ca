using Rcmd.Jobs;

namespace Rcmd.Storage;

/// <summary>A filter and a page of the job list. Pages count from 1; newest jobs come first.</summary>
public sealed record JobQuery(JobState? State = null, int Page = 1, int PageSize = JobQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
}

public sealed record JobPage(IReadOnlyList<Job> Items, long Total, int Page, int PageSize);

/// <summary>How many jobs are in each state.</summary>
public sealed record JobCounts(IReadOnlyDictionary<string, long> ByState, long Total, long QueueLength);

namespace Rcmd.Jobs;

/// <summary>What a client sends to create a job, as it arrives: every field may be missing or wrong.</summary>
public sealed record JobRequest
{
    public string? Type { get; init; }
    public string? Source { get; init; }
    public string? Destination { get; init; }
    public JobOptions? Options { get; init; }
}

/// <summary>A request that passed <see cref="JobValidator"/>.</summary>
public sealed record JobSubmission(JobType Type, string Source, string? Destination, JobOptions Options);

using Rcmd.Failures;
using Rcmd.Storage;

namespace Rcmd.Api.Services;

/// <summary>What the jobs endpoints need, bound with <c>[AsParameters]</c> so handlers stay short.</summary>
public sealed class JobServices(JobStore store, TimeProvider time, RetrySettings retry, ILogger<JobServices> logger)
{
    public JobStore Store { get; } = store;

    /// <summary>The retry settings the Workers run with (same environment): new jobs record their attempts.</summary>
    public RetrySettings Retry { get; } = retry;
    public TimeProvider Time { get; } = time;
    public ILogger<JobServices> Logger { get; } = logger;

    /// <summary>A new job id: a version-7 GUID (time-ordered) without dashes.</summary>
    public string NewJobId() => Guid.CreateVersion7(Time.GetUtcNow()).ToString("N");
}

using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary>What the batch endpoints need, bound with <c>[AsParameters]</c>.</summary>
public sealed class BatchServices(JobStore jobs, BatchStore batches, TimeProvider time, RetrySettings retry, ILogger<BatchServices> logger)
{
    public JobStore Jobs { get; } = jobs;
    public BatchStore Batches { get; } = batches;
    public TimeProvider Time { get; } = time;
    public RetrySettings Retry { get; } = retry;
    public ILogger<BatchServices> Logger { get; } = logger;

    /// <summary>A new batch id: a version-7 GUID (time-ordered) without dashes, as for jobs.</summary>
    public string NewJobId() => Guid.CreateVersion7(Time.GetUtcNow()).ToString("N");
}

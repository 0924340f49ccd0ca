using System.ComponentModel.DataAnnotations;

namespace Rcmd.Worker.Rclone;

/// <summary>
/// The standard resilience handler on the Worker → rcd HttpClient, in Microsoft.Extensions.Http.Resilience's order
/// and with its defaults: concurrency limiter → total timeout → retry → circuit breaker → attempt timeout.
/// Bound from <c>Rclone:Resilience</c> (<c>Rclone__Resilience__AttemptTimeout=00:00:05</c>, …), validated at start.
/// Transfers run async in rcd, so these numbers govern control calls only (start, status, stats, stop).
/// </summary>
public sealed class RcloneResilienceOptions : IValidatableObject
{
    public const string Section = "Rclone:Resilience";

    /// <summary>Most requests to rcd in flight at once; one more is rejected at once (or queued, see below). Default 1000.</summary>
    [Range(1, 100_000)]
    public int ConcurrencyLimit { get; set; } = RcloneResilienceConstants.DefaultConcurrencyLimit;

    /// <summary>Requests that may wait for a free slot when the limit is reached. Default 0.</summary>
    [Range(0, 100_000)]
    public int ConcurrencyQueueLimit { get; set; } = RcloneResilienceConstants.DefaultConcurrencyQueueLimit;

    /// <summary>The whole call, retries and their delays included. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.011", "1.00:00:00")]
    public TimeSpan TotalTimeout { get; set; } = RcloneResilienceConstants.DefaultTotalTimeout;

    /// <summary>Retries after the first try (0 = none). Default 3.</summary>
    [Range(0, 100)]
    public int MaxRetryAttempts { get; set; } = RcloneResilienceConstants.DefaultMaxRetryAttempts;

    /// <summary>The base of the exponential backoff between retries. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = RcloneResilienceConstants.DefaultRetryBaseDelay;

    /// <summary>Whether retry delays are spread with jitter, so many callers do not retry in step. Default true.</summary>
    public bool UseJitter { get; set; } = RcloneResilienceConstants.DefaultUseJitter;

    /// <summary>Whether a <c>Retry-After</c> header on a 429/503 sets the delay before the retry. Default true.</summary>
    public bool ShouldRetryAfterHeader { get; set; } = RcloneResilienceConstants.DefaultShouldRetryAfterHeader;

    /// <summary>The share of failed attempts, within the sampling duration, that opens the circuit. Default 0.1.</summary>
    [Range(0.0, 1.0)]
    public double FailureRatio { get; set; } = RcloneResilienceConstants.DefaultFailureRatio;

    /// <summary>The window over which the failure ratio is measured. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.501", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = RcloneResilienceConstants.DefaultSamplingDuration;

    /// <summary>Attempts that must pass within the window before the breaker may open. Default 100.</summary>
    [Range(2, int.MaxValue)]
    public int MinimumThroughput { get; set; } = RcloneResilienceConstants.DefaultMinimumThroughput;

    /// <summary>How long an open circuit rejects calls before it lets one through to test rcd. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = RcloneResilienceConstants.DefaultBreakDuration;

    /// <summary>One attempt. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.011", "1.00:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = RcloneResilienceConstants.DefaultAttemptTimeout;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AttemptTimeout > TotalTimeout)
        {
            yield return new ValidationResult(
                $"Rclone:Resilience:AttemptTimeout ({AttemptTimeout}) must not exceed Rclone:Resilience:TotalTimeout ({TotalTimeout}).",
                [nameof(AttemptTimeout), nameof(TotalTimeout)]);
        }

        // The rule Microsoft.Extensions.Http.Resilience applies: a window must see at least two attempts that time out.
        if (SamplingDuration < 2 * AttemptTimeout)
        {
            yield return new ValidationResult(
                $"Rclone:Resilience:SamplingDuration ({SamplingDuration}) must be at least twice Rclone:Resilience:AttemptTimeout ({AttemptTimeout}).",
                [nameof(SamplingDuration), nameof(AttemptTimeout)]);
        }
    }
}

using Rcmd.Failures;

namespace Rcmd.Worker.Services;

/// <summary>
/// Whether a failed run is tried again and after how long (failure-taxonomy.md; issue 3 §2): only when the classifier
/// calls the failure retryable and the job has runs left (<see cref="RetrySettings.Attempts"/>, the first run included);
/// the wait is the server's <c>Retry-After</c> when rclone surfaced one, else exponential backoff with jitter
/// (<see cref="RetryBackoff"/>). The settings come from <c>RCLONE_RETRY_*</c>, read once at start.
/// </summary>
public sealed class JobRetryPolicy(RetrySettings settings, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    public RetrySettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>
    /// The wait before the run after <paramref name="attemptNumber"/> (1 = the first run failed), or null when the
    /// failure is not retried.
    /// </summary>
    public TimeSpan? DelayBeforeRetry(int attemptNumber, Classification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        if (!classification.Retryable || attemptNumber < 1 || !Settings.AllowsRetryAfter(attemptNumber))
        {
            return null;
        }

        return RetryBackoff.Delay(attemptNumber, Settings, _random, classification.RetryAfter);
    }
}

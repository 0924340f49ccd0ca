namespace Rcmd.Worker.Rclone;

/// <summary>The defaults of <see cref="RcloneResilienceOptions"/>: those of Microsoft.Extensions.Http.Resilience's standard handler.</summary>
internal static class RcloneResilienceConstants
{
    public const int DefaultConcurrencyLimit = 1000;

    public const int DefaultConcurrencyQueueLimit = 0;

    public static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromSeconds(30);

    public const int DefaultMaxRetryAttempts = 3;

    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(2);

    public const bool DefaultUseJitter = true;

    public const bool DefaultShouldRetryAfterHeader = true;

    public const double DefaultFailureRatio = 0.1;

    public static readonly TimeSpan DefaultSamplingDuration = TimeSpan.FromSeconds(30);

    public const int DefaultMinimumThroughput = 100;

    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(10);
}

namespace Rcmd.Breakers;

/// <summary>The defaults of <see cref="BreakerOptions"/>: the numbers of resilience-patterns.md's circuit breaker.</summary>
internal static class BreakerConstants
{
    public const bool DefaultEnabled = true;

    /// <summary>Consecutive breaker-relevant failures that open the breaker (the seed's <c>failureThreshold: 5</c>).</summary>
    public const int DefaultFailureThreshold = 5;

    /// <summary>How long an open breaker fails fast (the seed's <c>timeout: 60000</c>).</summary>
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(60);

    /// <summary>Probes let through at a time while half-open.</summary>
    public const int DefaultHalfOpenMaxProbes = 1;

    /// <summary>Successes while half-open that close the breaker (the seed's <c>successThreshold: 3</c>).</summary>
    public const int DefaultSuccessThreshold = 3;

    /// <summary>The failure count starts again after this long without a failure (the seed's <c>resetTimeout: 120000</c>).</summary>
    public static readonly TimeSpan DefaultFailureWindow = TimeSpan.FromSeconds(120);

    /// <summary>The bound on one control call for a remote (the seed's <c>executeWithTimeout</c>, 30 s).</summary>
    public static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a half-open probe holds its slot without reporting an outcome.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>When every half-open probe slot is taken, a refused job is due again after this.</summary>
    public static readonly TimeSpan DefaultHalfOpenRetryInterval = TimeSpan.FromSeconds(5);

    /// <summary>The remote name of plain local paths (<see cref="Jobs.RclonePath.RemoteName"/>) and the inline local backend.</summary>
    public const string LocalRemote = "local";

    public const string InlineLocalRemote = ":local";

    /// <summary>Longest error message kept on a breaker (after redaction).</summary>
    public const int MaxErrorMessageLength = 500;

    /// <summary>Entries kept in the notifications stream (approximately: <c>XADD … MAXLEN ~</c>).</summary>
    public const int NotificationStreamLength = 10_000;
}

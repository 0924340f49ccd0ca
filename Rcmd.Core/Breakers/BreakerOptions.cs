using System.ComponentModel.DataAnnotations;

namespace Rcmd.Breakers;

/// <summary>
/// The circuit breaker per remote (issue 3 §4), bound from the <c>Breakers</c> section (<c>Breakers__BreakDuration=00:00:30</c>)
/// and validated when the host starts. Every number can be overridden per remote under
/// <c>Breakers:Remotes:&lt;name&gt;</c> (<c>Breakers__Remotes__s3prod__FailureThreshold=10</c>); inline backends
/// (<c>:s3</c>) cannot be named in a configuration key (':' is its separator) and take the global numbers.
/// <para>
/// Local paths are exempt: <c>local</c> (plain paths) and <c>:local</c> never get a breaker, because a failing disk is
/// not a remote that recovers by being left alone, and one bad path must not stop every local job.
/// <c>Breakers:Remotes:local:Enabled=true</c> turns it on for plain local paths.
/// </para>
/// </summary>
public sealed class BreakerOptions : IValidatableObject
{
    public const string Section = "Breakers";

    /// <summary>Whether breakers are used at all. Off, every job and read goes straight to the remote. Default true.</summary>
    public bool Enabled { get; set; } = BreakerConstants.DefaultEnabled;

    /// <summary>Consecutive breaker-relevant failures (see <see cref="BreakerStateMachine.Counts"/>) that open the breaker. Default 5.</summary>
    [Range(1, 10_000)]
    public int FailureThreshold { get; set; } = BreakerConstants.DefaultFailureThreshold;

    /// <summary>How long an open breaker refuses before it half-opens. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = BreakerConstants.DefaultBreakDuration;

    /// <summary>Probes let through at a time while half-open. Default 1.</summary>
    [Range(1, 1000)]
    public int HalfOpenMaxProbes { get; set; } = BreakerConstants.DefaultHalfOpenMaxProbes;

    /// <summary>Successes while half-open that close the breaker. Default 3.</summary>
    [Range(1, 10_000)]
    public int SuccessThreshold { get; set; } = BreakerConstants.DefaultSuccessThreshold;

    /// <summary>The failure count starts again after this long without a breaker-relevant failure. Default 120 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = BreakerConstants.DefaultFailureWindow;

    /// <summary>
    /// The bound on one control call for the remote: the Api's <c>list</c>/<c>about</c>/<c>size</c> reads give up after
    /// it with <c>upstream_timeout</c>, which counts as a failure. Transfers are not bounded by it. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan OperationTimeout { get; set; } = BreakerConstants.DefaultOperationTimeout;

    /// <summary>
    /// How long a half-open probe holds its slot without reporting (its Worker may have died, or the transfer is long);
    /// after it another probe may go. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan ProbeTimeout { get; set; } = BreakerConstants.DefaultProbeTimeout;

    /// <summary>When every half-open probe slot is taken, a refused job waits this long before it asks again. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan HalfOpenRetryInterval { get; set; } = BreakerConstants.DefaultHalfOpenRetryInterval;

    /// <summary>Overrides per configured remote, by the remote's name.</summary>
    public Dictionary<string, BreakerRemoteOptions> Remotes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The settings that apply to <paramref name="remote"/>: its overrides over the global values.</summary>
    public BreakerSettings For(string remote)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        var overrides = Find(remote);
        var exempt = remote is BreakerConstants.LocalRemote or BreakerConstants.InlineLocalRemote;
        return new BreakerSettings
        {
            Enabled = Enabled && (overrides?.Enabled ?? !exempt) && remote != BreakerConstants.InlineLocalRemote,
            FailureThreshold = overrides?.FailureThreshold ?? FailureThreshold,
            BreakDuration = overrides?.BreakDuration ?? BreakDuration,
            HalfOpenMaxProbes = overrides?.HalfOpenMaxProbes ?? HalfOpenMaxProbes,
            SuccessThreshold = overrides?.SuccessThreshold ?? SuccessThreshold,
            FailureWindow = overrides?.FailureWindow ?? FailureWindow,
            OperationTimeout = overrides?.OperationTimeout ?? OperationTimeout,
            ProbeTimeout = overrides?.ProbeTimeout ?? ProbeTimeout,
            HalfOpenRetryInterval = overrides?.HalfOpenRetryInterval ?? HalfOpenRetryInterval,
            Fallback = string.IsNullOrWhiteSpace(overrides?.Fallback) ? null : overrides.Fallback.Trim(),
        };
    }

    /// <summary>The longest <see cref="OperationTimeout"/> of any remote (the Api's read endpoints allow this much).</summary>
    public TimeSpan MaxOperationTimeout =>
        Remotes.Values.Select(r => r.OperationTimeout ?? OperationTimeout).Append(OperationTimeout).Max();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, remote) in Remotes)
        {
            if (remote is null)
            {
                continue;
            }

            var results = new List<ValidationResult>();
            Validator.TryValidateObject(remote, new ValidationContext(remote), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult($"{Section}:Remotes:{name}: {result.ErrorMessage}",
                    [.. result.MemberNames.Select(m => $"{nameof(Remotes)}[{name}].{m}")]);
            }

            if (remote.Fallback is { } fallback && string.Equals(fallback.Trim(), name, StringComparison.Ordinal))
            {
                yield return new ValidationResult($"{Section}:Remotes:{name}:Fallback names the remote itself.",
                    [$"{nameof(Remotes)}[{name}].{nameof(BreakerRemoteOptions.Fallback)}"]);
            }
        }
    }

    // Configuration keys are case-insensitive; rclone's remote names are not. An exact match wins.
    private BreakerRemoteOptions? Find(string remote) =>
        Remotes.TryGetValue(remote, out var exact) ? exact
        : Remotes.FirstOrDefault(p => string.Equals(p.Key, remote, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// What one remote overrides of <see cref="BreakerOptions"/> (<c>Breakers:Remotes:&lt;name&gt;:…</c>); unset values
/// take the global ones.
/// </summary>
public sealed class BreakerRemoteOptions
{
    /// <summary>Off, the remote has no breaker. Default: on, except for <c>local</c>.</summary>
    public bool? Enabled { get; set; }

    [Range(1, 10_000)]
    public int? FailureThreshold { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan? BreakDuration { get; set; }

    [Range(1, 1000)]
    public int? HalfOpenMaxProbes { get; set; }

    [Range(1, 10_000)]
    public int? SuccessThreshold { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan? FailureWindow { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan? OperationTimeout { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan? ProbeTimeout { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan? HalfOpenRetryInterval { get; set; }

    /// <summary>
    /// A remote the Api's reads (<c>list</c>, <c>about</c>, <c>size</c>) use while this one's breaker is open and no
    /// cached result exists — a replica holding the same data. One hop: the fallback's own fallback is not followed.
    /// </summary>
    [StringLength(200)]
    public string? Fallback { get; set; }
}

/// <summary>The resolved settings of one remote's breaker (see <see cref="BreakerOptions.For"/>).</summary>
public sealed record BreakerSettings
{
    /// <summary>The settings with every default: what a test or a caller without configuration uses.</summary>
    public static BreakerSettings Default { get; } = new BreakerOptions().For("remote");

    public bool Enabled { get; init; } = true;
    public int FailureThreshold { get; init; } = BreakerConstants.DefaultFailureThreshold;
    public TimeSpan BreakDuration { get; init; } = BreakerConstants.DefaultBreakDuration;
    public int HalfOpenMaxProbes { get; init; } = BreakerConstants.DefaultHalfOpenMaxProbes;
    public int SuccessThreshold { get; init; } = BreakerConstants.DefaultSuccessThreshold;
    public TimeSpan FailureWindow { get; init; } = BreakerConstants.DefaultFailureWindow;
    public TimeSpan OperationTimeout { get; init; } = BreakerConstants.DefaultOperationTimeout;
    public TimeSpan ProbeTimeout { get; init; } = BreakerConstants.DefaultProbeTimeout;
    public TimeSpan HalfOpenRetryInterval { get; init; } = BreakerConstants.DefaultHalfOpenRetryInterval;
    public string? Fallback { get; init; }
}

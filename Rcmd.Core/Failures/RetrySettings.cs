using System.Globalization;

namespace Rcmd.Failures;

/// <summary>
/// How a failed job whose classification is retryable runs again (failure-taxonomy.md, issue 3 §2):
/// exponential backoff from <see cref="BaseDelay"/> up to <see cref="MaxDelay"/>, spread by ±<see cref="JitterRatio"/>.
/// Read once at start from <c>RCLONE_RETRY_ATTEMPTS</c>, <c>RCLONE_RETRY_BASE_DELAY</c>, <c>RCLONE_RETRY_MAX_DELAY</c>
/// and <c>RCLONE_RETRY_JITTER_RATIO</c>; a bad value stops start-up with <see cref="InvalidRetrySettingException"/>.
/// </summary>
/// <param name="Attempts">
/// Runs a job gets in all, the first one included: 3 (the default) means the first run and at most two retries;
/// 1 turns retries off. 1–100.
/// </param>
/// <param name="BaseDelay">The wait before the first retry; it doubles for each further retry. Default 800 ms.</param>
/// <param name="MaxDelay">The computed wait never goes above this (before jitter). Default 8 s.</param>
/// <param name="JitterRatio">Each wait is spread uniformly by ± this share of itself (0 = none). 0–1, default 0.2.</param>
public sealed record RetrySettings(int Attempts, TimeSpan BaseDelay, TimeSpan MaxDelay, double JitterRatio)
{
    public const string AttemptsVariable = "RCLONE_RETRY_ATTEMPTS";
    public const string BaseDelayVariable = "RCLONE_RETRY_BASE_DELAY";
    public const string MaxDelayVariable = "RCLONE_RETRY_MAX_DELAY";
    public const string JitterRatioVariable = "RCLONE_RETRY_JITTER_RATIO";

    public const int MaxAttempts = 100;

    /// <summary>The taxonomy's defaults: <c>3</c>, <c>800ms</c>, <c>8s</c>, <c>0.2</c>.</summary>
    public static RetrySettings Default { get; } = new(3, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(8), 0.2);

    /// <summary>Whether a run numbered <paramref name="attemptNumber"/> (1 = the first run) that failed retryably may run again.</summary>
    public bool AllowsRetryAfter(int attemptNumber) => attemptNumber < Attempts;

    /// <summary>Reads the process environment; unset or empty variables keep their defaults.</summary>
    public static RetrySettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Reads the four variables through <paramref name="getVariable"/> (an <c>IConfiguration</c> indexer works too).
    /// Throws <see cref="InvalidRetrySettingException"/> naming the variable and its value when one is not usable.
    /// </summary>
    public static RetrySettings FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var defaults = Default;

        var attempts = defaults.Attempts;
        if (Value(getVariable, AttemptsVariable) is { } attemptsText)
        {
            if (!int.TryParse(attemptsText, NumberStyles.None, CultureInfo.InvariantCulture, out attempts) || attempts is < 1 or > MaxAttempts)
            {
                throw new InvalidRetrySettingException(AttemptsVariable, attemptsText,
                    $"a whole number of runs from 1 to {MaxAttempts} (the first run included; 1 = no retries)");
            }
        }

        var baseDelay = Duration(getVariable, BaseDelayVariable, defaults.BaseDelay);
        var maxDelay = Duration(getVariable, MaxDelayVariable, defaults.MaxDelay);
        if (maxDelay < baseDelay)
        {
            throw new InvalidRetrySettingException(MaxDelayVariable, GoDuration.Format(maxDelay),
                $"a duration not shorter than {BaseDelayVariable} ({GoDuration.Format(baseDelay)})");
        }

        var jitter = defaults.JitterRatio;
        if (Value(getVariable, JitterRatioVariable) is { } jitterText)
        {
            if (!double.TryParse(jitterText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out jitter)
                || double.IsNaN(jitter) || jitter is < 0 or > 1)
            {
                throw new InvalidRetrySettingException(JitterRatioVariable, jitterText, "a number from 0 to 1, e.g. 0.2");
            }
        }

        return new RetrySettings(attempts, baseDelay, maxDelay, jitter);
    }

    private static TimeSpan Duration(Func<string, string?> getVariable, string name, TimeSpan fallback)
    {
        if (Value(getVariable, name) is not { } text)
        {
            return fallback;
        }

        if (!GoDuration.TryParse(text, out var value) || value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new InvalidRetrySettingException(name, text,
                "a positive Go duration up to 24h, e.g. 800ms, 1.5s, 1m30s, 2h");
        }

        return value;
    }

    private static string? Value(Func<string, string?> getVariable, string name) =>
        getVariable(name) is { } raw && raw.Trim() is { Length: > 0 } trimmed ? trimmed : null;
}

/// <summary>A <c>RCLONE_RETRY_*</c> variable holds a value Rcmd cannot use; the message names both.</summary>
public sealed class InvalidRetrySettingException(string variable, string value, string expected)
    : FormatException($"{variable}='{value}' is not valid: expected {expected}.")
{
    public string Variable { get; } = variable;
    public string Value { get; } = value;
}

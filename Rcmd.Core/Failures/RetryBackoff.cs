namespace Rcmd.Failures;

/// <summary>
/// The wait before a retry, as a pure function:
/// <c>min(MaxDelay, BaseDelay · 2^(retry-1))</c>, then spread uniformly by ±<c>JitterRatio</c> of itself.
/// A server's <c>Retry-After</c> (when rclone surfaces one, see <see cref="Classification.RetryAfter"/>) wins over the
/// computed wait. Jitter is applied after the cap, so a wait may exceed <c>MaxDelay</c> by at most the ratio.
/// </summary>
public static class RetryBackoff
{
    /// <param name="retry">1 for the first retry (after the first run failed), 2 for the second, …</param>
    /// <param name="settings">The retry settings.</param>
    /// <param name="random">A source of uniform numbers in [0, 1); <see cref="Random.Shared"/>'s <c>NextDouble</c> in production.</param>
    /// <param name="retryAfter">The server's <c>Retry-After</c>, when known: returned as it is.</param>
    public static TimeSpan Delay(int retry, RetrySettings settings, Func<double> random, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);

        if (retryAfter is { } serverSays && serverSays >= TimeSpan.Zero)
        {
            return serverSays;
        }

        var computed = Computed(retry, settings);
        if (settings.JitterRatio <= 0)
        {
            return computed;
        }

        var sample = Math.Clamp(random(), 0, 1);
        var factor = 1 + settings.JitterRatio * (2 * sample - 1);
        return TimeSpan.FromTicks(Math.Max(0, (long)(computed.Ticks * factor)));
    }

    /// <inheritdoc cref="Delay(int, RetrySettings, Func{double}, TimeSpan?)"/>
    public static TimeSpan Delay(int retry, RetrySettings settings, Random random, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Delay(retry, settings, random.NextDouble, retryAfter);
    }

    /// <summary>The wait before jitter: <c>min(MaxDelay, BaseDelay · 2^(retry-1))</c>.</summary>
    public static TimeSpan Computed(int retry, RetrySettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        ArgumentNullException.ThrowIfNull(settings);

        // 2^62 ticks is past any cap; stop doubling before it overflows.
        var exponent = Math.Min(retry - 1, 62);
        var ticks = settings.BaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= settings.MaxDelay.Ticks ? settings.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}

using Rcmd.Failures;

namespace Rcmd.Core.Tests.Failures;

public sealed class RetrySettingsTests
{
    [Fact]
    public void FromEnvironment_NothingSet_TaxonomyDefaults()
    {
        var settings = RetrySettings.FromEnvironment(_ => null);

        Assert.Equal(new RetrySettings(3, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(8), 0.2), settings);
        Assert.Equal(RetrySettings.Default, settings);
    }

    [Fact]
    public void FromEnvironment_AllSet_ReadsThem()
    {
        var env = new Dictionary<string, string?>
        {
            ["RCLONE_RETRY_ATTEMPTS"] = "5",
            ["RCLONE_RETRY_BASE_DELAY"] = "1.5s",
            ["RCLONE_RETRY_MAX_DELAY"] = "1m30s",
            ["RCLONE_RETRY_JITTER_RATIO"] = "0.5",
        };

        var settings = RetrySettings.FromEnvironment(name => env.GetValueOrDefault(name));

        Assert.Equal(new RetrySettings(5, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(90), 0.5), settings);
    }

    [Theory]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "300us", 300 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "300µs", 300 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("RCLONE_RETRY_MAX_DELAY", "2h", 2 * TimeSpan.TicksPerHour)]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "  800ms  ", 800 * TimeSpan.TicksPerMillisecond)]
    public void FromEnvironment_GoDurations_Accepted(string variable, string value, long ticks)
    {
        var settings = RetrySettings.FromEnvironment(name => name == variable ? value : null);

        var actual = variable == RetrySettings.BaseDelayVariable ? settings.BaseDelay : settings.MaxDelay;
        Assert.Equal(TimeSpan.FromTicks(ticks), actual);
    }

    [Theory]
    [InlineData("RCLONE_RETRY_ATTEMPTS", "three")]
    [InlineData("RCLONE_RETRY_ATTEMPTS", "0")]
    [InlineData("RCLONE_RETRY_ATTEMPTS", "-1")]
    [InlineData("RCLONE_RETRY_ATTEMPTS", "101")]
    [InlineData("RCLONE_RETRY_ATTEMPTS", "2.5")]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "800")]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "0s")]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "-1s")]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "1 second")]
    [InlineData("RCLONE_RETRY_MAX_DELAY", "2d")]
    [InlineData("RCLONE_RETRY_MAX_DELAY", "25h")]
    [InlineData("RCLONE_RETRY_MAX_DELAY", "100ms")]
    [InlineData("RCLONE_RETRY_JITTER_RATIO", "1.5")]
    [InlineData("RCLONE_RETRY_JITTER_RATIO", "-0.1")]
    [InlineData("RCLONE_RETRY_JITTER_RATIO", "20%")]
    [InlineData("RCLONE_RETRY_JITTER_RATIO", "NaN")]
    public void FromEnvironment_InvalidValue_ThrowsNamingVariableAndValue(string variable, string value)
    {
        var ex = Assert.Throws<InvalidRetrySettingException>(() => RetrySettings.FromEnvironment(name => name == variable ? value : null));

        Assert.Equal(variable, ex.Variable);
        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
        // MAX_DELAY shorter than BASE_DELAY is reported with the parsed value ("100ms"); all others quote the input.
        Assert.Contains(value.Trim(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_EmptyValue_KeepsDefault()
    {
        var settings = RetrySettings.FromEnvironment(name => name == RetrySettings.AttemptsVariable ? " " : null);

        Assert.Equal(3, settings.Attempts);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public void AllowsRetryAfter_ThreeAttempts_FirstRunAndTwoRetries(int attemptNumber, bool expected)
    {
        Assert.Equal(expected, RetrySettings.Default.AllowsRetryAfter(attemptNumber));
    }
}

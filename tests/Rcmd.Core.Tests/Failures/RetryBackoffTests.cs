using Rcmd.Failures;

namespace Rcmd.Core.Tests.Failures;

public sealed class RetryBackoffTests
{
    private static readonly RetrySettings NoJitter = RetrySettings.Default with { JitterRatio = 0 };

    [Theory]
    [InlineData(1, 800)]
    [InlineData(2, 1600)]
    [InlineData(3, 3200)]
    [InlineData(4, 6400)]
    [InlineData(5, 8000)]
    [InlineData(6, 8000)]
    [InlineData(200, 8000)]
    public void Delay_NoJitter_DoublesUpToMax(int retry, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryBackoff.Delay(retry, NoJitter, () => 0.99));
    }

    [Theory]
    [InlineData(0.0, 640)]
    [InlineData(0.5, 800)]
    [InlineData(1.0, 960)]
    public void Delay_Jitter_SpreadsByRatio(double sample, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryBackoff.Delay(1, RetrySettings.Default, () => sample));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Delay_ManySamples_StayWithinRatioAndSpreadOut(int retry)
    {
        var settings = RetrySettings.Default;
        var random = new Random(1234);
        var computed = RetryBackoff.Computed(retry, settings);
        var low = computed * (1 - settings.JitterRatio);
        var high = computed * (1 + settings.JitterRatio);

        var samples = Enumerable.Range(0, 10_000).Select(_ => RetryBackoff.Delay(retry, settings, random)).ToList();

        Assert.All(samples, d => Assert.InRange(d, low, high));
        // Jitter really spreads: both ends of the band are reached and the mean stays centred.
        Assert.True(samples.Min() < computed * (1 - settings.JitterRatio * 0.9), $"min {samples.Min()} too close to {computed}");
        Assert.True(samples.Max() > computed * (1 + settings.JitterRatio * 0.9), $"max {samples.Max()} too close to {computed}");
        var mean = TimeSpan.FromTicks((long)samples.Average(d => d.Ticks));
        Assert.InRange(mean, computed * 0.98, computed * 1.02);
    }

    [Fact]
    public void Delay_RetryAfterGiven_Wins()
    {
        var wait = TimeSpan.FromSeconds(30);

        Assert.Equal(wait, RetryBackoff.Delay(1, RetrySettings.Default, () => 0.1, wait));
        Assert.Equal(wait, RetryBackoff.Delay(9, RetrySettings.Default, () => 0.9, wait)); // beyond MaxDelay too
    }

    [Fact]
    public void Delay_RetryAfterFromClassification_Wins()
    {
        var classification = FailureClassifier.Default.Classify("read metadata failed: 429 Too Many Requests: Retry-After: 12");

        var delay = RetryBackoff.Delay(1, RetrySettings.Default, Random.Shared, classification.RetryAfter);

        Assert.Equal(TimeSpan.FromSeconds(12), delay);
    }

    [Fact]
    public void Delay_RetryBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.Delay(0, RetrySettings.Default, () => 0.5));
    }
}

using Rcmd.Failures;
using Rcmd.Worker.Services;

namespace Rcmd.Worker.Tests.Services;

public sealed class JobRetryPolicyTests
{
    private static readonly RetrySettings Settings = new(3, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(8), 0.2);

    [Theory]
    [InlineData(1, 800)]
    [InlineData(2, 1600)]
    public void DelayBeforeRetry_RetryableWithRunsLeft_BackoffWithoutJitterAtTheMiddle(int attempt, double expectedMs)
    {
        var policy = new JobRetryPolicy(Settings, () => 0.5);

        var delay = policy.DelayBeforeRetry(attempt, Classify("couldn't list files: 503 Service Unavailable"));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Theory]
    [InlineData(0.0, 640)]
    [InlineData(0.999999, 960)]
    public void DelayBeforeRetry_Jitter_StaysWithinTheRatio(double sample, double expectedMs)
    {
        var delay = new JobRetryPolicy(Settings, () => sample).DelayBeforeRetry(1, Classify("i/o timeout"))!.Value;

        Assert.InRange(delay.TotalMilliseconds, expectedMs - 1, expectedMs + 1);
    }

    [Fact]
    public void DelayBeforeRetry_LastAllowedRunFailed_NoRetry()
    {
        Assert.Null(new JobRetryPolicy(Settings).DelayBeforeRetry(3, Classify("couldn't list files: 503 Service Unavailable")));
    }

    [Fact]
    public void DelayBeforeRetry_PermanentFailure_NoRetry()
    {
        Assert.Null(new JobRetryPolicy(Settings).DelayBeforeRetry(1, Classify("couldn't list files: nope: 403 Forbidden")));
    }

    [Fact]
    public void DelayBeforeRetry_ServerRetryAfter_WinsOverTheBackoff()
    {
        var delay = new JobRetryPolicy(Settings, () => 0.5).DelayBeforeRetry(1, Classify("couldn't list files: Retry-After: 30: 429 Too Many Requests"));

        Assert.Equal(TimeSpan.FromSeconds(30), delay);
    }

    private static Classification Classify(string message) => FailureClassifier.Default.Classify(message, 500);
}

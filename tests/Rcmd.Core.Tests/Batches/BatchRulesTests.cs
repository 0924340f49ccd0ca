using Rcmd.Batches;
using Rcmd.Failures;

namespace Rcmd.Core.Tests.Batches;

public sealed class BatchRulesTests
{
    private static readonly BatchStopRule Rule = new() { MinItems = 20, MaxFailureRatio = 0.5 };

    private static BatchCounters Counters(long total, long succeeded, long failed, long retry = 0, long skipped = 0, long retryableFailed = 0) =>
        new(total, succeeded, failed, skipped, retry, retryableFailed, failed > 0
            ? new Dictionary<string, long> { [ErrorCodes.NotFound] = failed }
            : new Dictionary<string, long>());

    [Theory]
    [InlineData(19, 0, 19, false)] // all failed, but fewer than minItems finished
    [InlineData(20, 10, 10, false)] // exactly 50%: not more than the ratio
    [InlineData(20, 9, 11, true)]
    [InlineData(100, 40, 60, true)]
    [InlineData(100, 100, 0, false)]
    public void ShouldStop_AfterMinItems_WhenTheRatioIsExceeded(long finished, long succeeded, long failed, bool stop)
    {
        Assert.Equal(stop, BatchRules.ShouldStop(Counters(1000, succeeded, failed), Rule));
        Assert.Equal(finished, Counters(1000, succeeded, failed).Finished);
    }

    [Fact]
    public void ShouldStop_RetryQueuedItems_CountAsFailures()
    {
        Assert.True(BatchRules.ShouldStop(Counters(100, 5, 5, retry: 15), Rule));
        Assert.Equal(20.0 / 25, BatchRules.FailureRatio(Counters(100, 5, 5, retry: 15)), 6);
    }

    [Fact]
    public void ShouldStop_RatioOne_NeverStops()
    {
        Assert.False(BatchRules.ShouldStop(Counters(100, 0, 100), Rule with { MaxFailureRatio = 1 }));
    }

    [Fact]
    public void NextOutagePause_StartsAt250Ms_DoublesUpTo5Seconds()
    {
        var pauses = new List<TimeSpan>();
        TimeSpan? pause = null;
        for (var i = 0; i < 8; i++)
        {
            pause = BatchRules.NextOutagePause(pause);
            pauses.Add(pause.Value);
        }

        Assert.Equal([250, 500, 1000, 2000, 4000, 5000, 5000, 5000], pauses.Select(p => p.TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMilliseconds(250), BatchRules.NextOutagePause(TimeSpan.Zero));
    }

    [Fact]
    public void Decide_EverythingSucceeded_Succeeded()
    {
        Assert.Equal(BatchEnd.Succeeded, BatchRules.Decide(Counters(10, 8, 0, skipped: 2), 0, expanding: false, stopped: false, canceled: false));
    }

    [Fact]
    public void Decide_SomeFailed_PartiallyFailed()
    {
        Assert.Equal(BatchEnd.PartiallyFailed, BatchRules.Decide(Counters(10, 8, 2), 0, false, false, false));
    }

    [Theory]
    [InlineData(10, 5, 0, 0, 0, false)] // items not run yet
    [InlineData(10, 9, 0, 1, 0, false)] // one waits for its retry
    [InlineData(10, 9, 0, 0, 1, false)] // one in flight
    [InlineData(10, 10, 0, 0, 0, true)] // listing not finished
    public void Decide_WorkLeft_Continue(long total, long succeeded, long failed, long retry, long inFlight, bool expanding)
    {
        Assert.Equal(BatchEnd.Continue, BatchRules.Decide(Counters(total, succeeded, failed, retry), inFlight, expanding, false, false));
    }

    [Fact]
    public void Decide_CancelWinsOverStopAndDone()
    {
        Assert.Equal(BatchEnd.Canceled, BatchRules.Decide(Counters(10, 10, 0), 0, false, stopped: true, canceled: true));
        Assert.Equal(BatchEnd.PartiallyFailed, BatchRules.Decide(Counters(10, 2, 3), 0, false, stopped: true, canceled: false));
    }

    [Theory]
    [InlineData(9, 0.0, false)]
    [InlineData(10, 0.0, true)]
    [InlineData(1, 0.6, true)]
    [InlineData(0, 5.0, false)]
    public void CheckpointDue_EveryNResultsOrAfterTheInterval(long results, double seconds, bool due)
    {
        Assert.Equal(due, BatchRules.CheckpointDue(results, 10, TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void PartialError_NamesTheMostFrequentCodeAndTheCounts()
    {
        var summary = new BatchSummary
        {
            Kind = BatchSummary.ItemsKind,
            Total = 10,
            Succeeded = 6,
            Failed = 4,
            FailedByCode = new Dictionary<string, long> { [ErrorCodes.AccessDenied] = 1, [ErrorCodes.NotFound] = 3 },
        };

        var error = BatchRules.PartialError(summary, stoppedByRule: false, Rule);

        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.Contains("4 of 10 items failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("not_found: 3", error.Message, StringComparison.Ordinal);
        Assert.False(error.Retryable);
    }

    [Fact]
    public void PartialError_StopRule_SaysSoAndIsResumable()
    {
        var summary = new BatchSummary
        {
            Kind = BatchSummary.ItemsKind, Total = 100, Succeeded = 8, Failed = 12, Pending = 80,
            FailedByCode = new Dictionary<string, long> { [ErrorCodes.Unknown] = 12 },
        };

        var error = BatchRules.PartialError(summary, stoppedByRule: true, Rule);

        Assert.Contains("stop rule", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("80 items were not run", error.Message, StringComparison.Ordinal);
        Assert.True(error.Retryable);
        Assert.Contains("resume", error.Suggestion, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Summary_With_ComputesPendingFromTheCounters()
    {
        var summary = new BatchSummary { Kind = BatchSummary.ItemsKind }.With(
            new BatchCounters(100, 50, 10, 5, 5, 2, new Dictionary<string, long>()), running: 8, at: null);

        Assert.Equal(22, summary.Pending);
        Assert.Equal(8, summary.Running);
        Assert.Equal(2, summary.RetryableFailed);
        Assert.True(summary.HasWorkLeft);
        Assert.False((summary with { Pending = 0, Running = 0, RetryQueued = 0, RetryableFailed = 0 }).HasWorkLeft);
    }
}

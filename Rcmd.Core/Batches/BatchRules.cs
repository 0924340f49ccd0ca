using Rcmd.Jobs;

namespace Rcmd.Batches;

/// <summary>How a batch run ends, decided by <see cref="BatchRules.Decide"/>.</summary>
public enum BatchEnd
{
    /// <summary>Items are left to run (or wait for their retry): keep going.</summary>
    Continue,
    Succeeded,
    PartiallyFailed,
    Canceled,
}

/// <summary>
/// The pure rules of a batch run: the stop rule, when it is done and how it ends, when to checkpoint, and the error a
/// partially failed batch carries. No I/O; the clock is passed in.
/// </summary>
public static class BatchRules
{
    /// <summary>
    /// The stop rule: once <see cref="BatchStopRule.MinItems"/> items have an outcome, more than
    /// <see cref="BatchStopRule.MaxFailureRatio"/> of them failed (a retry-queued item counts as a failed attempt).
    /// </summary>
    public static bool ShouldStop(BatchCounters counters, BatchStopRule rule)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return ShouldStop(counters.Finished, counters.Failed + counters.RetryQueued, rule);
    }

    /// <summary>The stop rule over <paramref name="finished"/> outcomes of which <paramref name="failed"/> were failures.</summary>
    public static bool ShouldStop(long finished, long failed, BatchStopRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return finished >= Math.Max(1, rule.MinItems) && (double)failed / finished > rule.MaxFailureRatio;
    }

    /// <summary>The first pause of dispatch while rcd or the store does not answer.</summary>
    public static readonly TimeSpan FirstOutagePause = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest pause of dispatch while rcd or the store does not answer.</summary>
    public static readonly TimeSpan MaxOutagePause = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long dispatch pauses after rcd (or the store) failed to answer an item's step: <see cref="FirstOutagePause"/>
    /// at first (<paramref name="previous"/> null: the last step went through), then twice the previous pause, at most
    /// <see cref="MaxOutagePause"/>. Such an item is not a failure: it goes back to the queue and the stop rule does not see it.
    /// </summary>
    public static TimeSpan NextOutagePause(TimeSpan? previous) =>
        previous is not { } last || last <= TimeSpan.Zero
            ? FirstOutagePause
            : TimeSpan.FromTicks(Math.Min(last.Ticks * 2, MaxOutagePause.Ticks));

    /// <summary>The failure ratio the stop rule looks at (0 when nothing finished).</summary>
    public static double FailureRatio(BatchCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return counters.Finished == 0 ? 0 : (double)(counters.Failed + counters.RetryQueued) / counters.Finished;
    }

    /// <summary>
    /// How the run stands: canceled wins; a stop (the stop rule) ends it partially failed; otherwise it is over only when
    /// every item has a final result and nothing is in flight or waiting for a retry.
    /// </summary>
    public static BatchEnd Decide(BatchCounters counters, long inFlight, bool expanding, bool stopped, bool canceled)
    {
        ArgumentNullException.ThrowIfNull(counters);
        if (canceled)
        {
            return BatchEnd.Canceled;
        }

        if (stopped)
        {
            return BatchEnd.PartiallyFailed;
        }

        if (expanding || inFlight > 0 || counters.RetryQueued > 0 || counters.Done < counters.Total)
        {
            return BatchEnd.Continue;
        }

        return counters.Failed == 0 ? BatchEnd.Succeeded : BatchEnd.PartiallyFailed;
    }

    /// <summary>Whether a checkpoint is due: every <paramref name="every"/> results, or when <paramref name="interval"/> passed.</summary>
    public static bool CheckpointDue(long resultsSinceCheckpoint, int every, TimeSpan sinceCheckpoint, TimeSpan interval) =>
        resultsSinceCheckpoint >= Math.Max(1, every) || (resultsSinceCheckpoint > 0 && sinceCheckpoint >= interval);

    /// <summary>The error a partially failed batch carries: the most frequent failure code and the counts.</summary>
    public static JobError PartialError(BatchSummary summary, bool stoppedByRule, BatchStopRule rule)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(rule);
        var code = summary.FailedByCode.Count == 0
            ? Failures.ErrorCodes.Unknown
            : summary.FailedByCode.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
        var failed = summary.Failed + summary.RetryQueued;
        var byCode = string.Join(", ", summary.FailedByCode.OrderByDescending(p => p.Value).Take(5).Select(p => $"{p.Key}: {p.Value}"));
        var detail = byCode.Length == 0 ? "" : $" ({byCode})";
        var canResume = summary.HasWorkLeft;
        if (stoppedByRule)
        {
            var finished = summary.Succeeded + summary.Failed + summary.Skipped + summary.RetryQueued;
            return new JobError
            {
                Code = code,
                Message = $"Stopped by the stop rule: {failed} of {finished} finished items failed{detail}, more than "
                    + $"{rule.MaxFailureRatio:P0}; {summary.Pending} items were not run.",
                Retryable = canResume,
                Suggestion = "Fix the target (see the report's failures by code), then resume the batch.",
            };
        }

        return new JobError
        {
            Code = code,
            Message = $"{summary.Failed} of {summary.Total} items failed{detail}.",
            Retryable = canResume,
            Suggestion = canResume
                ? "Some failures may pass on another try: resume the batch, or retry the failed items."
                : "See the report for each failure's suggestion; retry the failed items once they are fixed.",
        };
    }
}

using Rcmd.Jobs;

namespace Rcmd.Storage;

/// <summary>
/// Told by <see cref="JobStore"/> about each state change this process won (a <see cref="JobStore.SaveAsync"/> or
/// <see cref="JobStore.DeferAsync"/> that returned <see cref="SaveResult.Saved"/> with a new state). Each change is won
/// by exactly one process, so observers that count (metrics) count every change once across all Workers.
/// Called inline after the write: keep it quick and never throw (exceptions are swallowed).
/// </summary>
public interface IJobTransitionObserver
{
    void OnTransition(JobState previous, Job job);
}

using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Services;

public sealed class LiveJobCountsTests
{
    private static JobCounts Counts(long queued, long running, long succeeded = 0) =>
        new(new Dictionary<string, long> { ["queued"] = queued, ["running"] = running, ["succeeded"] = succeeded },
            queued + running + succeeded, queued);

    private static Dictionary<JobState, JobPage> Lists(params (JobState State, long Total, Job[] Jobs)[] pages) =>
        pages.ToDictionary(p => p.State, p => new JobPage(p.Jobs, p.Total, 1, 10));

    [Fact]
    public void Reset_ListTotals_WinOverTheSeparateCountsRead()
    {
        var counts = new LiveJobCounts();

        counts.Reset(Counts(queued: 5, running: 3, succeeded: 7), Lists((JobState.Running, 2, [TestJobs.Running(), TestJobs.Running()])));

        Assert.True(counts.IsKnown);
        Assert.Equal(2, counts[JobState.Running]);
        Assert.Equal(5, counts[JobState.Queued]);
        Assert.Equal(7, counts[JobState.Succeeded]);
        Assert.Equal(14, counts.Total);
        Assert.Equal(5, counts.QueueLength);
    }

    [Fact]
    public void Apply_KnownJobChangesState_MovesOneBetweenStates_OlderUpdateIgnored()
    {
        var queued = TestJobs.Queued();
        var counts = new LiveJobCounts();
        counts.Reset(Counts(1, 0), Lists((JobState.Queued, 1, [queued]), (JobState.Running, 0, [])));
        var running = TestJobs.Running(queued.Id);

        counts.Apply(running);
        counts.Apply(running);
        counts.Apply(queued);

        Assert.Equal(0, counts[JobState.Queued]);
        Assert.Equal(1, counts[JobState.Running]);
        Assert.Equal(1, counts.Total);
        Assert.Equal(0, counts.QueueLength);
    }

    [Fact]
    public void Apply_UnseenJobs_PreviousStateInferred()
    {
        var counts = new LiveJobCounts();
        counts.Reset(Counts(queued: 10, running: 10), Lists());

        counts.Apply(TestJobs.Queued());
        counts.Apply(TestJobs.Running());
        counts.Apply(TestJobs.Succeeded(TestJobs.Running()));

        Assert.Equal(10, counts[JobState.Queued]);
        Assert.Equal(10, counts[JobState.Running]);
        Assert.Equal(1, counts[JobState.Succeeded]);
        Assert.Equal(21, counts.Total);
    }

    [Fact]
    public void Reset_UpdateSeenBeforeTheSnapshotAndNewerThanItsList_CountedInTheNewerState()
    {
        var queued = TestJobs.Queued();
        var counts = new LiveJobCounts();
        counts.Apply(TestJobs.Running(queued.Id));

        counts.Reset(Counts(1, 0), Lists((JobState.Queued, 1, [queued]), (JobState.Running, 0, [])));

        Assert.Equal(0, counts[JobState.Queued]);
        Assert.Equal(1, counts[JobState.Running]);
    }

    [Theory]
    [InlineData(JobState.Running, JobState.Queued)]
    [InlineData(JobState.Succeeded, JobState.Running)]
    public void InferPrevious_StartedOrFinishedJob_ThePreviousLifecycleStep(JobState state, JobState expected)
    {
        var job = state == JobState.Running ? TestJobs.Running() : TestJobs.Succeeded(TestJobs.Running());

        Assert.Equal(expected, LiveJobCounts.InferPrevious(job));
        Assert.Null(LiveJobCounts.InferPrevious(TestJobs.Queued()));
    }
}

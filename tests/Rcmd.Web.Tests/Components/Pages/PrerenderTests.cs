using Rcmd.Web.Components;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

/// <summary>
/// Prerendered pages (<see cref="PrerenderAttribute"/>): the request's render shows the rows and subscribes to nothing;
/// the interactive render starts from the rows the prerender kept (no empty grid in between), subscribes, reads the page
/// again (no update lost between the two) and swaps the live grid in.
/// </summary>
public sealed class PrerenderTests : RcmdTestContext
{
    [Fact]
    public void Pages_OnlyTheJobsAndFilesPages_ArePrerendered()
    {
        Assert.True(PrerenderAttribute.IsOn(typeof(JobList)));
        Assert.True(PrerenderAttribute.IsOn(typeof(FileBrowser)));
        Assert.False(PrerenderAttribute.IsOn(typeof(NewJob)));
        Assert.False(PrerenderAttribute.IsOn(typeof(JobDetail)));
        Assert.False(PrerenderAttribute.IsOn(null));
    }

    [Fact]
    public void JobList_Prerendered_ShowsTheFirstPageWithoutSubscribingAndKeepsIt()
    {
        var running = TestJobs.Running(percent: 30);
        Api.OnJobs(running, TestJobs.Queued());
        var baseline = Live.SubscriberCount;
        Prerendering();

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-prerendered=true] tr.job-row").Count));
        Assert.Equal("30", cut.Find($"tr.job-row-{running.Id} [data-testid=job-progress]").GetAttribute("data-percent"));
        Assert.Equal(baseline, Live.SubscriberCount);
        Assert.Empty(Live.Groups);
        PageState.TriggerOnPersisting();
        Assert.True(PageState.TryTake<string>("jobs:first-page", out var kept));
        Assert.Contains(running.Id, kept, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobList_InteractiveAfterPrerender_ReadsThePageAgainSwapsTheLiveGridInAndFollowsUpdates()
    {
        var before = TestJobs.Running(percent: 30);
        PageState.Persist("jobs:first-page", System.Text.Json.JsonSerializer.Serialize(
            new Rcmd.Storage.JobPage([before], 1, 1, JobList.PageSize), Rcmd.Serialization.RcmdJsonContext.Default.JobPage));
        // Between the prerender and the circuit the job moved on: the live grid's own read shows it.
        var after = TestJobs.WithProgress(before, 80);
        Api.OnJobs(after);

        var cut = Render<JobList>();

        cut.WaitForAssertion(() =>
        {
            Assert.Empty(cut.FindAll("[data-prerendered=true]"));
            Assert.Equal("80", cut.Find($"[data-testid=jobs-grid] tr.job-row-{before.Id} [data-testid=job-progress]").GetAttribute("data-percent"));
        });
        Assert.True(Live.SubscriberCount > 0);

        await PushAsync(TestJobs.WithProgress(after, 90));
        cut.WaitForAssertion(() => Assert.Equal("90", cut.Find($"tr.job-row-{before.Id} [data-testid=job-progress]").GetAttribute("data-percent")));
    }
}

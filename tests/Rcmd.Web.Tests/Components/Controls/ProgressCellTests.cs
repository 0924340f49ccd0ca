using Rcmd.Web.Components.Controls;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Controls;

public sealed class ProgressCellTests : RcmdTestContext
{
    [Fact]
    public void ProgressCell_QueuedJob_ShowsNoBar()
    {
        var cut = Render<ProgressCell>(p => p.Add(x => x.Job, TestJobs.Queued()));

        Assert.Null(cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));
    }

    [Fact]
    public void ProgressCell_SucceededJobWithoutProgress_ShowsFull()
    {
        var job = TestJobs.Succeeded(TestJobs.Running() with { Progress = null });

        var cut = Render<ProgressCell>(p => p.Add(x => x.Job, job));

        Assert.Equal("100", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));
        Assert.Equal("100%", cut.Find(".progress-text").TextContent);
    }

    [Fact]
    public void ProgressCell_UpdateThatKeepsThePercent_DoesNotRenderAgainButANewPercentShows()
    {
        var job = TestJobs.Running(percent: 25);
        var cut = Render<ProgressCell>(p => p.Add(x => x.Job, job));

        // A live list hands the cell a new Job on every update: speed and ETA moved, the percent did not.
        cut.Render(p => p.Add(x => x.Job, job with { UpdatedAt = job.UpdatedAt.AddSeconds(1), Progress = job.Progress! with { Speed = 1, EtaSeconds = 9 } }));
        Assert.Equal(1, cut.RenderCount);

        cut.Render(p => p.Add(x => x.Job, TestJobs.WithProgress(job, 60)));
        Assert.Equal(2, cut.RenderCount);
        Assert.Equal("60", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));

        cut.Render(p => p.Add(x => x.Job, TestJobs.Succeeded(TestJobs.WithProgress(job, 60))));
        Assert.Equal(3, cut.RenderCount);
        Assert.Equal("100", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));
    }

    [Fact]
    public void JobPaths_NewJobWithTheSamePaths_DoesNotRenderAgainButNewPathsShow()
    {
        var job = TestJobs.Running();
        var cut = Render<JobPaths>(p => p.Add(x => x.Job, job));

        cut.Render(p => p.Add(x => x.Job, TestJobs.WithProgress(job, 50)));
        Assert.Equal(1, cut.RenderCount);

        cut.Render(p => p.Add(x => x.Job, job with { Destination = "/data/elsewhere" }));
        Assert.Equal(2, cut.RenderCount);
        Assert.Contains("/data/elsewhere", cut.Markup, StringComparison.Ordinal);
    }
}

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
}

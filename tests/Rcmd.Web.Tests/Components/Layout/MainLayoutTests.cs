using Microsoft.AspNetCore.Components;
using Rcmd.Web.Components.Layout;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Layout;

public sealed class MainLayoutTests : RcmdTestContext
{
    [Fact]
    public async Task Layout_LiveStreamDownThenUp_ShowsThenHidesTheBanner()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));

        Assert.NotNull(cut.Find("[data-testid=live-disconnected]"));
        Assert.Equal("false", cut.Find("[data-testid=live-indicator]").GetAttribute("data-connected"));
        Assert.Contains("page body", cut.Markup, StringComparison.Ordinal);

        await Live.SetConnectedAsync(true);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=live-disconnected]")));
        Assert.Equal("true", cut.Find("[data-testid=live-indicator]").GetAttribute("data-connected"));

        await Live.SetConnectedAsync(false);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=live-disconnected]")));
    }

    [Fact]
    public void Layout_Navigation_LinksStatusJobsAndNewJob()
    {
        var cut = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));

        var links = cut.FindAll("a[href]").Select(a => a.GetAttribute("href")).ToList();

        Assert.Contains("jobs", links);
        Assert.Contains("jobs/new", links);
    }
}

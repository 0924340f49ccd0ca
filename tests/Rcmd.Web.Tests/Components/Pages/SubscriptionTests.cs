using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Storage;
using Rcmd.Web.Components.Layout;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

/// <summary>Every live page gives its subscriptions back when it goes away (no leak across page opens).</summary>
public sealed class SubscriptionTests : RcmdTestContext
{
    public SubscriptionTests()
    {
        var job = TestJobs.Running("sub-1");
        Api.OnJobs(job).OnJob(job).OnCounts(new JobCounts(new Dictionary<string, long>(), 0, 0));
    }

    [Fact]
    public async Task Pages_OpenedManyTimesAndClosed_LeaveNoSubscriptions()
    {
        for (var i = 0; i < 20; i++)
        {
            Render<Status>();
            Render<JobList>();
            Render<JobDetail>(p => p.Add(x => x.Id, "sub-1"));
            Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));
        }

        Assert.True(Live.SubscriberCount >= 80);

        await DisposeComponentsAsync();

        Assert.Equal(0, Live.SubscriberCount);
    }

    /// <summary>
    /// 1,000 page opens (250 each of Status, Jobs, a job's detail and the layout), each closed before the next, with live
    /// events flowing: after every close the hub is back to its baseline, and no page's timer is left behind.
    /// </summary>
    [Fact]
    public async Task Pages_OpenedAndClosedAThousandTimesWithEventsFlowing_ReturnToTheBaselineEachTime()
    {
        var time = new ManualTimeProvider();
        Services.AddSingleton<TimeProvider>(time);
        // MudBlazor's popover service keeps one periodic timer for the whole circuit: part of the baseline.
        _ = Services.GetRequiredService<MudBlazor.IPopoverService>();
        var baseline = Live.SubscriberCount;
        var timers = time.PendingTimers;
        var job = TestJobs.Running("sub-1");

        for (var i = 0; i < 250; i++)
        {
            Render<Status>();
            Render<JobList>();
            Render<JobDetail>(p => p.Add(x => x.Id, "sub-1"));
            Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(_ => { })));
            Assert.True(Live.SubscriberCount > baseline);
            job = TestJobs.WithProgress(job, i % 100);
            await PushAsync(job);
            await Live.SetConnectedAsync(i % 2 == 0);

            await DisposeComponentsAsync();

            Assert.Equal(baseline, Live.SubscriberCount);
            Assert.True(timers == time.PendingTimers, time.PendingOrigins);
        }
    }

    [Fact]
    public void JobDetail_IdChanges_MovesItsSubscriptionToTheNewJob()
    {
        var other = TestJobs.Queued("sub-2");
        Api.OnJob(other);
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, "sub-1"));
        cut.WaitForAssertion(() => Assert.Equal("running", cut.Find("[data-testid=job-state]").TextContent.Trim()));
        var subscriptions = Live.SubscriberCount;

        cut.Render(p => p.Add(x => x.Id, "sub-2"));

        cut.WaitForAssertion(() => Assert.Equal("queued", cut.Find("[data-testid=job-state]").TextContent.Trim()));
        Assert.Equal(subscriptions, Live.SubscriberCount);
    }
}

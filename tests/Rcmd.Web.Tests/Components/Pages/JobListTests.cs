using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class JobListTests : RcmdTestContext
{
    [Fact]
    public void Grid_ApiReturnsJobs_RendersOneRowPerJobWithStateAndPaths()
    {
        var queued = TestJobs.Queued(source: "/data/a", destination: "s3prod:bucket/a");
        var running = TestJobs.Running(percent: 40);
        var failed = TestJobs.Failed(code: "access_denied");
        Api.OnJobs(queued, running, failed);

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.job-row").Count));
        var row = cut.Find($"tr.job-row-{queued.Id}");
        Assert.Equal("queued", row.QuerySelector("[data-testid=job-state]")!.TextContent.Trim());
        Assert.Contains("/data/a", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("s3prod:bucket/a", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("40", cut.Find($"tr.job-row-{running.Id} [data-testid=job-progress]").GetAttribute("data-percent"));
        Assert.Equal("access_denied", cut.Find($"tr.job-row-{failed.Id} [data-testid=job-error-code]").TextContent);

        var request = Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/jobs"));
        Assert.Equal("1", request.Query("page"));
        Assert.Equal(JobList.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Query("pageSize"));
        Assert.Null(request.Query("state"));
    }

    [Fact]
    public async Task Grid_JobUpdateEvent_ChangesRowStateAndPercentWithoutReload()
    {
        var running = TestJobs.Running(percent: 10);
        var other = TestJobs.Queued();
        Api.OnJobs(running, other);
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Equal("10", cut.Find($"tr.job-row-{running.Id} [data-testid=job-progress]").GetAttribute("data-percent")));

        await PushAsync(TestJobs.WithProgress(running, 55));

        cut.WaitForAssertion(() => Assert.Equal("55", cut.Find($"tr.job-row-{running.Id} [data-testid=job-progress]").GetAttribute("data-percent")));

        await PushAsync(TestJobs.Succeeded(TestJobs.WithProgress(running, 100, seconds: 2)));

        cut.WaitForAssertion(() =>
        {
            var row = cut.Find($"tr.job-row-{running.Id}");
            Assert.Equal("succeeded", row.QuerySelector("[data-testid=job-state]")!.TextContent.Trim());
            Assert.Contains("job-state-succeeded", row.ClassList);
        });
        Assert.Equal("queued", cut.Find($"tr.job-row-{other.Id} [data-testid=job-state]").TextContent.Trim());
        Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/jobs"));
    }

    [Fact]
    public async Task Grid_BurstOfUpdates_RendersAtTheListPaceAndEndsOnTheNewestState()
    {
        var time = new ManualTimeProvider();
        Services.AddSingleton<TimeProvider>(time);
        var running = TestJobs.Running(percent: 10);
        Api.OnJobs(running);
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Equal("10", Percent(cut, running.Id)));

        // The first update after a quiet spell goes through at once; the rest wait for the list's interval.
        await PushAsync(TestJobs.WithProgress(running, 55));
        cut.WaitForAssertion(() => Assert.Equal("55", Percent(cut, running.Id)));
        var last = running;
        for (var percent = 60; percent <= 90; percent += 10)
        {
            last = TestJobs.WithProgress(running, percent, seconds: percent);
            await PushAsync(last);
        }

        time.Advance(new LiveEventsOptions().RenderInterval * 2);
        await Task.Delay(200);
        Assert.Equal("55", Percent(cut, running.Id));

        time.Advance(new LiveEventsOptions().ListRenderInterval);
        cut.WaitForAssertion(() => Assert.Equal("90", Percent(cut, running.Id)));
        await PushAsync(TestJobs.Succeeded(last));
        time.Advance(new LiveEventsOptions().ListRenderInterval);
        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find($"tr.job-row-{running.Id} [data-testid=job-state]").GetAttribute("data-state")));
        Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/jobs"));
    }

    [Fact]
    public async Task Grid_LiveUpdates_HandTheColumnsTheSamePropertyExpressions()
    {
        // PropertyColumn compiles (and the runtime JIT-compiles) each new expression it is handed: a page that made new
        // ones on every render compiled three per live update.
        var running = TestJobs.Running(percent: 10);
        Api.OnJobs(running);
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Equal("10", Percent(cut, running.Id)));
        var before = Properties(cut);

        await PushAsync(TestJobs.WithProgress(running, 55));
        cut.WaitForAssertion(() => Assert.Equal("55", Percent(cut, running.Id)));

        var after = Properties(cut);
        Assert.Equal(3, before.Count);
        Assert.Equal(before.Count, after.Count);
        Assert.All(before.Zip(after), pair => Assert.Same(pair.First, pair.Second));
    }

    private static List<object> Properties(IRenderedComponent<JobList> cut) =>
    [
        .. cut.FindComponents<MudBlazor.PropertyColumn<JobRow, Rcmd.Jobs.JobType>>().Select(c => (object)c.Instance.Property),
        .. cut.FindComponents<MudBlazor.PropertyColumn<JobRow, Rcmd.Jobs.JobState>>().Select(c => (object)c.Instance.Property),
        .. cut.FindComponents<MudBlazor.PropertyColumn<JobRow, DateTimeOffset>>().Select(c => (object)c.Instance.Property),
    ];

    private static string? Percent(IRenderedComponent<JobList> cut, string id) =>
        cut.Find($"tr.job-row-{id} [data-testid=job-progress]").GetAttribute("data-percent");

    [Fact]
    public async Task Grid_OlderEventAfterNewerState_KeepsNewerState()
    {
        var running = TestJobs.Running(percent: 10);
        var succeeded = TestJobs.Succeeded(running);
        var marker = TestJobs.Queued();
        Api.OnJobs(succeeded, marker);
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.job-row").Count));

        await PushAsync(running);
        await PushAsync(TestJobs.Running(marker.Id));

        cut.WaitForAssertion(() => Assert.Equal("running", cut.Find($"tr.job-row-{marker.Id} [data-testid=job-state]").GetAttribute("data-state")));
        Assert.Equal("succeeded", cut.Find($"tr.job-row-{running.Id} [data-testid=job-state]").TextContent.Trim());
    }

    [Fact]
    public void Grid_StateQuery_AsksTheApiForThatStateOnly()
    {
        Api.OnJobs(TestJobs.Failed(), TestJobs.Queued());

        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("state", "failed"));

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.job-row")));
        Assert.Equal("failed", Api.RequestsTo(HttpMethod.Get, "/api/jobs")[0].Query("state"));
    }

    [Fact]
    public void Grid_ApiDown_ShowsApiUnreachable()
    {
        Api.Down = true;

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Contains("Api unreachable", cut.Find("[data-testid=api-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("tr.job-row"));
    }

    [Fact]
    public async Task Grid_NewQueuedJobOnFirstPage_ReloadsThePage()
    {
        var first = TestJobs.Queued();
        Api.OnJobs(first);
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.job-row")));
        var created = TestJobs.Queued();
        Api.OnJobs(created, first);

        await PushAsync(created);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.job-row").Count), TimeSpan.FromSeconds(5));
        Assert.NotNull(cut.Find($"tr.job-row-{created.Id}"));
    }

    [Fact]
    public void Grid_RemoteFilterChanged_AsksTheApiForThatRemoteFromPageOne()
    {
        Api.OnJobs(TestJobs.Queued());
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/jobs")));

        cut.Find("input[data-testid=remote-filter]").Change("s3prod");

        cut.WaitForAssertion(() => Assert.Equal("s3prod", Api.RequestsTo(HttpMethod.Get, "/api/jobs")[^1].Query("remote")));
        var last = Api.RequestsTo(HttpMethod.Get, "/api/jobs")[^1];
        Assert.Equal("1", last.Query("page"));
        Assert.Null(last.Query("sort"));
    }

    [Theory]
    [InlineData("State", "state", "-state")]
    [InlineData("Type", "type", "-type")]
    public void Grid_SortableColumnClicked_AsksTheApiToSortByItAscendingThenDescending(string title, string ascending, string descending)
    {
        Api.OnJobs(TestJobs.Queued(), TestJobs.Failed());
        var cut = Render<JobList>();
        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/jobs")));

        Header(cut, title).Click();
        cut.WaitForAssertion(() => Assert.Equal(ascending, Api.RequestsTo(HttpMethod.Get, "/api/jobs")[^1].Query("sort")));
        Header(cut, title).Click();
        cut.WaitForAssertion(() => Assert.Equal(descending, Api.RequestsTo(HttpMethod.Get, "/api/jobs")[^1].Query("sort")));
    }

    private static AngleSharp.Dom.IElement Header(IRenderedComponent<JobList> cut, string title) =>
        cut.FindAll("[data-testid=jobs-grid] th .sortable-column-header").First(th => th.TextContent.Trim() == title);

    [Fact]
    public void Grid_MaxAttempts_ShowsAttemptOfMax()
    {
        var running = TestJobs.Running(attempt: 2) with { MaxAttempts = 3 };
        Api.OnJobs(running);

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Contains("2/3", cut.Find($"tr.job-row-{running.Id}").TextContent, StringComparison.Ordinal));
    }
}

public sealed class JobListRetentionTests : RcmdTestContext
{
    [Fact]
    public void Jobs_RetentionArchivedOlderJobs_SaysHowFarBackLiveHistoryGoes()
    {
        Api.OnJobs(TestJobs.Queued());
        Api.On(HttpMethod.Get, "/api/retention", _ => HistoryRetentionTests.Json(HistoryRetentionTests.View(
            new Rcmd.Retention.RetentionState { LiveHistoryStart = TestJobs.T0.AddDays(-14), ArchivedTotal = 5_000 })));

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Contains("Live history since 2025-04-20 12:00:00Z", cut.Find("[data-testid=live-history-since]").TextContent,
            StringComparison.Ordinal));
        Assert.Contains("5,000 older jobs archived", cut.Find("[data-testid=live-history-since]").TextContent, StringComparison.Ordinal);
        Assert.Equal("retention", cut.Find("[data-testid=live-history-retention]").GetAttribute("href"));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.job-row")));
    }

    [Fact]
    public void Jobs_RetentionUnavailable_GridStillLoadsWithoutTheLine()
    {
        Api.OnJobs(TestJobs.Queued());

        var cut = Render<JobList>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.job-row")));
        Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/retention"));
        Assert.Empty(cut.FindAll("[data-testid=live-history-since]"));
    }
}

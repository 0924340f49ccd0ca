using System.Net;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;
using static Rcmd.Web.Tests.Infrastructure.TestSchedules;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class ScheduleListTests : ScheduleTestContext
{
    private static readonly DateTimeOffset T0 = TestJobs.T0;

    [Fact]
    public void List_Schedules_ShowsCronNextTimesInZoneAndUtcLastRunAndPaused()
    {
        var nightly = View("s1", "nightly", "0 2 * * *", "Europe/Paris",
            next: [new ScheduleFireTime(new DateTimeOffset(2025, 5, 5, 2, 0, 0, TimeSpan.FromHours(2)), new DateTimeOffset(2025, 5, 5, 0, 0, 0, TimeSpan.Zero))],
            lastRun: Run("job-a", JobState.Succeeded.ToWire()), successRate: 0.75) with { RecentOutcomes = ["failed", "succeeded", "skipped", "succeeded"] };
        var paused = View("s2", "paused one", "@hourly", "UTC", paused: true);
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(nightly, paused));

        var cut = Render<ScheduleList>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".schedule").Count), Patience);
        var first = cut.Find("[data-testid=schedule-s1]");
        Assert.Equal("0 2 * * *", first.QuerySelector("[data-testid=schedule-cron]")!.TextContent);
        Assert.Contains("copy /data/in → s3:bucket", first.QuerySelector("[data-testid=schedule-what]")!.TextContent, StringComparison.Ordinal);
        var next = first.QuerySelector("[data-testid=schedule-next-time]")!;
        Assert.Contains("2025-05-05 02:00:00 +02:00", next.TextContent, StringComparison.Ordinal);
        Assert.Contains("(2025-05-05 00:00:00Z)", next.TextContent, StringComparison.Ordinal);
        Assert.Equal("succeeded", first.QuerySelector("[data-testid=schedule-last-run]")!.GetAttribute("data-outcome"));
        Assert.Equal("jobs/job-a", first.QuerySelector("[data-testid=run-job-link]")!.GetAttribute("href"));
        Assert.Contains("75%", first.QuerySelector("[data-testid=schedule-success-rate]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["failed", "succeeded", "skipped", "succeeded"],
            first.QuerySelectorAll("[data-testid=schedule-sparkline] .spark").Select(e => e.GetAttribute("data-outcome")!));

        var second = cut.Find("[data-testid=schedule-s2]");
        Assert.Equal("true", second.GetAttribute("data-paused"));
        Assert.NotNull(second.QuerySelector("[data-testid=schedule-resume]"));
        Assert.Contains("none while paused", second.QuerySelector("[data-testid=schedule-next-none]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void List_ApiDown_ShowsUnreachableAndNoSchedules()
    {
        Api.Down = true;

        var cut = Render<ScheduleList>();

        cut.WaitForAssertion(() => Assert.Equal("Unreachable", cut.Find("[data-testid=api-error]").GetAttribute("data-kind")), Patience);
        Assert.Contains("No schedules could be loaded", cut.Find("[data-testid=schedules-empty]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunNow_JobUpdatesArriveLive_TheRunGoesFromQueuedToSucceededWithoutReadingTheListAgain()
    {
        var view = View("s1", "nightly", "0 2 * * *", "UTC");
        var job = TestJobs.Queued() with { ScheduleId = "s1" };
        var afterRun = view with { LastRun = Run(job.Id, JobState.Queued.ToWire(), manual: true) };
        var current = view;
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(current));
        Api.On(HttpMethod.Get, "/api/schedules/s1", _ => StubApi.Json(HttpStatusCode.OK, current, ScheduleJsonContext.Default.ScheduleView));
        Api.On(HttpMethod.Post, "/api/schedules/s1/run-now", _ =>
        {
            current = afterRun;
            return StubApi.Json(HttpStatusCode.Accepted, afterRun.LastRun!, ScheduleJsonContext.Default.ScheduleRun);
        });
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-last-run-none]")), Patience);

        cut.Find("[data-testid=schedule-s1] [data-testid=schedule-run-now]").Click();

        cut.WaitForAssertion(() => Assert.Equal("queued", cut.Find("[data-testid=schedule-last-run]").GetAttribute("data-outcome")), Patience);
        Assert.Equal(job.Id, cut.Find("[data-testid=schedule-last-run]").GetAttribute("data-job"));
        var readsBefore = Api.RequestsTo(HttpMethod.Get, "/api/schedules/s1").Count;

        var running = TestJobs.Running(job.Id, percent: 20) with { ScheduleId = "s1", UpdatedAt = job.UpdatedAt.AddSeconds(1) };
        await PushAsync(running);
        cut.WaitForAssertion(() => Assert.Equal("running", cut.Find("[data-testid=schedule-last-run]").GetAttribute("data-outcome")), Patience);
        // A run the page shows is updated in place: no read.
        Assert.Equal(readsBefore, Api.RequestsTo(HttpMethod.Get, "/api/schedules/s1").Count);

        current = afterRun with { LastRun = afterRun.LastRun! with { Outcome = "succeeded" }, SuccessRate = 1 };
        await PushAsync(TestJobs.Succeeded(running));

        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find("[data-testid=schedule-last-run]").GetAttribute("data-outcome")), Patience);
        Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/schedules"));
        Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/schedules/s1/run-now"));
    }

    [Fact]
    public async Task LiveJobOfAShownSchedule_ARunThePageDoesNotKnow_ReadsThatScheduleAndItsRuns()
    {
        var view = View("s1", "every minute", "* * * * *", "UTC");
        var other = View("s2", "other", "@daily", "UTC");
        var job = TestJobs.Queued() with { ScheduleId = "s1" };
        var fired = view with { LastRun = Run(job.Id, "queued") };
        IReadOnlyList<ScheduleRun> runs = [];
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view, other));
        Api.On(HttpMethod.Get, "/api/schedules/s1", _ => StubApi.Json(HttpStatusCode.OK, fired, ScheduleJsonContext.Default.ScheduleView));
        Api.On(HttpMethod.Get, "/api/schedules/s1/runs", _ => StubApi.Json(HttpStatusCode.OK, new ScheduleRunPage(runs, runs.Count, 1, 10),
            ScheduleJsonContext.Default.ScheduleRunPage));
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s1] [data-testid=schedule-toggle-runs]")), Patience);
        cut.Find("[data-testid=schedule-s1] [data-testid=schedule-toggle-runs]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-runs-empty]")), Patience);

        runs = [fired.LastRun!];
        await PushAsync(job);
        // A job of a schedule that is not shown changes nothing.
        await PushAsync(TestJobs.Queued() with { ScheduleId = "elsewhere" });

        cut.WaitForAssertion(() =>
        {
            var row = cut.Find("[data-testid=schedule-s1] [data-testid=schedule-run]");
            Assert.Equal(job.Id, row.GetAttribute("data-job"));
            Assert.Equal("queued", cut.Find("[data-testid=schedule-s1] [data-testid=schedule-last-run]").GetAttribute("data-outcome"));
        }, Patience);
        Assert.Empty(Api.RequestsTo(HttpMethod.Get, "/api/schedules/s2"));
        Assert.Empty(Api.RequestsTo(HttpMethod.Get, "/api/schedules/elsewhere"));
        Assert.NotNull(cut.Find("[data-testid=schedule-s2] [data-testid=schedule-last-run-none]"));
    }

    [Fact]
    public void PauseThenResume_PostsEachAndShowsTheState()
    {
        var view = View("s1", "nightly", "0 2 * * *", "UTC");
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Post, "/api/schedules/s1/pause", _ => StubApi.Json(HttpStatusCode.OK,
            view with { Schedule = view.Schedule with { Paused = true }, NextFireTimes = [] }, ScheduleJsonContext.Default.ScheduleView));
        Api.On(HttpMethod.Post, "/api/schedules/s1/resume", _ => StubApi.Json(HttpStatusCode.OK, view, ScheduleJsonContext.Default.ScheduleView));
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-pause]")), Patience);

        cut.Find("[data-testid=schedule-pause]").Click();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=schedule-s1]").GetAttribute("data-paused")), Patience);
        cut.Find("[data-testid=schedule-resume]").Click();
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=schedule-s1]").GetAttribute("data-paused")), Patience);

        Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/schedules/s1/pause"));
        Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/schedules/s1/resume"));
    }

    [Fact]
    public void Delete_AskedThenConfirmed_DeletesOnceAndTheScheduleGoes()
    {
        var view = View("s1", "nightly", "0 2 * * *", "UTC");
        var listed = new List<ScheduleView> { view };
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page([.. listed]));
        Api.On(HttpMethod.Delete, "/api/schedules/s1", _ =>
        {
            listed.Clear();
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        });
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-delete]")), Patience);

        cut.Find("[data-testid=schedule-delete]").Click();
        Assert.Contains("nightly", DialogText("schedule-delete-confirmation"), StringComparison.Ordinal);
        Assert.Empty(Api.RequestsTo(HttpMethod.Delete, "/api/schedules/s1"));
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedules-empty]")), Patience);
        Assert.Single(Api.RequestsTo(HttpMethod.Delete, "/api/schedules/s1"));
    }

    [Fact]
    public void Runs_MoreThanAPage_OlderAndNewerReadTheNextAndPreviousPage()
    {
        var view = View("s1", "every minute", "* * * * *", "UTC");
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Get, "/api/schedules/s1/runs", request =>
        {
            var page = int.Parse(request.Query("page")!, System.Globalization.CultureInfo.InvariantCulture);
            var size = int.Parse(request.Query("pageSize")!, System.Globalization.CultureInfo.InvariantCulture);
            const int total = 25;
            var runs = Enumerable.Range((page - 1) * size, Math.Max(0, Math.Min(size, total - ((page - 1) * size))))
                .Select(i => Run($"job-{i}", "succeeded")).ToList();
            return StubApi.Json(HttpStatusCode.OK, new ScheduleRunPage(runs, total, page, size), ScheduleJsonContext.Default.ScheduleRunPage);
        });
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-toggle-runs]")), Patience);

        cut.Find("[data-testid=schedule-toggle-runs]").Click();
        cut.WaitForAssertion(() => Assert.Equal(ScheduleList.RunsShown, cut.FindAll("[data-testid=schedule-run]").Count), Patience);
        Assert.Equal("job-0", cut.Find("[data-testid=schedule-run]").GetAttribute("data-job"));
        Assert.Contains("page 1 of 3", cut.Find("[data-testid=schedule-runs-page]").TextContent, StringComparison.Ordinal);
        Assert.True(cut.Find("[data-testid=schedule-runs-newer]").HasAttribute("disabled"));

        cut.Find("[data-testid=schedule-runs-older]").Click();
        cut.WaitForAssertion(() => Assert.Equal("job-10", cut.Find("[data-testid=schedule-run]").GetAttribute("data-job")), Patience);
        cut.Find("[data-testid=schedule-runs-older]").Click();
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=schedule-run]").Count), Patience);
        Assert.Equal("job-20", cut.Find("[data-testid=schedule-run]").GetAttribute("data-job"));
        Assert.True(cut.Find("[data-testid=schedule-runs-older]").HasAttribute("disabled"));
        Assert.Contains("page 3 of 3", cut.Find("[data-testid=schedule-runs-page]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=schedule-runs-newer]").Click();
        cut.WaitForAssertion(() => Assert.Equal("job-10", cut.Find("[data-testid=schedule-run]").GetAttribute("data-job")), Patience);
        Assert.Equal(["1", "2", "3", "2"], Api.RequestsTo(HttpMethod.Get, "/api/schedules/s1/runs").Select(r => r.Query("page")!));
        Assert.All(Api.RequestsTo(HttpMethod.Get, "/api/schedules/s1/runs"), r => Assert.Equal("10", r.Query("pageSize")));
    }

    [Fact]
    public void Runs_OnePage_ShowsNoPager()
    {
        var view = View("s1", "nightly", "0 2 * * *", "UTC");
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Get, "/api/schedules/s1/runs", _ => StubApi.Json(HttpStatusCode.OK,
            new ScheduleRunPage([Run("job-a", "succeeded")], 1, 1, 10), ScheduleJsonContext.Default.ScheduleRunPage));
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-toggle-runs]")), Patience);

        cut.Find("[data-testid=schedule-toggle-runs]").Click();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=schedule-run]")), Patience);
        Assert.Empty(cut.FindAll("[data-testid=schedule-runs-pager]"));
    }

    [Theory]
    [InlineData("viewer", false)]
    [InlineData("operator", true)]
    [InlineData("admin", true)]
    public void List_ByRole_MutatingButtonsOnlyForOperatorsAndUp_ViewersToldWhy(string role, bool mutates)
    {
        Assert.True(Rcmd.Security.Roles.TryParse(role, out var parsed));
        SignInAs("someone", parsed);
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(View("s1", "nightly", "0 2 * * *", "UTC")));

        var cut = Render<ScheduleList>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".schedule")), Patience);
        Assert.NotNull(cut.Find("[data-testid=refresh-schedules]"));
        foreach (var action in new[] { "new-schedule", "schedule-run-now", "schedule-pause", "schedule-edit", "schedule-delete" })
        {
            Assert.Equal(mutates, cut.FindAll($"[data-testid={action}]").Count == 1);
        }

        var reasons = cut.FindAll("[data-testid=needs-operator]");
        Assert.Equal(mutates ? 0 : 1, reasons.Count); // one reason for the page, not one per schedule
        if (!mutates)
        {
            Assert.Contains("needs the operator role (you are a viewer)", reasons[0].TextContent, StringComparison.Ordinal);
        }
    }
}

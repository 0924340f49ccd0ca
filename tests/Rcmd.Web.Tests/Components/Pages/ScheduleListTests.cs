using System.Net;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class ScheduleListTests : RcmdTestContext
{
    private static readonly DateTimeOffset T0 = TestJobs.T0;

    // Live updates go through the list's render interval (250 ms) and a re-read: room for a loaded machine.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

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
    public void NewSchedule_ApiRefusesCron_ShowsItsMessageUnderTheFieldThenCreatesOnceFixed()
    {
        var created = View("s9", "hourly copy", "0 * * * *", "UTC");
        var posts = 0;
        var listed = new List<ScheduleView>();
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page([.. listed]));
        Api.On(HttpMethod.Post, "/api/schedules", request =>
        {
            posts++;
            if (request.Json().GetProperty("cron").GetString() == "61 * * * *")
            {
                return StubApi.Error(HttpStatusCode.BadRequest, ErrorCodes.ValidationError, "The schedule is not valid.",
                    new Dictionary<string, string[]> { ["cron"] = ["Invalid cron expression: minute 61 is out of range."] });
            }

            listed.Add(created);
            return StubApi.Json(HttpStatusCode.Created, created, ScheduleJsonContext.Default.ScheduleView);
        });
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedules-empty]")), Patience);

        cut.Find("[data-testid=new-schedule]").Click();
        Dialogs.WaitForElement("#schedule-name").Input("hourly copy");
        Dialogs.Find("#schedule-cron").Input("61 * * * *");
        Dialogs.Find("#schedule-source").Input("/data/in");
        Dialogs.Find("#schedule-destination").Input("s3:bucket");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.Contains("minute 61 is out of range", Dialogs.Find("[data-testid=error-cron]").TextContent,
            StringComparison.Ordinal), Patience);
        var refused = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json();
        Assert.Equal("hourly copy", refused.GetProperty("name").GetString());
        Assert.Equal("copy", refused.GetProperty("job").GetProperty("type").GetString());
        Assert.Equal("/data/in", refused.GetProperty("job").GetProperty("source").GetString());
        Assert.Equal("s3:bucket", refused.GetProperty("job").GetProperty("destination").GetString());
        Assert.Equal("UTC", refused.GetProperty("timeZone").GetString());

        Dialogs.Find("#schedule-cron").Input("0 * * * *");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s9]")), Patience);
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=schedule-dialog]")), Patience);
        Assert.Equal(2, posts);
    }

    [Fact]
    public void Edit_Saved_PutsTheScheduleAndShowsTheNewCron()
    {
        var view = View("s1", "nightly", "0 2 * * *", "UTC");
        var saved = view with { Schedule = view.Schedule with { Cron = "30 3 * * *" } };
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Put, "/api/schedules/s1", _ => StubApi.Json(HttpStatusCode.OK, saved, ScheduleJsonContext.Default.ScheduleView));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s1]")), Patience);

        cut.Find("[data-testid=schedule-s1] [data-testid=schedule-edit]").Click();
        var cron = Dialogs.WaitForElement("#schedule-cron");
        Assert.Equal("0 2 * * *", cron.GetAttribute("value"));
        cron.Input("30 3 * * *");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Equal("30 3 * * *", cut.Find("[data-testid=schedule-s1] [data-testid=schedule-cron]").TextContent), Patience);
        var body = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json();
        Assert.Equal("30 3 * * *", body.GetProperty("cron").GetString());
        Assert.Equal("/data/in", body.GetProperty("job").GetProperty("source").GetString());
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
    public void NewSchedule_DryRunJitterAndDates_AreSentAndAnUnreadableDateIsSaidUnderItsFieldWithoutSending()
    {
        var created = View("s9", "dry copy", "0 * * * *", "UTC");
        var listed = new List<ScheduleView>();
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page([.. listed]));
        Api.On(HttpMethod.Post, "/api/schedules", _ =>
        {
            listed.Add(created);
            return StubApi.Json(HttpStatusCode.Created, created, ScheduleJsonContext.Default.ScheduleView);
        });
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedules-empty]")), Patience);

        cut.Find("[data-testid=new-schedule]").Click();
        Dialogs.WaitForElement("#schedule-name").Input("dry copy");
        Dialogs.Find("#schedule-source").Input("/data/in");
        Dialogs.Find("#schedule-destination").Input("s3:bucket");
        Dialogs.Find("[data-testid=schedule-dry-run]").Change(true);
        Dialogs.Find("#schedule-jitter").Input("30s");
        Dialogs.Find("#schedule-start-at").Input("2026-01-01T02:00");
        Dialogs.Find("#schedule-end-at").Input("someday");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.Contains("'someday' is not a date",
            Dialogs.Find("#schedule-end-at").Closest(".field")!.QuerySelector("[data-testid=error-endAt]")!.TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, "/api/schedules"));

        Dialogs.Find("#schedule-end-at").Input("2026-12-31T23:30");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s9]")), Patience);
        var body = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json();
        Assert.True(body.GetProperty("job").GetProperty("options").GetProperty("dryRun").GetBoolean());
        Assert.Equal("30s", body.GetProperty("jitter").GetString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.Zero), body.GetProperty("startAt").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.Zero), body.GetProperty("endAt").GetDateTimeOffset());
        Assert.Equal("run_once", body.GetProperty("missed").GetString());
        // Not run_each: no cap is sent (the Api's default stands).
        Assert.True(!body.TryGetProperty("missedCap", out var cap) || cap.ValueKind == System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task NewSchedule_RunEach_ShowsTheCapSendsItAndTheApisFieldErrorsShowUnderTheirFields()
    {
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page());
        Api.On(HttpMethod.Post, "/api/schedules", _ => StubApi.Error(HttpStatusCode.BadRequest, ErrorCodes.ValidationError, "The schedule is not valid.",
            new Dictionary<string, string[]>
            {
                ["missedCap"] = ["MissedCap must be from 1 to 1000."],
                ["jitter"] = ["Jitter must be a duration such as 30s or 5m, at most 1h."],
                ["endAt"] = ["EndAt must be after startAt."],
                ["job.options"] = ["Options are not valid."],
            }));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedules-empty]")), Patience);

        cut.Find("[data-testid=new-schedule]").Click();
        Dialogs.WaitForElement("#schedule-name").Input("catch up");
        Assert.Empty(Dialogs.FindAll("#schedule-missed-cap"));
        await SelectInDialogAsync("schedule-missed", "run_each");
        Dialogs.WaitForElement("#schedule-missed-cap").Input("2000");
        Dialogs.Find("#schedule-jitter").Input("2h");
        Dialogs.Find("#schedule-start-at").Input("2026-02-01T00:00");
        Dialogs.Find("#schedule-end-at").Input("2026-01-01T00:00");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find("[data-testid=error-missedCap]")), Patience);
        Assert.Contains("from 1 to 1000", UnderField("#schedule-missed-cap", "missedCap"), StringComparison.Ordinal);
        Assert.Contains("at most 1h", UnderField("#schedule-jitter", "jitter"), StringComparison.Ordinal);
        Assert.Contains("after startAt", UnderField("#schedule-end-at", "endAt"), StringComparison.Ordinal);
        Assert.Contains("Options are not valid", UnderField("[data-testid=schedule-dry-run]", "job.options"), StringComparison.Ordinal);
        var body = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json();
        Assert.Equal("run_each", body.GetProperty("missed").GetString());
        Assert.Equal(2000, body.GetProperty("missedCap").GetInt32());
        Assert.Equal("2h", body.GetProperty("jitter").GetString());
    }

    [Fact]
    public void Edit_RunEachDryRunWithDates_ShowsThemAndPutsThemBackWithTheNewCap()
    {
        var view = View("s1", "nightly", "0 2 * * *", "UTC");
        view = view with
        {
            Schedule = view.Schedule with
            {
                Job = view.Schedule.Job! with { Options = new JobOptions { DryRun = true } },
                Missed = ScheduleMissed.RunEach,
                MissedCap = 5,
                Jitter = TimeSpan.FromMinutes(5),
                StartAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                EndAt = new DateTimeOffset(2027, 1, 1, 6, 30, 0, TimeSpan.Zero),
            },
        };
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Put, "/api/schedules/s1", _ => StubApi.Json(HttpStatusCode.OK, view, ScheduleJsonContext.Default.ScheduleView));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s1]")), Patience);

        cut.Find("[data-testid=schedule-s1] [data-testid=schedule-edit]").Click();
        var cap = Dialogs.WaitForElement("#schedule-missed-cap");
        Assert.Equal("5", cap.GetAttribute("value"));
        Assert.Equal("2026-01-01T00:00", Dialogs.Find("#schedule-start-at").GetAttribute("value"));
        Assert.Equal("2027-01-01T06:30", Dialogs.Find("#schedule-end-at").GetAttribute("value"));
        cap.Input("7");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1")), Patience);
        var body = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json();
        Assert.Equal(7, body.GetProperty("missedCap").GetInt32());
        Assert.Equal("run_each", body.GetProperty("missed").GetString());
        Assert.Equal("5m0s", body.GetProperty("jitter").GetString());
        Assert.True(body.GetProperty("job").GetProperty("options").GetProperty("dryRun").GetBoolean());
        Assert.Equal(view.Schedule.StartAt, body.GetProperty("startAt").GetDateTimeOffset());
        Assert.Equal(view.Schedule.EndAt, body.GetProperty("endAt").GetDateTimeOffset());
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

    [Fact]
    public async Task NewSchedule_DirectoryBatch_PostsTheBatchWithOpAndPatternsAndShowsItsErrorsUnderTheirFields()
    {
        var created = View("s9", "photos", "@daily", "UTC");
        var posts = 0;
        var listed = new List<ScheduleView>();
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page([.. listed]));
        Api.On(HttpMethod.Post, "/api/schedules", _ => ++posts == 1
            ? StubApi.Error(HttpStatusCode.BadRequest, ErrorCodes.ValidationError, "The schedule is not valid.",
                new Dictionary<string, string[]>
                {
                    ["batch.directory.destination"] = ["Destination is the same as the source."],
                    ["batch.directory.include"] = ["Pattern '[' is not valid."],
                })
            : Created(listed, created));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedules-empty]")), Patience);

        cut.Find("[data-testid=new-schedule]").Click();
        Dialogs.WaitForElement("#schedule-name").Input("photos");
        await SelectInDialogAsync("schedule-runs-kind", "directory");
        Assert.Empty(Dialogs.FindAll("#schedule-source"));
        await SelectInDialogAsync("schedule-batch-op", "movefile");
        Dialogs.WaitForElement("#schedule-batch-source").Input("/data/in");
        Dialogs.Find("#schedule-batch-destination").Input("/data/in");
        Dialogs.Find("#schedule-batch-include").Input("*.jpg\n[\n");
        Dialogs.Find("#schedule-batch-exclude").Input("tmp/**");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find("[data-testid='error-batch.directory.destination']")), Patience);
        Assert.Contains("same as the source", UnderField("#schedule-batch-destination", "batch.directory.destination"), StringComparison.Ordinal);
        Assert.Contains("not valid", UnderField("#schedule-batch-include", "batch.directory.include"), StringComparison.Ordinal);
        var body = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json();
        Assert.False(body.TryGetProperty("job", out var job) && job.ValueKind != System.Text.Json.JsonValueKind.Null);
        var batch = body.GetProperty("batch");
        Assert.Equal("movefile", batch.GetProperty("op").GetString());
        var directory = batch.GetProperty("directory");
        Assert.Equal("/data/in", directory.GetProperty("source").GetString());
        Assert.Equal("/data/in", directory.GetProperty("destination").GetString());
        Assert.Equal(["*.jpg", "["], directory.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["tmp/**"], directory.GetProperty("exclude").EnumerateArray().Select(e => e.GetString()));

        Dialogs.Find("#schedule-batch-destination").Input("remote:photos");
        Dialogs.Find("#schedule-batch-include").Input("*.jpg");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s9]")), Patience);
        var fixedBody = Api.RequestsTo(HttpMethod.Post, "/api/schedules")[1].Json().GetProperty("batch").GetProperty("directory");
        Assert.Equal("remote:photos", fixedBody.GetProperty("destination").GetString());
        Assert.Equal(["*.jpg"], fixedBody.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Edit_DirectoryBatch_ShowsItsPairAndPutsTheBatchBackWithItsNameAndOptions()
    {
        var view = View("s1", "photos", "@daily", "UTC");
        view = view with
        {
            Schedule = view.Schedule with
            {
                Job = null,
                Batch = new ScheduleBatch
                {
                    Name = "photos",
                    Op = Rcmd.Batches.BatchOp.CopyFile,
                    Directory = new Rcmd.Batches.BatchDirectory { Source = "/data/in", Destination = "remote:photos", Include = ["*.jpg", "*.png"] },
                    Options = new Rcmd.Batches.BatchOptions { DryRun = true },
                },
            },
        };
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Put, "/api/schedules/s1", _ => StubApi.Json(HttpStatusCode.OK, view, ScheduleJsonContext.Default.ScheduleView));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s1]")), Patience);

        cut.Find("[data-testid=schedule-s1] [data-testid=schedule-edit]").Click();
        var destination = Dialogs.WaitForElement("#schedule-batch-destination");
        Assert.Equal("/data/in", Dialogs.Find("#schedule-batch-source").GetAttribute("value"));
        Assert.Empty(Dialogs.FindAll("[data-testid=schedule-batch-note]"));
        destination.Input("remote:archive");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1")), Patience);
        var batch = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json().GetProperty("batch");
        Assert.Equal("photos", batch.GetProperty("name").GetString());
        Assert.Equal("copyfile", batch.GetProperty("op").GetString());
        Assert.True(batch.GetProperty("options").GetProperty("dryRun").GetBoolean());
        var directory = batch.GetProperty("directory");
        Assert.Equal("remote:archive", directory.GetProperty("destination").GetString());
        Assert.Equal(["*.jpg", "*.png"], directory.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Edit_BatchOfItems_ShowsTheNoteAndPutsItsItemsBackAsTheyWere()
    {
        var view = View("s1", "moves", "@daily", "UTC");
        view = view with
        {
            Schedule = view.Schedule with
            {
                Job = null,
                Batch = new ScheduleBatch
                {
                    Name = "moves",
                    Items = [new Rcmd.Batches.BatchItem { Op = Rcmd.Batches.BatchOp.MoveFile, Source = "/in/a.txt", Destination = "/out/a.txt" }],
                },
            },
        };
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Put, "/api/schedules/s1", _ => StubApi.Json(HttpStatusCode.OK, view, ScheduleJsonContext.Default.ScheduleView));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s1]")), Patience);

        cut.Find("[data-testid=schedule-s1] [data-testid=schedule-edit]").Click();
        Dialogs.WaitForElement("[data-testid=schedule-batch-note]");
        Assert.Empty(Dialogs.FindAll("#schedule-batch-source"));
        Assert.Empty(Dialogs.FindAll("#schedule-source"));
        Dialogs.Find("#schedule-cron").Input("@hourly");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1")), Patience);
        var body = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json();
        Assert.True(!body.TryGetProperty("job", out var job) || job.ValueKind == System.Text.Json.JsonValueKind.Null);
        var item = Assert.Single(body.GetProperty("batch").GetProperty("items").EnumerateArray());
        Assert.Equal("movefile", item.GetProperty("op").GetString());
        Assert.Equal("/in/a.txt", item.GetProperty("source").GetString());
        Assert.Equal("/out/a.txt", item.GetProperty("destination").GetString());
    }

    private static HttpResponseMessage Created(List<ScheduleView> listed, ScheduleView created)
    {
        listed.Add(created);
        return StubApi.Json(HttpStatusCode.Created, created, ScheduleJsonContext.Default.ScheduleView);
    }

    /// <summary>The messages shown for a field, read from inside the same field block as its input.</summary>
    private string UnderField(string inputSelector, string field) =>
        Dialogs.Find(inputSelector).Closest(".field")!.QuerySelector($"[data-testid='error-{field}']")?.TextContent
            ?? throw new Xunit.Sdk.XunitException($"No error of {field} under {inputSelector}.");

    private Task SelectInDialogAsync(string testId, string value)
    {
        var select = Dialogs.FindComponents<MudBlazor.MudSelect<string>>()
            .Single(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == testId);
        return select.InvokeAsync(() => select.Instance.SelectOption(value));
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

    private static ScheduleView View(string id, string name, string cron, string zone, IReadOnlyList<ScheduleFireTime>? next = null,
        ScheduleRun? lastRun = null, double? successRate = null, bool paused = false) => new()
    {
        Schedule = new Schedule
        {
            Id = id,
            Name = name,
            Cron = cron,
            TimeZone = zone,
            Job = new JobRequest { Type = "copy", Source = "/data/in", Destination = "s3:bucket" },
            Paused = paused,
            CreatedAt = T0,
            UpdatedAt = T0,
        },
        NextFireTimes = paused ? [] : next ?? [new ScheduleFireTime(T0.AddHours(1), T0.AddHours(1))],
        LastRun = lastRun,
        SuccessRate = successRate,
    };

    private static ScheduleRun Run(string jobId, string outcome, bool manual = false) =>
        new() { PlannedAt = T0, StartedAt = T0, JobId = jobId, Outcome = outcome, Manual = manual };

    private static HttpResponseMessage Page(params ScheduleView[] views) =>
        StubApi.Json(HttpStatusCode.OK, new SchedulePage(views, views.Length, 1, ScheduleList.PageSize), ScheduleJsonContext.Default.SchedulePage);
}

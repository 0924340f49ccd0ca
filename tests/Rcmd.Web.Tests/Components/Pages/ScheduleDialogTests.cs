using System.Net;
using System.Text.Json;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Tests.Infrastructure;
using static Rcmd.Web.Tests.Infrastructure.TestSchedules;

namespace Rcmd.Web.Tests.Components.Pages;

/// <summary>
/// The schedule dialog, opened from the Schedules page: what it sends for each kind of schedule (a job, listed items, a
/// directory pair), its dates read in the schedule's zone, and the Api's field errors shown under their fields.
/// </summary>
public sealed class ScheduleDialogTests : ScheduleTestContext
{
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
        var cut = OpenToCreate();
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
        var cut = OpenToEdit(view, answer: saved);
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
    public void NewSchedule_DryRunJitterAndDates_AreSentAndAnUnreadableDateIsSaidUnderItsFieldWithoutSending()
    {
        AcceptCreate(View("s9", "dry copy", "0 * * * *", "UTC"));
        var cut = OpenToCreate();
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
        var cut = OpenToCreate();
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
        var cut = OpenToEdit(view);
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
        var cut = OpenToCreate();
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
        var cut = OpenToEdit(view);
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
    public void Edit_BatchOfItemsWithMixedOps_ShowsTheNoteAndPutsItsItemsBackAsTheyWere()
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
                    Items =
                    [
                        new Rcmd.Batches.BatchItem { Op = Rcmd.Batches.BatchOp.MoveFile, Source = "/in/a.txt", Destination = "/out/a.txt" },
                        new Rcmd.Batches.BatchItem { Op = Rcmd.Batches.BatchOp.DeleteFile, Source = "/in/old.txt" },
                    ],
                },
            },
        };
        var cut = OpenToEdit(view);
        Dialogs.WaitForElement("[data-testid=schedule-batch-note]");
        Assert.Empty(Dialogs.FindAll("#schedule-batch-source"));
        Assert.Empty(Dialogs.FindAll("#schedule-source"));
        Dialogs.Find("#schedule-cron").Input("@hourly");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1")), Patience);
        var body = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json();
        Assert.True(!body.TryGetProperty("job", out var job) || job.ValueKind == System.Text.Json.JsonValueKind.Null);
        var items = body.GetProperty("batch").GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("movefile", items[0].GetProperty("op").GetString());
        Assert.Equal("/in/a.txt", items[0].GetProperty("source").GetString());
        Assert.Equal("/out/a.txt", items[0].GetProperty("destination").GetString());
        Assert.Equal("deletefile", items[1].GetProperty("op").GetString());
        Assert.Equal("/in/old.txt", items[1].GetProperty("source").GetString());
    }

    [Fact]
    public void Edit_BatchOfItems_ShowsOneLineEachAndPutsTheEditedLinesBackWithTheirOp()
    {
        var view = WithItems(View("s1", "moves", "@daily", "UTC"),
            new Rcmd.Batches.BatchItem { Op = Rcmd.Batches.BatchOp.MoveFile, Source = "/in/a.txt", Destination = "/out/a.txt" },
            new Rcmd.Batches.BatchItem { Op = Rcmd.Batches.BatchOp.MoveFile, Source = "/in/b.txt", Destination = "/out/b.txt" });
        var cut = OpenToEdit(view);
        var lines = Dialogs.WaitForElement("#schedule-items");
        Assert.Equal("/in/a.txt -> /out/a.txt\n/in/b.txt -> /out/b.txt", lines.GetAttribute("value") ?? lines.TextContent);
        Assert.Empty(Dialogs.FindAll("[data-testid=schedule-batch-note]"));
        lines.Input("/in/a.txt -> /out/a.txt\n\n/in/c.txt\t/out/c.txt\n");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1")), Patience);
        var batch = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json().GetProperty("batch");
        Assert.Equal("moves", batch.GetProperty("name").GetString());
        Assert.True(!batch.TryGetProperty("op", out var op) || op.ValueKind == JsonValueKind.Null, "op is for directory batches only");
        var items = batch.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["movefile", "movefile"], items.Select(i => i.GetProperty("op").GetString()));
        Assert.Equal(["/in/a.txt", "/in/c.txt"], items.Select(i => i.GetProperty("source").GetString()));
        Assert.Equal(["/out/a.txt", "/out/c.txt"], items.Select(i => i.GetProperty("destination").GetString()));
    }

    [Fact]
    public async Task NewSchedule_BatchOfItems_ALineWithoutDestinationIsSaidThenTheApisItemErrorsShowByLine()
    {
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page());
        Api.On(HttpMethod.Post, "/api/schedules", _ => StubApi.Error(HttpStatusCode.BadRequest, ErrorCodes.ValidationError, "The schedule is not valid.",
            new Dictionary<string, string[]> { ["batch.items[1].source"] = ["Source 'redis' is a relative local path: local paths must be absolute."] }));
        var cut = OpenToCreate();
        Dialogs.WaitForElement("#schedule-name").Input("two files");
        await SelectInDialogAsync("schedule-runs-kind", ScheduleForm.RunsItems);
        Dialogs.WaitForElement("#schedule-items").Input("/in/a.txt -> /out/a.txt\n/in/b.txt");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.Contains("Line 2 has no destination", UnderField("#schedule-items", "batch.items"), StringComparison.Ordinal), Patience);
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, "/api/schedules"));

        Dialogs.Find("#schedule-items").Input("/in/a.txt -> /out/a.txt\nredis -> /out/b.txt");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.Contains("Item 2: Source 'redis' is a relative local path", UnderField("#schedule-items", "batch.items"),
            StringComparison.Ordinal), Patience);
        var body = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json();
        Assert.True(!body.TryGetProperty("job", out var job) || job.ValueKind == JsonValueKind.Null);
        Assert.Equal(2, body.GetProperty("batch").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task NewSchedule_DeleteFileItems_TakeOnlyASourceEach()
    {
        AcceptCreate(View("s9", "clean", "@daily", "UTC"));
        var cut = OpenToCreate();
        Dialogs.WaitForElement("#schedule-name").Input("clean");
        await SelectInDialogAsync("schedule-runs-kind", ScheduleForm.RunsItems);
        await SelectInDialogAsync("schedule-items-op", "deletefile");
        Dialogs.WaitForElement("#schedule-items").Input("s3:logs/a.log -> s3:logs/b.log");
        ClickInDialog("schedule-save");
        Dialogs.WaitForAssertion(() => Assert.Contains("deletefile takes only the file", UnderField("#schedule-items", "batch.items"), StringComparison.Ordinal), Patience);

        Dialogs.Find("#schedule-items").Input("s3:logs/a.log\ns3:logs/b.log");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s9]")), Patience);
        var items = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json().GetProperty("batch").GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["deletefile", "deletefile"], items.Select(i => i.GetProperty("op").GetString()));
        Assert.All(items, i => Assert.True(!i.TryGetProperty("destination", out var d) || d.ValueKind == JsonValueKind.Null));
    }

    [Fact]
    public void NewSchedule_DatesInTheSchedulesZone_AreSentAsTheirInstantAndATimeTheClocksSkipIsRefused()
    {
        AcceptCreate(View("s9", "paris", "0 3 * * *", "Europe/Paris"));
        var cut = OpenToCreate();
        Dialogs.WaitForElement("#schedule-name").Input("paris");
        Dialogs.Find("#schedule-zone").Input("Europe/Paris");
        Dialogs.Find("#schedule-source").Input("/data/in");
        Dialogs.Find("#schedule-destination").Input("s3:bucket");
        // 2026-03-29 02:30 does not exist in Paris: the clocks go from 02:00 to 03:00.
        Dialogs.Find("#schedule-start-at").Input("2026-03-29T02:30");
        ClickInDialog("schedule-save");

        Dialogs.WaitForAssertion(() => Assert.Contains("does not exist in Europe/Paris", UnderField("#schedule-start-at", "startAt"), StringComparison.Ordinal), Patience);
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, "/api/schedules"));

        Dialogs.Find("#schedule-start-at").Input("2026-07-01T02:00");
        Dialogs.WaitForAssertion(() => Assert.Contains("= 2026-07-01 00:00 UTC", Dialogs.Find("#schedule-start-at").Closest(".field")!.TextContent,
            StringComparison.Ordinal), Patience);
        // 2026-10-25 02:30 happens twice in Paris (the clocks go back at 03:00): the first, still at +02:00.
        Dialogs.Find("#schedule-end-at").Input("2026-10-25T02:30");
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedule-s9]")), Patience);
        var body = Api.RequestsTo(HttpMethod.Post, "/api/schedules").Single().Json();
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), body.GetProperty("startAt").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), body.GetProperty("endAt").GetDateTimeOffset());
    }

    [Fact]
    public void Edit_Dates_ShownOnTheSchedulesWallClockAndPutBackUnchanged()
    {
        var view = View("s1", "new york", "0 1 * * *", "America/New_York");
        view = view with
        {
            Schedule = view.Schedule with
            {
                StartAt = new DateTimeOffset(2026, 1, 1, 5, 0, 0, TimeSpan.Zero),
                EndAt = new DateTimeOffset(2026, 7, 1, 4, 0, 0, TimeSpan.Zero),
            },
        };
        var cut = OpenToEdit(view);
        Assert.Equal("2026-01-01T00:00", Dialogs.WaitForElement("#schedule-start-at").GetAttribute("value"));
        Assert.Equal("2026-07-01T00:00", Dialogs.Find("#schedule-end-at").GetAttribute("value"));
        ClickInDialog("schedule-save");

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1")), Patience);
        var body = Api.RequestsTo(HttpMethod.Put, "/api/schedules/s1").Single().Json();
        Assert.Equal(view.Schedule.StartAt, body.GetProperty("startAt").GetDateTimeOffset());
        Assert.Equal(view.Schedule.EndAt, body.GetProperty("endAt").GetDateTimeOffset());
    }

    private static ScheduleView WithItems(ScheduleView view, params Rcmd.Batches.BatchItem[] items) => view with
    {
        Schedule = view.Schedule with { Job = null, Batch = new ScheduleBatch { Name = view.Schedule.Name, Items = items } },
    };
}

using Rcmd.Storage;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class StatusTests : RcmdTestContext
{
    private static JobCounts Counts(long queued = 0, long running = 0, long succeeded = 0, long failed = 0, long canceled = 0) =>
        new(new Dictionary<string, long>
        {
            ["queued"] = queued,
            ["running"] = running,
            ["succeeded"] = succeeded,
            ["failed"] = failed,
            ["canceled"] = canceled,
        }, queued + running + succeeded + failed + canceled, queued);

    /// <summary>The lists' reads carry each state's total, as the Api's do (no jobs listed).</summary>
    private void OnTotals(JobCounts counts) => Api.OnCounts(counts).On(HttpMethod.Get, "/api/jobs", request =>
        StubApi.Json(System.Net.HttpStatusCode.OK, new JobPage([], counts.ByState.GetValueOrDefault(request.Query("state") ?? ""), 1, 10),
            Rcmd.Serialization.RcmdJsonContext.Default.JobPage));

    [Fact]
    public void Status_ApiCounts_ShowsEachStateTotalAndQueueLength()
    {
        OnTotals(Counts(queued: 2, running: 1, succeeded: 1234, failed: 3));

        var cut = Render<Status>();

        cut.WaitForAssertion(() => Assert.Equal("1,234", Value(cut, "count-succeeded")));
        Assert.Equal("2", Value(cut, "count-queued"));
        Assert.Equal("1", Value(cut, "count-running"));
        Assert.Equal("3", Value(cut, "count-failed"));
        Assert.Equal("0", Value(cut, "count-canceled"));
        Assert.Equal("1,240", Value(cut, "count-total"));
        Assert.Equal("2", Value(cut, "count-queue-length"));
    }

    [Fact]
    public void Status_RunningJob_ShowsOperationPathsProgressBytesSpeedEtaAndAttempt()
    {
        var running = TestJobs.Running(percent: 25, attempt: 2);
        Api.OnCounts(Counts(running: 1)).OnJobs(running);

        var cut = Render<Status>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid=running-jobs] [data-testid=job-row-{running.Id}]")));
        var row = cut.Find($"[data-testid=job-row-{running.Id}]");
        var text = row.TextContent;
        Assert.Contains("copy", text, StringComparison.Ordinal);
        Assert.Contains("/data/in", text, StringComparison.Ordinal);
        Assert.Contains("/data/out", text, StringComparison.Ordinal);
        Assert.Equal("25", row.QuerySelector("[data-testid=job-progress]")!.GetAttribute("data-percent"));
        Assert.Contains("25.0 MiB / 100 MiB", text, StringComparison.Ordinal);
        Assert.Contains("2.0 MiB/s", text, StringComparison.Ordinal);
        Assert.Contains("45s", text, StringComparison.Ordinal);
        Assert.Contains("#2", text, StringComparison.Ordinal);
        Assert.Contains("photos/a.jpg", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_JobEvents_MoveTheJobFromQueuedToRunningToFinishedAndCountIt()
    {
        Api.OnCounts(Counts()).OnJobs();
        var cut = Render<Status>();
        cut.WaitForAssertion(() => Assert.Equal("0", Value(cut, "count-queued")));
        var queued = TestJobs.Queued();
        Api.OnCounts(Counts(queued: 1));

        await PushAsync(queued);

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid=queued-jobs] [data-testid=job-row-{queued.Id}]")));
        cut.WaitForAssertion(() => Assert.Equal("1", Value(cut, "count-queued")), TimeSpan.FromSeconds(5));

        var running = TestJobs.Running(queued.Id, percent: 60);
        await PushAsync(running);
        cut.WaitForAssertion(() => Assert.Equal("60",
            cut.Find($"[data-testid=running-jobs] [data-testid=job-row-{queued.Id}] [data-testid=job-progress]").GetAttribute("data-percent")));
        Assert.Empty(cut.FindAll($"[data-testid=queued-jobs] [data-testid=job-row-{queued.Id}]"));

        await PushAsync(TestJobs.Succeeded(running));
        cut.WaitForAssertion(() => Assert.Equal("succeeded",
            cut.Find($"[data-testid=finished-jobs] [data-testid=job-row-{queued.Id}]").GetAttribute("data-state")));
        Assert.Empty(cut.FindAll($"[data-testid=running-jobs] [data-testid=job-row-{queued.Id}]"));
    }

    [Fact]
    public async Task Status_JobEvents_MoveCountsWithTheListsInTheSameRenderWithoutAskingTheApi()
    {
        var queued = TestJobs.Queued();
        var running = TestJobs.Running();
        Api.OnCounts(Counts(queued: 1, running: 1)).OnJobs(queued, running);
        var cut = Render<Status>();
        cut.WaitForAssertion(() => Assert.Equal("1", Value(cut, "count-running")));
        Assert.Equal("1", Value(cut, "count-queued"));
        var reads = Api.Requests.Count;

        // The queued job starts, the running one finishes, a new one arrives: every count moves with its list.
        var fresh = TestJobs.Queued();
        await PushAsync(TestJobs.Running(queued.Id));
        await PushAsync(TestJobs.Succeeded(running));
        await PushAsync(fresh);

        cut.WaitForAssertion(() =>
        {
            Assert.NotNull(cut.Find($"[data-testid=finished-jobs] [data-testid=job-row-{running.Id}]"));
            Assert.NotNull(cut.Find($"[data-testid=queued-jobs] [data-testid=job-row-{fresh.Id}]"));
            Assert.Equal(cut.FindAll("[data-testid=running-jobs] tbody tr").Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Value(cut, "count-running"));
            Assert.Equal("1", Value(cut, "count-running"));
            Assert.Equal("1", Value(cut, "count-queued"));
            Assert.Equal("1", Value(cut, "count-succeeded"));
            Assert.Equal("3", Value(cut, "count-total"));
            Assert.Contains("Queued (1)", cut.Find("[data-testid=queued-jobs]").TextContent, StringComparison.Ordinal);
        });
        Assert.Equal(reads, Api.Requests.Count);
    }

    [Fact]
    public void Status_ApiDown_ShowsApiUnreachableAndDashes()
    {
        Api.Down = true;

        var cut = Render<Status>();

        cut.WaitForAssertion(() => Assert.Contains("Api unreachable", cut.Find("[data-testid=api-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal("—", Value(cut, "count-running"));
    }

    [Fact]
    public void Status_Disposed_UnsubscribesFromLiveEvents()
    {
        Api.OnCounts(Counts()).OnJobs();
        var before = Live.SubscriberCount;
        var cut = Render<Status>();
        Assert.True(Live.SubscriberCount > before);

        cut.Instance.Dispose();

        Assert.Equal(before, Live.SubscriberCount);
    }

    private static string Value(IRenderedComponent<Status> cut, string testId) =>
        cut.Find($"[data-testid={testId}] .count-value").TextContent.Trim();
}

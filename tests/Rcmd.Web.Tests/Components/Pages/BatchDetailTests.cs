using System.Net;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

/// <summary>A batch's page: its partial-success report (counts, items, filters, downloads) and Resume / Retry failed items.</summary>
public sealed class BatchDetailTests : RcmdTestContext
{
    private static BatchReport Report(Job batch, params BatchReportItem[] items) => new()
    {
        Id = batch.Id,
        State = batch.State,
        Totals = BatchTotals.From(batch.Batch!),
        CanResume = batch.Batch!.CanResume,
        Offset = 0,
        Limit = 50,
        Matched = items.Length,
        Items = items,
    };

    private static BatchReportItem Item(long index, BatchItemState state, string? code = null) => new()
    {
        Index = index,
        Op = BatchOp.CopyFile,
        Source = $"/data/in/f{index}.jpg",
        Destination = $"/data/out/f{index}.jpg",
        State = state,
        Code = code,
        Message = code is null ? null : "object not found",
        Suggestion = code is null ? null : "Check that the source path exists.",
        Attempts = 1,
    };

    private void OnReport(Job batch, Func<RecordedRequest, BatchReport> report) =>
        Api.On(HttpMethod.Get, $"/api/batches/{batch.Id}/report", request => StubApi.Json(HttpStatusCode.OK, report(request), RcmdJsonContext.Default.BatchReport));

    [Fact]
    public void Detail_PartiallyFailedBatch_ShowsCountsCodesAndTheReportItems()
    {
        var batch = TestJobs.Batch();
        Api.OnJob(batch);
        OnReport(batch, _ => Report(batch, Item(3, BatchItemState.Failed, "not_found"), Item(4, BatchItemState.Succeeded)));

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, batch.Id));

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=report-item-3]")));
        Assert.Equal("8", cut.Find("[data-testid=batch-count-failed] .count-value").TextContent);
        Assert.Equal("192", cut.Find("[data-testid=batch-count-succeeded] .count-value").TextContent);
        Assert.Contains("5", cut.Find("[data-testid=code-chip-not_found]").TextContent, StringComparison.Ordinal);
        Assert.Contains("3", cut.Find("[data-testid=code-chip-access_denied]").TextContent, StringComparison.Ordinal);
        var failed = cut.Find("[data-testid=report-item-3]");
        Assert.Equal("failed", failed.GetAttribute("data-state"));
        Assert.Equal("not_found", failed.QuerySelector("[data-testid=report-item-code]")!.TextContent);
        Assert.Contains("Check that the source path exists.", failed.TextContent, StringComparison.Ordinal);
        Assert.Contains("/data/in/f3.jpg", failed.TextContent, StringComparison.Ordinal);
        Assert.Equal($"downloads/batches/{batch.Id}/report.csv", cut.Find("[data-testid=report-csv]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("[data-testid=rerun]"));
    }

    [Fact]
    public void Detail_CodeChosen_AsksForThatCodeFromTheFirstItemAndDownloadsTheSameFilter()
    {
        var batch = TestJobs.Batch();
        Api.OnJob(batch);
        OnReport(batch, request => request.Query("code") == "access_denied"
            ? Report(batch, Item(7, BatchItemState.Failed, "access_denied"))
            : Report(batch, Item(3, BatchItemState.Failed, "not_found")));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, batch.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=report-item-3]")));

        cut.Find("[data-testid=code-chip-access_denied]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=report-item-7]")));
        Assert.Empty(cut.FindAll("[data-testid=report-item-3]"));
        var last = Api.RequestsTo(HttpMethod.Get, $"/api/batches/{batch.Id}/report")[^1];
        Assert.Equal("access_denied", last.Query("code"));
        Assert.Equal("0", last.Query("offset"));
        Assert.Equal($"downloads/batches/{batch.Id}/report.json?code=access_denied", cut.Find("[data-testid=report-json]").GetAttribute("href"));

        cut.Find("[data-testid=report-state-filter]").Change("retry_queued");

        cut.WaitForAssertion(() => Assert.Equal("retry_queued", Api.RequestsTo(HttpMethod.Get, $"/api/batches/{batch.Id}/report")[^1].Query("state")));
        Assert.Equal("access_denied", Api.RequestsTo(HttpMethod.Get, $"/api/batches/{batch.Id}/report")[^1].Query("code"));
    }

    [Fact]
    public void Detail_ResumeConfirmed_PostsResumeAndShowsTheBatchQueued()
    {
        var batch = TestJobs.Batch();
        var queued = batch with { State = JobState.Queued, UpdatedAt = batch.UpdatedAt.AddSeconds(5), FinishedAt = null };
        Api.OnJob(batch).On(HttpMethod.Post, $"/api/batches/{batch.Id}/resume", _ => StubApi.Json(HttpStatusCode.Accepted, queued, RcmdJsonContext.Default.Job));
        OnReport(batch, _ => Report(batch));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, batch.Id));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=resume-batch]").HasAttribute("disabled")));

        cut.Find("[data-testid=resume-batch]").Click();
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, $"/api/batches/{batch.Id}/resume"));
        Assert.Contains("items already done do not run again", DialogText("action-confirmation"), StringComparison.Ordinal);
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.Contains("continues from its checkpoint", cut.Find("[data-testid=action-result]").TextContent, StringComparison.Ordinal));
        Assert.Single(Api.RequestsTo(HttpMethod.Post, $"/api/batches/{batch.Id}/resume"));
        Assert.Equal("queued", cut.Find("[data-testid=job-state]").TextContent.Trim());
        Assert.True(cut.Find("[data-testid=resume-batch]").HasAttribute("disabled"));
    }

    [Fact]
    public void Detail_RetryFailedConfirmed_PostsAndLinksTheNewBatch()
    {
        var batch = TestJobs.Batch(canResume: false);
        var retry = TestJobs.Batch(JobState.Queued, failed: 0) with { RetryOf = batch.Id };
        Api.OnJob(batch).On(HttpMethod.Post, $"/api/batches/{batch.Id}/retry-failed",
            _ => StubApi.Json(HttpStatusCode.Accepted, retry, RcmdJsonContext.Default.Job));
        OnReport(batch, _ => Report(batch));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, batch.Id));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=retry-failed-items]").HasAttribute("disabled")));
        Assert.True(cut.Find("[data-testid=resume-batch]").HasAttribute("disabled"));

        cut.Find("[data-testid=retry-failed-items]").Click();
        Assert.Contains("Retry the 8 failed items?", DialogText("action-confirmation"), StringComparison.Ordinal);
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.Equal($"jobs/{retry.Id}", cut.Find("[data-testid=rerun-link]").GetAttribute("href")));
        Assert.Contains("new batch", cut.Find("[data-testid=rerun-result]").TextContent, StringComparison.Ordinal);
        Assert.Single(Api.RequestsTo(HttpMethod.Post, $"/api/batches/{batch.Id}/retry-failed"));
    }

    [Fact]
    public void Detail_RunningBatch_ResumeAndRetryFailedDisabledWithTheReason()
    {
        var batch = TestJobs.Batch(JobState.Running);
        Api.OnJob(batch);
        OnReport(batch, _ => Report(batch));

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, batch.Id));

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=resume-batch]")));
        Assert.True(cut.Find("[data-testid=resume-batch]").HasAttribute("disabled"));
        Assert.Contains("only a partially failed or canceled batch", cut.Find("[data-testid=resume-batch]").GetAttribute("title"), StringComparison.Ordinal);
        Assert.True(cut.Find("[data-testid=retry-failed-items]").HasAttribute("disabled"));
        Assert.Equal("8", cut.Find("[data-testid=batch-count-running] .count-value").TextContent);
    }

    [Fact]
    public void Detail_ResumeRefusedByTheApi_ShowsTheConflictAndReloads()
    {
        var batch = TestJobs.Batch();
        Api.OnJob(batch).On(HttpMethod.Post, $"/api/batches/{batch.Id}/resume",
            _ => StubApi.Error(HttpStatusCode.Conflict, "conflict", $"Batch {batch.Id} has nothing left to do."));
        OnReport(batch, _ => Report(batch));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, batch.Id));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=resume-batch]").HasAttribute("disabled")));

        cut.Find("[data-testid=resume-batch]").Click();
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.Contains("nothing left to do", cut.Find("[data-testid=action-error]").TextContent, StringComparison.Ordinal));
    }
}

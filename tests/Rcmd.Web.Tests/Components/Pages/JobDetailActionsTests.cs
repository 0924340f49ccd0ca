using System.Net;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class JobDetailActionsTests : RcmdTestContext
{
    [Fact]
    public void Detail_FailedJob_ShowsCodeSuggestionAndAttemptOfMax()
    {
        var failed = TestJobs.Failed(code: ErrorCodes.NotFound) with { MaxAttempts = 3 };
        failed = failed with { Error = failed.Error! with { Suggestion = "Check that the source path exists." } };
        Api.OnJob(failed);

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, failed.Id));

        cut.WaitForAssertion(() => Assert.Equal("not_found", cut.Find("[data-testid=error-code]").TextContent));
        Assert.Equal("Check that the source path exists.", cut.Find("[data-testid=error-suggestion]").TextContent);
        Assert.Equal("1/3", cut.Find("[data-testid=job-attempt]").TextContent);
        Assert.NotNull(cut.Find("[data-testid=explain-error]"));
        Assert.Empty(cut.FindAll("[data-testid=retry-now]"));
        Assert.False(cut.Find("[data-testid=rerun]").HasAttribute("disabled"));
    }

    [Fact]
    public void Detail_RunAgainConfirmed_PostsRerunAndLinksTheNewJob()
    {
        var failed = TestJobs.Failed();
        var again = TestJobs.Queued() with { RetryOf = failed.Id };
        Api.OnJob(failed).On(HttpMethod.Post, $"/api/jobs/{failed.Id}/rerun",
            _ => StubApi.Json(HttpStatusCode.Created, again, RcmdJsonContext.Default.Job));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, failed.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=rerun]")));

        cut.Find("[data-testid=rerun]").Click();
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, $"/api/jobs/{failed.Id}/rerun"));
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.Equal($"jobs/{again.Id}", cut.Find("[data-testid=rerun-link]").GetAttribute("href")));
        Assert.Single(Api.RequestsTo(HttpMethod.Post, $"/api/jobs/{failed.Id}/rerun"));
    }

    [Fact]
    public void Detail_WaitingJobRetryNow_PostsAndShowsQueued()
    {
        var queued = TestJobs.Queued();
        var waiting = queued with
        {
            State = JobState.Waiting,
            UpdatedAt = queued.UpdatedAt.AddSeconds(1),
            Wait = new JobWait { Reason = JobWait.BreakerReason, DueAt = TestJobs.T0.AddMinutes(5), Message = "Remote s3 is unavailable" },
        };
        var released = waiting with { State = JobState.Queued, Wait = null, UpdatedAt = waiting.UpdatedAt.AddSeconds(1) };
        Api.OnJob(waiting).On(HttpMethod.Post, $"/api/jobs/{waiting.Id}/retry-now",
            _ => StubApi.Json(HttpStatusCode.OK, released, RcmdJsonContext.Default.Job));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, waiting.Id));
        cut.WaitForAssertion(() => Assert.Equal("circuit breaker open", cut.Find("[data-testid=wait-reason]").TextContent));
        Assert.True(cut.Find("[data-testid=rerun]").HasAttribute("disabled"));

        cut.Find("[data-testid=retry-now]").Click();
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.Equal("queued", cut.Find("[data-testid=job-state]").TextContent.Trim()));
        Assert.Contains("back in the queue", cut.Find("[data-testid=action-result]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=retry-now]"));
    }

    [Fact]
    public void Detail_RetryNowConflict_ShowsTheApiError()
    {
        var waiting = TestJobs.Queued() with
        {
            State = JobState.Waiting,
            Wait = new JobWait { Reason = JobWait.RetryReason, DueAt = TestJobs.T0.AddMinutes(1), Code = "rate_limited" },
        };
        Api.OnJob(waiting).On(HttpMethod.Post, $"/api/jobs/{waiting.Id}/retry-now",
            _ => StubApi.Error(HttpStatusCode.Conflict, ErrorCodes.Conflict, "Job is queued; only a waiting job can be retried now."));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, waiting.Id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=retry-now]")));

        cut.Find("[data-testid=retry-now]").Click();
        ClickInDialog("confirm-action");

        cut.WaitForAssertion(() => Assert.Contains("only a waiting job", cut.Find("[data-testid=action-error]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Detail_RunningJob_RunAgainDisabled()
    {
        var running = TestJobs.Running();
        Api.OnJob(running);

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, running.Id));

        cut.WaitForAssertion(() => Assert.True(cut.Find("[data-testid=rerun]").HasAttribute("disabled")));
        Assert.Equal("1", cut.Find("[data-testid=job-attempt]").TextContent);
    }
}

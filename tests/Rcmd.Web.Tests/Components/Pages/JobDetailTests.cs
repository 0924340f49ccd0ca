using System.Net;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class JobDetailTests : RcmdTestContext
{
    [Fact]
    public void Detail_RunningJob_ShowsParametersProgressAndAttempts()
    {
        var job = TestJobs.Running(percent: 30, attempt: 2);
        Api.OnJob(job);

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));

        cut.WaitForAssertion(() => Assert.Equal("running", cut.Find("[data-testid=job-state]").TextContent.Trim()));
        Assert.Single(cut.FindAll("[data-testid=job-state]"));
        Assert.Equal(job.Id, cut.Find("[data-testid=job-id]").TextContent);
        Assert.Equal("/data/in", cut.Find("[data-testid=job-source]").TextContent);
        Assert.Equal("/data/out", cut.Find("[data-testid=job-destination]").TextContent);
        Assert.Equal("30", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));
        Assert.Equal("photos/a.jpg", cut.Find("[data-testid=current-file]").TextContent);
        Assert.Contains("server_restarted", cut.Find("[data-testid=attempt-1]").TextContent, StringComparison.Ordinal);
        Assert.Contains("running", cut.Find("[data-testid=attempt-2]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_JobUpdateEvent_UpdatesStateAndProgressLive()
    {
        var job = TestJobs.Running(percent: 30);
        Api.OnJob(job);
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));
        cut.WaitForAssertion(() => Assert.Equal("30", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent")));

        await PushAsync(TestJobs.Running(percent: 99)); // another job: ignored
        await PushAsync(TestJobs.WithProgress(job, 75));
        cut.WaitForAssertion(() => Assert.Equal("75", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent")));

        await PushAsync(TestJobs.Succeeded(TestJobs.WithProgress(job, 100, seconds: 2)));
        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find("[data-testid=job-state]").TextContent.Trim()));
        Assert.True(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled"));
        Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/jobs/" + job.Id));
    }

    [Fact]
    public void Detail_CancelConfirmed_CallsTheApiAndShowsTheResult()
    {
        var job = TestJobs.Running();
        Api.OnJob(job);
        Api.On(HttpMethod.Post, $"/api/jobs/{job.Id}/cancel", _ =>
            StubApi.Json(HttpStatusCode.Accepted, job with { CancelRequested = true, UpdatedAt = job.UpdatedAt.AddSeconds(1) }, RcmdJsonContext.Default.Job));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled")));

        cut.Find("[data-testid=cancel-job]").Click();
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, $"/api/jobs/{job.Id}/cancel"));
        ClickInDialog("confirm-cancel");

        cut.WaitForAssertion(() => Assert.Contains("Cancel requested", cut.Find("[data-testid=action-result]").TextContent, StringComparison.Ordinal));
        Assert.Single(Api.RequestsTo(HttpMethod.Post, $"/api/jobs/{job.Id}/cancel"));
        Assert.True(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled"));
        Assert.NotNull(cut.Find("[data-testid=cancel-requested]"));
    }

    [Fact]
    public void Detail_CancelDismissed_DoesNotCallTheApi()
    {
        var job = TestJobs.Queued();
        Api.OnJob(job);
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled")));

        cut.Find("[data-testid=cancel-job]").Click();
        ClickInDialog("dismiss-cancel");

        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=cancel-confirmation]")));
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, $"/api/jobs/{job.Id}/cancel"));
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Canceled)]
    public void Detail_TerminalJob_CancelIsDisabled(JobState state)
    {
        var job = TestJobs.Failed() with { State = state };
        Api.OnJob(job);

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));

        cut.WaitForAssertion(() => Assert.Equal(state.ToWire(), cut.Find("[data-testid=job-state]").TextContent.Trim()));
        Assert.True(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled"));
    }

    [Fact]
    public void Detail_CancelOfJobThatJustFinished_ShowsTheConflict()
    {
        var job = TestJobs.Running();
        Api.OnJob(job);
        Api.On(HttpMethod.Post, $"/api/jobs/{job.Id}/cancel", _ =>
            StubApi.Error(HttpStatusCode.Conflict, "conflict", $"Job {job.Id} has already succeeded."));
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=cancel-job]").HasAttribute("disabled")));
        Api.OnJob(TestJobs.Succeeded(job));

        cut.Find("[data-testid=cancel-job]").Click();
        ClickInDialog("confirm-cancel");

        cut.WaitForAssertion(() => Assert.Contains("already succeeded", cut.Find("[data-testid=action-error]").TextContent, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find("[data-testid=job-state]").TextContent.Trim()));
    }

    [Fact]
    public void Detail_FailedJob_ShowsErrorCodeAndMessage()
    {
        var job = TestJobs.Failed(code: "access_denied", message: "403 Forbidden from the bucket");
        Api.OnJob(job);

        RenderDialogs();

        var cut = Render<JobDetail>(p => p.Add(x => x.Id, job.Id));

        cut.WaitForAssertion(() => Assert.Equal("access_denied", cut.Find("[data-testid=error-code]").TextContent));
        Assert.Equal("403 Forbidden from the bucket", cut.Find("[data-testid=error-message]").TextContent);
    }

    [Fact]
    public void Detail_UnknownJob_ShowsNotFound()
    {
        RenderDialogs();
        var cut = Render<JobDetail>(p => p.Add(x => x.Id, "nope"));

        cut.WaitForAssertion(() => Assert.Contains("nope", cut.Find("[data-testid=not-found]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=cancel-job]"));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Rcmd.Breakers;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class StatusRemotesTests : RcmdTestContext
{
    private readonly ManualTimeProvider _clock = new();

    public StatusRemotesTests()
    {
        Services.AddSingleton<TimeProvider>(_clock);
        Api.OnCounts(new JobCounts(new Dictionary<string, long>(), 0, 0)).OnJobs();
    }

    [Fact]
    public void Status_OpenBreaker_ShowsCircuitOpenCountdownFailuresAndLastError()
    {
        Api.OnRemotes("""
            { "remotes": [
                { "name": "s3prod", "type": "s3", "breaker": { "state": "open", "consecutiveFailures": 5, "lastErrorCode": "endpoint_unreachable",
                  "lastErrorMessage": "dial tcp: connection refused", "openedAt": "2025-05-04T11:59:50Z", "retryInSeconds": 30 } },
                { "name": "gdrive", "type": "drive", "breaker": { "state": "closed", "consecutiveFailures": 0 } } ],
              "inlineBackends": [], "otherRemotes": [] }
            """);

        var cut = Render<Status>();

        cut.WaitForAssertion(() => Assert.Equal("Circuit open", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-status]").TextContent));
        Assert.Equal("open", cut.Find("[data-testid=remote-s3prod]").GetAttribute("data-state"));
        Assert.Equal("half-open in 30s", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-countdown]").TextContent);
        Assert.Contains("5 consecutive failures", cut.Find("[data-testid=remote-s3prod]").TextContent, StringComparison.Ordinal);
        Assert.Equal("endpoint_unreachable", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-error-code]").TextContent);
        Assert.Equal("Online", cut.Find("[data-testid=remote-gdrive] [data-testid=remote-status]").TextContent);

        _clock.Advance(TimeSpan.FromSeconds(10));

        cut.WaitForAssertion(() => Assert.Equal("half-open in 20s", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-countdown]").TextContent));
    }

    [Fact]
    public async Task Status_RemoteStatusEvent_UpdatesTheCardLive()
    {
        Api.OnRemotes("""{ "remotes": [ { "name": "s3prod", "type": "s3", "breaker": { "state": "closed", "consecutiveFailures": 0 } } ], "inlineBackends": [] }""");
        var cut = Render<Status>();
        cut.WaitForAssertion(() => Assert.Equal("Online", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-status]").TextContent));

        var status = new RemoteStatus
        {
            Name = "s3prod",
            State = BreakerState.Open,
            ConsecutiveFailures = 3,
            LastErrorCode = "upstream_timeout",
            LastErrorMessage = "timeout",
            OpenedAt = _clock.GetUtcNow(),
            RetryAt = _clock.GetUtcNow().AddSeconds(15),
        };
        await Live.PublishAsync(RcmdEvent.ForRemote(status, _clock.GetUtcNow()));

        cut.WaitForAssertion(() => Assert.Equal("Circuit open", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-status]").TextContent));
        Assert.Equal("half-open in 15s", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-countdown]").TextContent);
        Assert.Equal("upstream_timeout", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-error-code]").TextContent);

        await Live.PublishAsync(RcmdEvent.ForRemote(status with { State = BreakerState.Closed, ConsecutiveFailures = 0, RetryAt = null }, _clock.GetUtcNow()));

        cut.WaitForAssertion(() => Assert.Equal("Online", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-status]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=remote-countdown]"));
    }

    [Fact]
    public void Status_NoBreakerFields_ShowsOnlineUnknown()
    {
        Api.OnRemotes("""{ "remotes": [ { "name": "s3prod", "type": "s3" } ], "inlineBackends": [] }""");

        var cut = Render<Status>();

        cut.WaitForAssertion(() => Assert.Equal("unknown", cut.Find("[data-testid=remote-s3prod]").GetAttribute("data-state")));
        Assert.Contains("unknown", cut.Find("[data-testid=remote-s3prod] [data-testid=remote-status]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_WaitingJobs_ListedWithReasonAndDueTime()
    {
        var waiting = TestJobs.Queued() with
        {
            State = JobState.Waiting,
            MaxAttempts = 3,
            Wait = new JobWait { Reason = JobWait.RetryReason, DueAt = TestJobs.T0.AddSeconds(8), Code = "rate_limited", Message = "429" },
        };
        Api.OnJobs(waiting).OnRemotes("""{ "remotes": [], "inlineBackends": [] }""");

        var cut = Render<Status>();

        cut.WaitForAssertion(() => Assert.Equal("retry", cut.Find($"[data-testid=waiting-jobs] [data-testid=job-row-{waiting.Id}] [data-testid=wait-reason]").TextContent));
        Assert.Equal("2025-05-04 12:00:08Z", cut.Find($"[data-testid=job-row-{waiting.Id}] [data-testid=wait-due]").TextContent);
        Assert.Contains("rate_limited", cut.Find($"[data-testid=job-row-{waiting.Id}]").TextContent, StringComparison.Ordinal);
    }
}

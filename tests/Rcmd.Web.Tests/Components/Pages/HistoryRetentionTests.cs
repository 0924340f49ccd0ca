using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Retention;
using Rcmd.Storage;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class HistoryRetentionTests : RcmdTestContext
{
    private static readonly DateTimeOffset T0 = TestJobs.T0;

    [Fact]
    public void Retention_AfterASweep_ShowsHistoryStartTotalsNextSweepRedisMemoryAndSettings()
    {
        var time = new ManualTimeProvider(); // stands at T0
        Services.AddSingleton<TimeProvider>(time);
        Api.On(HttpMethod.Get, "/api/retention", _ => Json(View(
            state: new RetentionState
            {
                LiveHistoryStart = T0.AddDays(-14),
                ArchivedTotal = 12_345,
                DeletedTotal = 12_345,
                BatchItemsArchivedTotal = 400_000,
                LastSweepAt = T0.AddMinutes(-2),
                LastSweepArchived = 345,
                LastSweepSeconds = 1.5,
            },
            nextSweep: T0.AddMinutes(3),
            redis: new RedisMemoryInfo(200L * 1024 * 1024, 256L * 1024 * 1024, "noeviction"))));

        var cut = Render<HistoryRetention>();

        cut.WaitForAssertion(() => Assert.Equal("2025-04-20 12:00:00Z", cut.Find("[data-testid=retention-live-since]").TextContent));
        Assert.Equal("12,345", cut.Find("[data-testid=retention-archived]").TextContent);
        Assert.Equal("400,000", cut.Find("[data-testid=retention-batch-items]").TextContent);
        Assert.Equal("2025-05-04 11:58:00Z", cut.Find("[data-testid=retention-last-sweep]").TextContent);
        Assert.Equal("2025-05-04 12:03:00Z (in 3m 00s)", cut.Find("[data-testid=retention-next-sweep]").TextContent);
        Assert.Contains("200", cut.Find("[data-testid=retention-redis-used]").TextContent, StringComparison.Ordinal);
        Assert.Contains("noeviction", cut.Find("[data-testid=retention-redis-max]").TextContent, StringComparison.Ordinal);
        Assert.Equal("78", cut.Find("[data-testid=retention-redis-bar]").GetAttribute("data-percent"));
        Assert.Empty(cut.FindAll("[data-testid=retention-redis-full]"));
        Assert.Equal("14d 00h", cut.Find("[data-testid=retention-succeeded]").TextContent);
        Assert.Equal("90d 00h", cut.Find("[data-testid=retention-failed]").TextContent);
        Assert.Equal("100,000", cut.Find("[data-testid=retention-max-finished]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=retention-last-error]"));
    }

    [Fact]
    public void Retention_RedisFullAndAFailedArchiveWrite_SaysSoAndMasksSecrets()
    {
        Api.On(HttpMethod.Get, "/api/retention", _ => Json(View(
            state: new RetentionState
            {
                LastError = "archive write to :s3,secret_access_key=hunter2:rcmd failed: AccessDenied",
                LastErrorAt = T0,
            },
            redis: new RedisMemoryInfo(300, 256, "noeviction"),
            archiveTo: ":s3,secret_access_key=hunter2:rcmd/history")));

        var cut = Render<HistoryRetention>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=retention-redis-full]")));
        Assert.Contains("AccessDenied", cut.Find("[data-testid=retention-last-error]").TextContent, StringComparison.Ordinal);
        Assert.Contains("rcmd/history", cut.Find("[data-testid=retention-archive-to]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("no jobs yet", cut.Find("[data-testid=retention-live-since]").TextContent);
        Assert.Contains("of a Worker's start", cut.Find("[data-testid=retention-next-sweep]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_ApiDown_ShowsUnreachable()
    {
        Api.Down = true;

        var cut = Render<HistoryRetention>();

        cut.WaitForAssertion(() => Assert.Equal("Unreachable", cut.Find("[data-testid=api-error]").GetAttribute("data-kind")));
        Assert.Empty(cut.FindAll("[data-testid=retention-settings]"));
    }

    internal static RetentionView View(RetentionState state, DateTimeOffset? nextSweep = null, RedisMemoryInfo? redis = null,
        string archiveTo = "/var/lib/rcmd/archive") => new(
        new RetentionSettings(TimeSpan.FromDays(14), TimeSpan.FromDays(90), TimeSpan.FromDays(14), 100_000, archiveTo, TimeSpan.FromMinutes(5),
            TimeSpan.FromDays(365)),
        state)
    {
        NextSweepAt = nextSweep,
        Redis = redis,
    };

    internal static HttpResponseMessage Json(RetentionView view) =>
        StubApi.Json(HttpStatusCode.OK, view, RetentionJsonContext.Default.RetentionView);
}

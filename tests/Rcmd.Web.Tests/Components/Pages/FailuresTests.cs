using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Failures;
using Rcmd.Serialization;
using FailuresPage = Rcmd.Web.Components.Pages.Failures;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class FailuresTests : RcmdTestContext
{
    // The clock is manual so the page's refresh timer fires only when a test moves it (a slow machine must not add requests).
    public FailuresTests() => Services.AddSingleton<TimeProvider>(Clock);

    private ManualTimeProvider Clock { get; } = new();

    private static FailureStats Stats(string window) => new()
    {
        Window = window,
        From = TestJobs.T0,
        To = TestJobs.T0.AddMinutes(15),
        Completed = 10,
        Failed = 4,
        FailureRatioPercent = 40,
        ByType = [new TypeFailureStats("copy", 8, 4, 50), new TypeFailureStats("sync", 2, 0, 0)],
        TopCodes = [new CodeFailureStats("not_found", 3, 1200), new CodeFailureStats("unknown", 1, 300)],
        ByCode = [new CodeFailureStats("not_found", 3, 1200), new CodeFailureStats("unknown", 1, 300)],
        UnknownRatioPercent = 25,
        Started = 12,
        Retried = 3,
        RetryPressurePercent = 25,
        RetryEffectiveness = 0.75,
    };

    [Fact]
    public void Failures_Stats_ShowKpisAndTopCodes()
    {
        Api.On(HttpMethod.Get, "/api/stats/failures", r => StubApi.Json(HttpStatusCode.OK, Stats(r.Query("window")!), RcmdJsonContext.Default.FailureStats));

        var cut = Render<FailuresPage>();

        cut.WaitForAssertion(() => Assert.StartsWith("40%", cut.Find("[data-testid=kpi-failure-ratio]").TextContent, StringComparison.Ordinal));
        Assert.StartsWith("25%", cut.Find("[data-testid=kpi-unknown-ratio]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("25%", cut.Find("[data-testid=kpi-retry-pressure]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("0.75", cut.Find("[data-testid=kpi-retry-effectiveness]").TextContent, StringComparison.Ordinal);
        Assert.Contains("3", cut.Find("[data-testid=top-code-not_found]").TextContent, StringComparison.Ordinal);
        Assert.Equal("15m", Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/stats/failures")).Query("window"));
    }

    [Fact]
    public void Failures_WindowQuery_AsksForThatWindow()
    {
        Api.On(HttpMethod.Get, "/api/stats/failures", r => StubApi.Json(HttpStatusCode.OK, Stats(r.Query("window")!), RcmdJsonContext.Default.FailureStats));
        Navigation.NavigateTo("failures?window=24h");

        var cut = Render<FailuresPage>();

        cut.WaitForAssertion(() => Assert.Equal("24h", cut.Find("[data-testid=failure-kpis]").GetAttribute("data-window")));
    }

    [Fact]
    public void Failures_NothingCompleted_ShowsEmptyPanels()
    {
        Api.On(HttpMethod.Get, "/api/stats/failures", _ => StubApi.Json(HttpStatusCode.OK,
            new FailureStats { Window = "15m", From = TestJobs.T0, To = TestJobs.T0 }, RcmdJsonContext.Default.FailureStats));

        var cut = Render<FailuresPage>();

        cut.WaitForAssertion(() => Assert.Contains("No job completed", cut.Find("[data-testid=chart-by-type]").TextContent, StringComparison.Ordinal));
        Assert.Contains("No failure", cut.Find("[data-testid=chart-top-codes]").TextContent, StringComparison.Ordinal);
    }
}

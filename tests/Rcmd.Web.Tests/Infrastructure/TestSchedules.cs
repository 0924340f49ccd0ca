using System.Net;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Web.Components.Pages;

namespace Rcmd.Web.Tests.Infrastructure;

/// <summary>Schedules as the Api returns them, and the Api's answers that carry them.</summary>
public static class TestSchedules
{
    private static readonly DateTimeOffset T0 = TestJobs.T0;

    public static ScheduleView View(string id, string name, string cron, string zone, IReadOnlyList<ScheduleFireTime>? next = null,
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

    public static ScheduleRun Run(string jobId, string outcome, bool manual = false) =>
        new() { PlannedAt = T0, StartedAt = T0, JobId = jobId, Outcome = outcome, Manual = manual };

    /// <summary>GET /api/schedules: one page holding <paramref name="views"/>.</summary>
    public static HttpResponseMessage Page(params ScheduleView[] views) =>
        StubApi.Json(HttpStatusCode.OK, new SchedulePage(views, views.Length, 1, ScheduleList.PageSize), ScheduleJsonContext.Default.SchedulePage);

    /// <summary>POST /api/schedules accepted: <paramref name="created"/> joins <paramref name="listed"/>.</summary>
    public static HttpResponseMessage Created(List<ScheduleView> listed, ScheduleView created)
    {
        ArgumentNullException.ThrowIfNull(listed);
        listed.Add(created);
        return StubApi.Json(HttpStatusCode.Created, created, ScheduleJsonContext.Default.ScheduleView);
    }
}

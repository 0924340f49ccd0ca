using System.Net;
using Rcmd.Schedules;
using Rcmd.Web.Components.Pages;
using static Rcmd.Web.Tests.Infrastructure.TestSchedules;

namespace Rcmd.Web.Tests.Infrastructure;

/// <summary>A test of the Schedules page: the Api's answers about schedules, and the page opened with its dialog.</summary>
public abstract class ScheduleTestContext : RcmdTestContext
{
    /// <summary>Live updates go through the list's render interval (250 ms) and a re-read: room for a loaded machine.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The Schedules page listing <paramref name="view"/>, with its edit dialog open; PUT answers <paramref name="answer"/>
    /// (the view itself when null).
    /// </summary>
    protected IRenderedComponent<ScheduleList> OpenToEdit(ScheduleView view, ScheduleView? answer = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page(view));
        Api.On(HttpMethod.Put, $"/api/schedules/{view.Schedule.Id}", _ => StubApi.Json(HttpStatusCode.OK, answer ?? view, ScheduleJsonContext.Default.ScheduleView));
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid=schedule-{view.Schedule.Id}]")), Patience);
        cut.Find($"[data-testid=schedule-{view.Schedule.Id}] [data-testid=schedule-edit]").Click();
        return cut;
    }

    /// <summary>The Schedules page, empty as the stubs set it, with the new-schedule dialog open.</summary>
    protected IRenderedComponent<ScheduleList> OpenToCreate()
    {
        RenderDialogs();
        var cut = Render<ScheduleList>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=schedules-empty]")), Patience);
        cut.Find("[data-testid=new-schedule]").Click();
        return cut;
    }

    /// <summary>POST /api/schedules accepts and answers <paramref name="created"/>, which the list then shows.</summary>
    protected void AcceptCreate(ScheduleView created)
    {
        var listed = new List<ScheduleView>();
        Api.On(HttpMethod.Get, "/api/schedules", _ => Page([.. listed]));
        Api.On(HttpMethod.Post, "/api/schedules", _ => Created(listed, created));
    }

}

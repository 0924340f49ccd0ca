using Rcmd.Retention;
using Rcmd.Schedules;

namespace Rcmd.Web.Services;

/// <summary>The schedule and retention calls of <see cref="RcmdApiClient"/> (<c>/api/schedules</c>, <c>/api/retention</c>).</summary>
public sealed partial class RcmdApiClient
{
    /// <summary>A page of schedules, newest first, each with its next fire times and last run.</summary>
    public Task<ApiResult<SchedulePage>> ListSchedulesAsync(int page, int pageSize, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/schedules?page={Math.Max(1, page)}&pageSize={Math.Clamp(pageSize, 1, ScheduleConstants.MaxPageSize)}",
            null, ScheduleJsonContext.Default.SchedulePage, cancellationToken);

    public Task<ApiResult<ScheduleView>> GetScheduleAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, SchedulePath(id), null, ScheduleJsonContext.Default.ScheduleView, cancellationToken);

    /// <summary><c>POST /api/schedules</c>: the Api validates cron, zone and action; a 400 carries field errors (<c>cron</c>, <c>job.source</c>…).</summary>
    public Task<ApiResult<ScheduleView>> CreateScheduleAsync(ScheduleRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/schedules", JsonContent.Create(request, ScheduleJsonContext.Default.ScheduleRequest),
            ScheduleJsonContext.Default.ScheduleView, cancellationToken);

    public Task<ApiResult<ScheduleView>> ReplaceScheduleAsync(string id, ScheduleRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, SchedulePath(id), JsonContent.Create(request, ScheduleJsonContext.Default.ScheduleRequest),
            ScheduleJsonContext.Default.ScheduleView, cancellationToken);

    /// <summary>Deletes the schedule and its run history (its jobs stay).</summary>
    public Task<ApiResult<bool>> DeleteScheduleAsync(string id, CancellationToken cancellationToken) =>
        SendNoContentAsync(HttpMethod.Delete, SchedulePath(id), cancellationToken);

    public Task<ApiResult<ScheduleView>> PauseScheduleAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, SchedulePath(id) + "/pause", null, ScheduleJsonContext.Default.ScheduleView, cancellationToken);

    public Task<ApiResult<ScheduleView>> ResumeScheduleAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, SchedulePath(id) + "/resume", null, ScheduleJsonContext.Default.ScheduleView, cancellationToken);

    /// <summary>Runs the schedule's job or batch now; the run (with its job id) comes back.</summary>
    public Task<ApiResult<ScheduleRun>> RunScheduleNowAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, SchedulePath(id) + "/run-now", null, ScheduleJsonContext.Default.ScheduleRun, cancellationToken);

    /// <summary>A page of the schedule's runs, newest first; a started run shows its job's state.</summary>
    public Task<ApiResult<ScheduleRunPage>> ListScheduleRunsAsync(string id, int page, int pageSize, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, SchedulePath(id) + $"/runs?page={Math.Max(1, page)}&pageSize={Math.Clamp(pageSize, 1, ScheduleConstants.MaxPageSize)}",
            null, ScheduleJsonContext.Default.ScheduleRunPage, cancellationToken);

    /// <summary><c>GET /api/retention</c>: the settings in force, how far back live history goes, the sweep's last run and totals.</summary>
    public Task<ApiResult<RetentionView>> GetRetentionAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/retention", null, RetentionJsonContext.Default.RetentionView, cancellationToken);

    private static string SchedulePath(string id) => "api/schedules/" + Uri.EscapeDataString(id);

    /// <summary>A call whose success has no body (204): true, or the Api's error.</summary>
    private async Task<ApiResult<bool>> SendNoContentAsync(HttpMethod method, string uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode ? ApiResult<bool>.Ok(true) : ApiResult<bool>.Fail(await ReadErrorAsync(response, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            LogUnreachable(logger, method.Method, uri, ex.GetType().Name, ex.Message);
            return ApiResult<bool>.Fail(ApiError.Unreachable(http.BaseAddress));
        }
    }
}

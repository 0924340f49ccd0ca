using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Web.Security;

namespace Rcmd.Web.Services;

/// <summary>
/// The typed client of Rcmd.Api (a typed <see cref="HttpClient"/>, as in the Aspire starter's Web project). Every call
/// returns an <see cref="ApiResult{T}"/>: failures — the Api down, a 400 with field errors, a 404 — come back as values
/// components can show; only the caller's own cancellation is thrown. In server mode every call carries the signed-in
/// user's Api session (<c>Authorization: Bearer</c>, <see cref="DashboardUser"/>), so the Api enforces that user's role
/// and audits them by name; a refusal (403) comes back as an <see cref="ApiErrorKind.Unauthorized"/> error with the Api's reason.
/// </summary>
public sealed partial class RcmdApiClient(HttpClient http, ILogger<RcmdApiClient> logger, DashboardUser? user = null)
{
    public Task<ApiResult<JobPage>> ListJobsAsync(JobState? state, int page, int pageSize, CancellationToken cancellationToken) =>
        QueryJobsAsync(new JobListFilter { State = state }, page, pageSize, cancellationToken);

    /// <summary><c>GET /api/jobs</c> with the grid's filters: the Api pages, filters and sorts in Redis.</summary>
    public Task<ApiResult<JobPage>> QueryJobsAsync(JobListFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, JobQuery.MaxPageSize);
        return SendAsync(HttpMethod.Get, "api/jobs?" + filter.ToQuery(page, pageSize), null, RcmdJsonContext.Default.JobPage, cancellationToken);
    }

    public Task<ApiResult<Job>> GetJobAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/jobs/" + Uri.EscapeDataString(id), null, RcmdJsonContext.Default.Job, cancellationToken);

    public Task<ApiResult<Job>> SubmitJobAsync(JobRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/jobs", JsonContent.Create(request, RcmdJsonContext.Default.JobRequest),
            RcmdJsonContext.Default.Job, cancellationToken);

    public Task<ApiResult<Job>> CancelJobAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/jobs/" + Uri.EscapeDataString(id) + "/cancel", null, RcmdJsonContext.Default.Job,
            cancellationToken);

    /// <summary>Moves a waiting job to the queue at once.</summary>
    public Task<ApiResult<Job>> RetryNowAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/jobs/" + Uri.EscapeDataString(id) + "/retry-now", null, RcmdJsonContext.Default.Job,
            cancellationToken);

    /// <summary>Submits a failed or canceled job again; returns the new job (its <see cref="Job.RetryOf"/> names the old one).</summary>
    public Task<ApiResult<Job>> RerunAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/jobs/" + Uri.EscapeDataString(id) + "/rerun", null, RcmdJsonContext.Default.Job,
            cancellationToken);

    /// <summary><c>POST /api/batches</c>: a batch of file operations, run as one job (202 with the queued batch job).</summary>
    public Task<ApiResult<Job>> SubmitBatchAsync(BatchSubmission request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/batches", JsonContent.Create(request, WebJsonContext.Default.BatchSubmission),
            RcmdJsonContext.Default.Job, cancellationToken);

    /// <summary>One page of a batch's partial-success report, filtered by item state and/or error code.</summary>
    public Task<ApiResult<BatchReport>> GetBatchReportAsync(string id, BatchReportFilter filter, long offset, int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = filter.ToQuery() + string.Create(CultureInfo.InvariantCulture, $"{(filter.IsEmpty ? "" : "&")}offset={offset}&limit={limit}");
        return SendAsync(HttpMethod.Get, BatchPath(id) + "/report?" + query, null, RcmdJsonContext.Default.BatchReport, cancellationToken);
    }

    /// <summary>
    /// The whole report as a download (<paramref name="format"/> <c>csv</c> or <c>json</c>), streamed from the Api: the
    /// caller copies the body and disposes the response. Null when the Api cannot be reached.
    /// </summary>
    public async Task<HttpResponseMessage?> DownloadBatchReportAsync(string id, string format, BatchReportFilter filter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var uri = BatchPath(id) + "/report." + format + (filter.IsEmpty ? string.Empty : "?" + filter.ToQuery());
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, uri));
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, "GET", uri, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    /// <summary>Queues a partially failed or canceled batch again; it continues from its checkpoint.</summary>
    public Task<ApiResult<Job>> ResumeBatchAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, BatchPath(id) + "/resume", null, RcmdJsonContext.Default.Job, cancellationToken);

    /// <summary>A new batch of exactly the failed items of a finished one; returns the new batch job.</summary>
    public Task<ApiResult<Job>> RetryFailedItemsAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, BatchPath(id) + "/retry-failed", null, RcmdJsonContext.Default.Job, cancellationToken);

    private static string BatchPath(string id) => "api/batches/" + Uri.EscapeDataString(id);

    public Task<ApiResult<ClassifyErrorResponse>> ClassifyErrorAsync(ClassifyErrorRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/errors/classify", JsonContent.Create(request, RcmdJsonContext.Default.ClassifyErrorRequest),
            RcmdJsonContext.Default.ClassifyErrorResponse, cancellationToken);

    /// <summary>The failure panels over <paramref name="window"/> (<c>15m</c>, <c>1h</c>, <c>24h</c>).</summary>
    public Task<ApiResult<FailureStats>> GetFailureStatsAsync(string window, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/stats/failures?window=" + Uri.EscapeDataString(window), null, RcmdJsonContext.Default.FailureStats,
            cancellationToken);

    /// <summary><c>GET /api/audit</c> (admins): one page, newest first, continuing before the entry <paramref name="before"/>.</summary>
    public Task<ApiResult<AuditPage>> QueryAuditAsync(AuditFilter filter, string? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return SendAsync(HttpMethod.Get, "api/audit?" + filter.ToQuery(before, limit), null, WebJsonContext.Default.AuditPage, cancellationToken);
    }

    public Task<ApiResult<JobCounts>> GetCountsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/jobs/counts", null, RcmdJsonContext.Default.JobCounts, cancellationToken);

    public Task<ApiResult<RemoteList>> GetRemotesAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "api/remotes", null, WebJsonContext.Default.RemoteList, cancellationToken);

    /// <summary>
    /// One page of a directory (sorted folders first, filtered by name) on a remote or <c>:local</c>. The Api pages a
    /// listing it read in the last few seconds; <paramref name="refresh"/> makes it list the folder again.
    /// </summary>
    public async Task<ApiResult<(RemoteRead Read, ListingPage Page)>> ListAsync(string remote, string path, int offset, int limit,
        string sort, string? filter, bool refresh, CancellationToken cancellationToken)
    {
        var uri = $"api/remotes/{Uri.EscapeDataString(remote)}/list?path={Uri.EscapeDataString(path)}&offset={offset}&limit={limit}"
            + $"&sort={Uri.EscapeDataString(sort)}" + (string.IsNullOrEmpty(filter) ? string.Empty : "&filter=" + Uri.EscapeDataString(filter))
            + (refresh ? "&refresh=true" : string.Empty);
        var read = await SendAsync(HttpMethod.Get, uri, null, WebJsonContext.Default.RemoteRead, cancellationToken);
        if (!read.IsSuccess)
        {
            return ApiResult<(RemoteRead, ListingPage)>.Fail(read.Error);
        }

        return ApiResult<(RemoteRead, ListingPage)>.Ok((read.Value, PageOf(read.Value)));
    }

    /// <summary>The page of entries a <c>list</c> read holds.</summary>
    public static ListingPage PageOf(RemoteRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return read.Result.Deserialize(WebJsonContext.Default.ListingPage) ?? new ListingPage();
    }

    /// <summary>rclone's <c>about</c> (quota) of a remote.</summary>
    public Task<ApiResult<(RemoteRead Read, AboutResult About)>> AboutAsync(string remote, string path, CancellationToken cancellationToken) =>
        ReadAsync(remote, "about", path, WebJsonContext.Default.AboutResult, cancellationToken);

    /// <summary>rclone's <c>size</c> (files and bytes) under a path.</summary>
    public Task<ApiResult<(RemoteRead Read, SizeResult Size)>> SizeAsync(string remote, string path, CancellationToken cancellationToken) =>
        ReadAsync(remote, "size", path, WebJsonContext.Default.SizeResult, cancellationToken);

    private async Task<ApiResult<(RemoteRead, T)>> ReadAsync<T>(string remote, string operation, string path, JsonTypeInfo<T> type,
        CancellationToken cancellationToken) where T : class
    {
        var uri = $"api/remotes/{Uri.EscapeDataString(remote)}/{operation}?path={Uri.EscapeDataString(path)}";
        var read = await SendAsync(HttpMethod.Get, uri, null, WebJsonContext.Default.RemoteRead, cancellationToken);
        if (!read.IsSuccess)
        {
            return ApiResult<(RemoteRead, T)>.Fail(read.Error);
        }

        var value = read.Value.Result.Deserialize(type);
        return value is null
            ? ApiResult<(RemoteRead, T)>.Fail(new ApiError(ApiErrorKind.Failed, $"The Api answered {operation} with an empty result."))
            : ApiResult<(RemoteRead, T)>.Ok((read.Value, value));
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string uri, HttpContent? content, JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        using var request = Authorized(new HttpRequestMessage(method, uri) { Content = content });
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var value = await response.Content.ReadFromJsonAsync(type, cancellationToken);
                return value is null
                    ? ApiResult<T>.Fail(new ApiError(ApiErrorKind.Failed, $"The Api answered {method} {uri} with an empty body."))
                    : ApiResult<T>.Ok(value);
            }

            return ApiResult<T>.Fail(await ReadErrorAsync(response, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // OperationCanceledException without our token cancelled is HttpClient's timeout.
            LogUnreachable(logger, method.Method, uri, ex.GetType().Name, ex.Message);
            return ApiResult<T>.Fail(ApiError.Unreachable(http.BaseAddress));
        }
        catch (JsonException ex)
        {
            LogBadBody(logger, method.Method, uri, ex.Message);
            return ApiResult<T>.Fail(new ApiError(ApiErrorKind.Failed, $"The Api's answer to {method} {uri} could not be read."));
        }
    }

    /// <summary>Adds the user's session token (server mode, signed in).</summary>
    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        if (user?.Token is { } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static async Task<ApiError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var kind = response.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => ApiErrorKind.Invalid,
            HttpStatusCode.NotFound => ApiErrorKind.NotFound,
            HttpStatusCode.Conflict => ApiErrorKind.Conflict,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ApiErrorKind.Unauthorized,
            HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => ApiErrorKind.Unreachable,
            _ => ApiErrorKind.Failed,
        };

        ErrorResponse? body = null;
        try
        {
            if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                body = await response.Content.ReadFromJsonAsync(RcmdJsonContext.Default.ErrorResponse, cancellationToken);
            }
        }
        catch (JsonException)
        {
            // Not the Api's error shape (a proxy's page, say): fall back to a message from the status.
        }

        if (body?.Error is { } error)
        {
            return new ApiError(kind, error.Message)
            {
                StatusCode = status,
                Code = error.NormalizedError?.Code,
                Retryable = error.NormalizedError?.Retryable ?? false,
                Suggestion = error.NormalizedError?.Suggestion,
                Fields = error.Fields ?? new Dictionary<string, string[]>(),
            };
        }

        var message = kind switch
        {
            ApiErrorKind.NotFound => "Not found.",
            ApiErrorKind.Conflict => "The action is not possible in the current state.",
            ApiErrorKind.Unauthorized when status == 403 => "Your role may not do this: the Api refused it.",
            ApiErrorKind.Unauthorized => "The Api refused the request: your session has ended (sign in again), or check Rcmd:ApiKey.",
            ApiErrorKind.Unreachable => "The Api is unavailable right now.",
            _ => $"The Api answered {status} {response.ReasonPhrase}.",
        };
        return new ApiError(kind, message) { StatusCode = status, Retryable = kind == ApiErrorKind.Unreachable };
    }

    [LoggerMessage(1, LogLevel.Warning, "Api call {Method} {Uri} failed: {ExceptionType}: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string method, string uri, string exceptionType, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Api call {Method} {Uri} returned a body that is not valid JSON: {Reason}")]
    private static partial void LogBadBody(ILogger logger, string method, string uri, string reason);
}

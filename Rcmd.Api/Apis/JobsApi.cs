using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rcmd.Api.Errors;
using Rcmd.Api.Extensions;
using Rcmd.Api.Services;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Paths;
using Rcmd.Retention;
using Rcmd.Serialization;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary><c>/api/jobs</c>: submit, list, read and cancel jobs. Redis is the record of truth; the Workers run them.</summary>
public static partial class JobsApi
{
    private const int MaxIdLength = 64;
    private const int MaxRemoteLength = 100;

    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/jobs")
            .WithTags("Jobs")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapPost(string.Empty, CreateJob)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("CreateJob")
            .WithSummary("Validate a job and queue it")
            .Accepts<JobRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet(string.Empty, ListJobs)
            .WithName("ListJobs")
            .WithSummary("A page of jobs by creation time, state or type, filtered by state, type, remote, error code and time range");
        api.MapGet("/counts", GetCounts)
            .WithName("GetJobCounts")
            .WithSummary("How many jobs are in each state, and how many wait in the queue");
        api.MapGet("/{id}", GetJob)
            .WithName("GetJob")
            .WithSummary("One job; 410 with the archive file for a job the retention sweep archived")
            .Produces<ArchivedJobResponse>(StatusCodes.Status410Gone);
        api.MapPost("/{id}/cancel", CancelJob)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("CancelJob")
            .WithSummary("Cancel a queued or waiting job at once, or ask the Worker running it to stop it");
        api.MapPost("/{id}/retry-now", RetryNow)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("RetryJobNow")
            .WithSummary("Move a waiting job to the queue at once, without waiting for its due time");
        api.MapPost("/{id}/rerun", Rerun)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("RerunJob")
            .WithSummary("Submit a failed or canceled job again: a new job with the same parameters, linked by retryOf");
        return api;
    }

    public static async Task<Results<Created<Job>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> CreateJob(
        HttpRequest request, [AsParameters] JobServices services, IOptions<ApiOptions> options, PathPolicy paths, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var body = await JsonRequestBody.ReadAsync(request, RcmdJsonContext.Default.JobRequest, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (!body.IsValid)
        {
            return body.Refusal();
        }

        var validation = JobValidator.Validate(body.Value);
        if (!validation.IsValid)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(validation.Errors, "The job is not valid."));
        }

        if (RefusePaths(paths, user, validation.Submission!.Source, validation.Submission.Destination) is { } refused)
        {
            return refused;
        }

        var job = JobStateMachine.Create(services.NewJobId(), validation.Submission!, services.Time) with
        {
            MaxAttempts = services.Retry.Attempts,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        if (!await services.Store.EnqueueAsync(job, cancellationToken))
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"A job with id '{job.Id}' exists already; submit again."));
        }

        LogJobCreated(services.Logger, job.Id, job.Type.ToWire());
        return TypedResults.Created(Location(job.Id), job);
    }

    public static async Task<Results<Ok<JobPage>, BadRequest<ErrorResponse>>> ListJobs(
        [AsParameters] JobListParameters query, [AsParameters] JobServices services, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JobState? state = null;
        if (!string.IsNullOrWhiteSpace(query.State))
        {
            if (JobStates.TryParse(query.State.Trim(), out var parsed))
            {
                state = parsed;
            }
            else
            {
                errors["state"] = [$"Unknown state '{Shorten(query.State)}': use one of {string.Join(", ", JobStates.All.Select(s => s.ToWire()))}."];
            }
        }

        JobType? type = null;
        if (!string.IsNullOrWhiteSpace(query.Type))
        {
            if (JobTypes.TryParse(query.Type.Trim(), out var parsed))
            {
                type = parsed;
            }
            else
            {
                errors["type"] = [$"Unknown type '{Shorten(query.Type)}': use one of {string.Join(", ", JobTypes.Names)}."];
            }
        }

        var remote = string.IsNullOrWhiteSpace(query.Remote) ? null : query.Remote.Trim();
        if (remote is not null && (remote.Length > MaxRemoteLength || remote.Any(char.IsControl)))
        {
            errors["remote"] = [$"Remote must be a remote's name (as in 's3prod', ':s3' or 'local'), at most {MaxRemoteLength} characters."];
        }

        var errorCode = string.IsNullOrWhiteSpace(query.ErrorCode) ? null : query.ErrorCode.Trim().ToLowerInvariant();
        if (errorCode is not null && !ErrorCodes.All.Contains(errorCode, StringComparer.Ordinal))
        {
            errors["errorCode"] = [$"Unknown error code '{Shorten(query.ErrorCode!)}': use one of {string.Join(", ", ErrorCodes.All)}."];
        }

        var from = ParseTime(query.From, "from", errors);
        var to = ParseTime(query.To, "to", errors);
        if (from is { } f && to is { } t && t < f)
        {
            errors["to"] = ["To must not be before from."];
        }

        var ascending = false;
        var sortBy = JobSort.Created;
        switch (query.Sort?.Trim())
        {
            case null or "" or "-created":
                break;
            case "created":
                ascending = true;
                break;
            case "state" or "-state":
                sortBy = JobSort.State;
                ascending = query.Sort.Trim() == "state";
                break;
            case "type" or "-type":
                sortBy = JobSort.Type;
                ascending = query.Sort.Trim() == "type";
                break;
            default:
                errors["sort"] = ["Sort must be 'created' (oldest first), '-created' (newest first), 'state', '-state', 'type' or '-type' (by name A–Z or Z–A, newest first within)."];
                break;
        }

        if (!TryParseBounded(query.Page, 1, 1, int.MaxValue, out var pageNumber))
        {
            errors["page"] = ["Page must be a whole number from 1 (the newest jobs)."];
        }

        if (!TryParseBounded(query.PageSize, JobQuery.DefaultPageSize, 1, JobQuery.MaxPageSize, out var size))
        {
            errors["pageSize"] = [$"PageSize must be a whole number from 1 to {JobQuery.MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(errors, "The list query is not valid."));
        }

        var jobQuery = new JobQuery(state, pageNumber, size)
        {
            Type = type,
            Remote = remote,
            ErrorCode = errorCode,
            From = from,
            To = to,
            Ascending = ascending,
            SortBy = sortBy,
        };
        return TypedResults.Ok(await services.Store.ListAsync(jobQuery, cancellationToken));
    }

    public static async Task<Ok<JobCounts>> GetCounts([AsParameters] JobServices services, CancellationToken cancellationToken) =>
        TypedResults.Ok(await services.Store.CountAsync(cancellationToken));

    public static async Task<Results<Ok<Job>, NotFound<ErrorResponse>, JsonHttpResult<ArchivedJobResponse>>> GetJob(
        string id, [AsParameters] JobServices services, RetentionStore retention, IOptions<RetentionOptions> retentionOptions,
        CancellationToken cancellationToken)
    {
        var job = IsJobId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        if (job is not null)
        {
            return TypedResults.Ok(job);
        }

        // Archived by the retention sweep: 410 with the file that holds it (while its id is remembered).
        return IsJobId(id) && await retention.ArchivedAtAsync(id, cancellationToken) is { } archivedAt
            ? TypedResults.Json(ArchivedJobResponse.For(id, archivedAt, RetentionRules.ArchiveLocation(retentionOptions.Value.ArchiveTo, archivedAt)),
                RetentionJsonContext.Default.ArchivedJobResponse, statusCode: StatusCodes.Status410Gone)
            : TypedResults.NotFound(ApiErrors.JobNotFound(id));
    }

    public static async Task<Results<Ok<Job>, Accepted<Job>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> CancelJob(
        string id, JobCanceler canceler, CancellationToken cancellationToken)
    {
        var outcome = IsJobId(id) ? await canceler.CancelAsync(id, cancellationToken) : new CancelOutcome(CancelResult.NotFound, null);
        return outcome switch
        {
            { Result: CancelResult.Canceled, Job: { } job } => TypedResults.Ok(job),
            { Result: CancelResult.Requested, Job: { } job } => TypedResults.Accepted(Location(job.Id), job),
            { Result: CancelResult.AlreadyEnded, Job: { } job } => TypedResults.Conflict(ApiErrors.Conflict(
                $"Job '{job.Id}' is already {job.State.ToWire()}; only queued, waiting or running jobs can be canceled.")),
            _ => TypedResults.NotFound(ApiErrors.JobNotFound(id)),
        };
    }

    public static async Task<Results<Ok<Job>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> RetryNow(
        string id, [AsParameters] JobServices services, PathPolicy paths, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!IsJobId(id))
        {
            return TypedResults.NotFound(ApiErrors.JobNotFound(id));
        }

        // Sent again now by this caller: its paths meet this caller's rules, as for a new job.
        if (await services.Store.GetAsync(id, cancellationToken) is { } waiting && RefusePaths(paths, user, waiting.Source, waiting.Destination) is { } refused)
        {
            return refused;
        }

        if (await services.Store.TryReleaseNowAsync(id, services.Time, cancellationToken) is { } queued)
        {
            LogJobRetryNow(services.Logger, queued.Id, queued.Type.ToWire());
            return TypedResults.Ok(queued);
        }

        var job = await services.Store.GetAsync(id, cancellationToken);
        return job is null
            ? TypedResults.NotFound(ApiErrors.JobNotFound(id))
            : TypedResults.Conflict(ApiErrors.Conflict(
                $"Job '{job.Id}' is {job.State.ToWire()}; only a waiting job can be retried now."));
    }

    public static async Task<Results<Created<Job>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Rerun(
        string id, [AsParameters] JobServices services, PathPolicy paths, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var job = IsJobId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        if (job is null)
        {
            return TypedResults.NotFound(ApiErrors.JobNotFound(id));
        }

        if (job.State is not (JobState.Failed or JobState.Canceled))
        {
            return TypedResults.Conflict(ApiErrors.Conflict(
                $"Job '{job.Id}' is {job.State.ToWire()}; only a failed or canceled job can be run again."));
        }

        if (job.Type == JobType.Batch)
        {
            return TypedResults.Conflict(ApiErrors.Conflict(
                $"Job '{job.Id}' is a batch: resume it (/api/batches/{job.Id}/resume) or retry its failed items (/api/batches/{job.Id}/retry-failed)."));
        }

        if (RefusePaths(paths, user, job.Source, job.Destination) is { } refused)
        {
            return refused;
        }

        var submission = new JobSubmission(job.Type, job.Source, job.Destination, job.Options);
        var again = JobStateMachine.Create(services.NewJobId(), submission, services.Time) with
        {
            MaxAttempts = services.Retry.Attempts,
            RetryOf = job.Id,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        if (!await services.Store.EnqueueAsync(again, cancellationToken))
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"A job with id '{again.Id}' exists already; try again."));
        }

        LogJobRerun(services.Logger, again.Id, job.Id, again.Type.ToWire());
        return TypedResults.Created(Location(again.Id), again);
    }

    private static DateTimeOffset? ParseTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value.Trim(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time)
            && value.Trim().Length >= 10 && char.IsAsciiDigit(value.Trim()[0]))
        {
            return time;
        }

        errors[field] = [$"'{Shorten(value)}' is not an ISO 8601 time: use e.g. 2025-01-31T12:00:00Z."];
        return null;
    }

    private static string Location(string id) => $"/api/jobs/{id}";

    private static JsonHttpResult<ErrorResponse>? RefusePaths(PathPolicy paths, ClaimsPrincipal user, string source, string? destination) =>
        PathChecks.Refuse(paths, user, "The job", ("source", "Source", source), ("destination", "Destination", destination));

    /// <summary>Ids are what this API hands out: letters, digits, '-' and '_' (never a ':' that would reach another key).</summary>
    private static bool IsJobId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool TryParseBounded(string? value, int fallback, int min, int max, out int result)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            result = fallback;
            return true;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out result)
            && result >= min && result <= max;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Job {JobId} created ({JobType})")]
    private static partial void LogJobCreated(ILogger logger, string jobId, string jobType);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Job {JobId} moved from waiting to the queue by a user ({JobType})")]
    private static partial void LogJobRetryNow(ILogger logger, string jobId, string jobType);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Job {JobId} created to run job {RetryOf} again ({JobType})")]
    private static partial void LogJobRerun(ILogger logger, string jobId, string retryOf, string jobType);
}

/// <summary>The query of <c>GET /api/jobs</c>, every value as sent (validated by the handler, with field errors).</summary>
public sealed record JobListParameters(string? State, string? Type, string? Remote, string? ErrorCode, string? From, string? To,
    string? Sort, string? Page, string? PageSize);

using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rcmd.Api.Errors;
using Rcmd.Api.Extensions;
using Rcmd.Api.Services;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Paths;
using Rcmd.Schedules;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/schedules</c>: recurring jobs and batches. A schedule lives in Redis; the Workers' schedulers fire it (each
/// fire time claimed once, whatever the number of Workers) through the normal job and batch paths.
/// </summary>
public static partial class SchedulesApi
{
    private const int MaxIdLength = 64;

    public static RouteGroupBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/schedules")
            .WithTags("Schedules")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapPost(string.Empty, CreateSchedule)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("CreateSchedule")
            .WithSummary("Validate a schedule (cron, time zone, policies, and the job or batch it runs) and store it")
            .Accepts<ScheduleRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet(string.Empty, ListSchedules)
            .WithName("ListSchedules")
            .WithSummary("A page of schedules, newest first, each with its next fire times, last run and success rate");
        api.MapGet("/{id}", GetSchedule)
            .WithName("GetSchedule")
            .WithSummary("One schedule with its next 5 fire times (in its zone and UTC), last run and success rate");
        api.MapPut("/{id}", ReplaceSchedule)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("ReplaceSchedule")
            .WithSummary("Replace a schedule; fire times already dealt with never fire again")
            .Accepts<ScheduleRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType);
        api.MapDelete("/{id}", DeleteSchedule)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("DeleteSchedule")
            .WithSummary("Delete a schedule and its run history (its jobs stay)");
        api.MapPost("/{id}/pause", PauseSchedule)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("PauseSchedule")
            .WithSummary("Stop firing until resumed");
        api.MapPost("/{id}/resume", ResumeSchedule)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("ResumeSchedule")
            .WithSummary("Fire again from now on (fire times passed while paused do not run)");
        api.MapPost("/{id}/run-now", RunNow)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("RunScheduleNow")
            .WithSummary("Run the schedule's job or batch now, outside its cron");
        api.MapGet("/{id}/runs", ListRuns)
            .WithName("ListScheduleRuns")
            .WithSummary("A page of the schedule's runs, newest first: fire time, actual start, job id and outcome");
        return api;
    }

    public static async Task<Results<Created<ScheduleView>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> CreateSchedule(
        HttpRequest request, [AsParameters] ScheduleServices services, IOptions<ApiOptions> options, PathPolicy paths, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var body = await JsonRequestBody.ReadAsync(request, ScheduleJsonContext.Default.ScheduleRequest, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (!body.IsValid)
        {
            return body.Refusal();
        }

        var now = services.Time.GetUtcNow();
        var validation = ScheduleValidator.Validate(body.Value, Guid.CreateVersion7(now).ToString("N"), now);
        if (validation.Schedule is not { } schedule)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(validation.Errors, "The schedule is not valid."));
        }

        if (PathChecks.Refuse(paths, user, "The schedule", PathsOf(schedule)) is { } refused)
        {
            return refused;
        }

        if (!await services.Store.CreateAsync(schedule, now, NextDue(schedule, now), cancellationToken))
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"A schedule with id '{schedule.Id}' exists already; submit again."));
        }

        LogScheduleCreated(services.Logger, schedule.Id, schedule.Cron, schedule.TimeZone);
        return TypedResults.Created(Location(schedule.Id), await ViewAsync(schedule, services, cancellationToken));
    }

    public static async Task<Results<Ok<SchedulePage>, BadRequest<ErrorResponse>>> ListSchedules(
        string? page, string? pageSize, [AsParameters] ScheduleServices services, CancellationToken cancellationToken)
    {
        if (PageErrors(page, pageSize, out var number, out var size) is { } errors)
        {
            return TypedResults.BadRequest(errors);
        }

        var (ids, total) = await services.Store.ListAsync(number, size, cancellationToken);
        var views = new List<ScheduleView>(ids.Count);
        foreach (var id in ids)
        {
            if (await services.Store.GetAsync(id, cancellationToken) is { } schedule)
            {
                views.Add(await ViewAsync(schedule, services, cancellationToken));
            }
        }

        return TypedResults.Ok(new SchedulePage(views, total, number, size));
    }

    public static async Task<Results<Ok<ScheduleView>, NotFound<ErrorResponse>>> GetSchedule(
        string id, [AsParameters] ScheduleServices services, CancellationToken cancellationToken)
    {
        var schedule = IsId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        return schedule is null ? TypedResults.NotFound(NotFound(id)) : TypedResults.Ok(await ViewAsync(schedule, services, cancellationToken));
    }

    public static async Task<Results<Ok<ScheduleView>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> ReplaceSchedule(
        string id, HttpRequest request, [AsParameters] ScheduleServices services, IOptions<ApiOptions> options, PathPolicy paths,
        ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var existing = IsId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        if (existing is null)
        {
            return TypedResults.NotFound(NotFound(id));
        }

        var body = await JsonRequestBody.ReadAsync(request, ScheduleJsonContext.Default.ScheduleRequest, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (!body.IsValid)
        {
            return body.Refusal();
        }

        var now = services.Time.GetUtcNow();
        var validation = ScheduleValidator.Validate(body.Value, existing.Id, now, existing.CreatedAt);
        if (validation.Schedule is not { } schedule)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(validation.Errors, "The schedule is not valid."));
        }

        if (PathChecks.Refuse(paths, user, "The schedule", PathsOf(schedule)) is { } refused)
        {
            return refused;
        }

        schedule = schedule with { Paused = existing.Paused };
        var due = schedule.Paused ? null : NextDue(schedule, now);
        if (!await services.Store.ReplaceAsync(schedule, now, due, dropQueued: schedule.Overlap != ScheduleOverlap.QueueOne, cancellationToken))
        {
            return TypedResults.NotFound(NotFound(id));
        }

        LogScheduleChanged(services.Logger, schedule.Id, "replaced");
        return TypedResults.Ok(await ViewAsync(schedule, services, cancellationToken));
    }

    public static async Task<Results<NoContent, NotFound<ErrorResponse>>> DeleteSchedule(
        string id, [AsParameters] ScheduleServices services, CancellationToken cancellationToken)
    {
        if (!IsId(id) || !await services.Store.DeleteAsync(id, cancellationToken))
        {
            return TypedResults.NotFound(NotFound(id));
        }

        LogScheduleChanged(services.Logger, id, "deleted");
        return TypedResults.NoContent();
    }

    public static Task<Results<Ok<ScheduleView>, NotFound<ErrorResponse>>> PauseSchedule(
        string id, [AsParameters] ScheduleServices services, CancellationToken cancellationToken) =>
        SetPausedAsync(id, paused: true, services, cancellationToken);

    public static Task<Results<Ok<ScheduleView>, NotFound<ErrorResponse>>> ResumeSchedule(
        string id, [AsParameters] ScheduleServices services, CancellationToken cancellationToken) =>
        SetPausedAsync(id, paused: false, services, cancellationToken);

    public static async Task<Results<Accepted<ScheduleRun>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> RunNow(
        string id, [AsParameters] ScheduleServices services, PathPolicy paths, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var schedule = IsId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        if (schedule is null)
        {
            return TypedResults.NotFound(NotFound(id));
        }

        if (PathChecks.Refuse(paths, user, "The schedule", PathsOf(schedule)) is { } refused)
        {
            return refused;
        }

        var (run, job) = await services.Dispatcher.RunNowAsync(schedule, cancellationToken);
        if (job is null)
        {
            return TypedResults.Json(ErrorResponse.Create(ErrorCodes.Unknown,
                    "The run was recorded but its job could not be created yet; a Worker's scheduler creates it shortly.", retryable: true),
                RcmdJsonErrors, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        LogScheduleRunNow(services.Logger, schedule.Id, job.Id);
        return TypedResults.Accepted($"/api/jobs/{job.Id}", run);
    }

    public static async Task<Results<Ok<ScheduleRunPage>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>>> ListRuns(
        string id, string? page, string? pageSize, [AsParameters] ScheduleServices services, CancellationToken cancellationToken)
    {
        if (PageErrors(page, pageSize, out var number, out var size) is { } errors)
        {
            return TypedResults.BadRequest(errors);
        }

        var schedule = IsId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        if (schedule is null)
        {
            return TypedResults.NotFound(NotFound(id));
        }

        var (runs, total) = await services.Store.RunsAsync(id, number, size, cancellationToken);
        return TypedResults.Ok(new ScheduleRunPage(await WithJobOutcomesAsync(runs, services, cancellationToken), total, number, size));
    }

    private static async Task<Results<Ok<ScheduleView>, NotFound<ErrorResponse>>> SetPausedAsync(
        string id, bool paused, ScheduleServices services, CancellationToken cancellationToken)
    {
        var existing = IsId(id) ? await services.Store.GetAsync(id, cancellationToken) : null;
        if (existing is null)
        {
            return TypedResults.NotFound(NotFound(id));
        }

        var now = services.Time.GetUtcNow();
        var schedule = existing with { Paused = paused, UpdatedAt = now };
        // Resuming counts from now: what passed while paused does not fire (the cursor only moves forward anyway).
        if (!await services.Store.ReplaceAsync(schedule, now, paused ? null : NextDue(schedule, now), dropQueued: paused, cancellationToken))
        {
            return TypedResults.NotFound(NotFound(id));
        }

        LogScheduleChanged(services.Logger, id, paused ? "paused" : "resumed");
        return TypedResults.Ok(await ViewAsync(schedule, services, cancellationToken));
    }

    /// <summary>The schedule with its next fire times, last run and success rate (runs show their job's current state).</summary>
    internal static async Task<ScheduleView> ViewAsync(Schedule schedule, ScheduleServices services, CancellationToken cancellationToken)
    {
        var (runs, _) = await services.Store.RunsAsync(schedule.Id, 1, ScheduleConstants.SuccessRateRuns, cancellationToken);
        var withOutcomes = await WithJobOutcomesAsync(runs, services, cancellationToken);
        var finished = withOutcomes.Where(r => JobStates.TryParse(r.Outcome, out var s) && s.IsTerminal()).ToList();
        var timetable = ScheduleTimetable.For(schedule);
        var next = schedule.Paused ? [] : timetable.Upcoming(services.Time.GetUtcNow(), ScheduleConstants.NextFireTimesShown);
        return new ScheduleView
        {
            Schedule = schedule,
            NextFireTimes = [.. next.Select(t => new ScheduleFireTime(TimeZoneInfo.ConvertTime(t, timetable.Zone), t.ToUniversalTime()))],
            LastRun = withOutcomes.Count > 0 ? withOutcomes[0] : null,
            SuccessRate = finished.Count == 0 ? null : Math.Round((double)finished.Count(r => r.Outcome == JobState.Succeeded.ToWire()) / finished.Count, 3),
            RecentOutcomes = [.. withOutcomes.Take(20).Reverse().Select(r => r.Outcome)],
        };
    }

    /// <summary>A started run's outcome is its job's state now (queued, running, succeeded, failed, …).</summary>
    private static async Task<IReadOnlyList<ScheduleRun>> WithJobOutcomesAsync(IReadOnlyList<ScheduleRun> runs, ScheduleServices services,
        CancellationToken cancellationToken)
    {
        var ids = runs.Where(r => r.JobId is not null && r.Outcome == ScheduleOutcomes.Started).Select(r => r.JobId!).ToList();
        if (ids.Count == 0)
        {
            return runs;
        }

        var states = (await services.Jobs.GetManyAsync(ids, cancellationToken)).ToDictionary(j => j.Id, j => j.State.ToWire(), StringComparer.Ordinal);
        return [.. runs.Select(r => r.JobId is { } job && r.Outcome == ScheduleOutcomes.Started && states.TryGetValue(job, out var state)
            ? r with { Outcome = state }
            : r)];
    }

    private static DateTimeOffset? NextDue(Schedule schedule, DateTimeOffset now) =>
        ScheduleTimetable.For(schedule).NextAfter(now) is { } next ? SchedulePlanner.DueAt(schedule, next) : null;

    private static ErrorResponse? PageErrors(string? page, string? pageSize, out int number, out int size)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TryParseBounded(page, 1, 1, 1_000_000, out number))
        {
            errors["page"] = ["Page must be a whole number from 1 (the newest)."];
        }

        if (!TryParseBounded(pageSize, ScheduleConstants.DefaultPageSize, 1, ScheduleConstants.MaxPageSize, out size))
        {
            errors["pageSize"] = [$"PageSize must be a whole number from 1 to {ScheduleConstants.MaxPageSize}."];
        }

        return errors.Count > 0 ? ApiErrors.Validation(errors, "The page query is not valid.") : null;
    }

    private static bool TryParseBounded(string? value, int fallback, int min, int max, out int result)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            result = fallback;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= min && result <= max;
    }

    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<ErrorResponse> RcmdJsonErrors =>
        Rcmd.Serialization.RcmdJsonContext.Default.ErrorResponse;

    private static ErrorResponse NotFound(string id) =>
        ErrorResponse.Create(ErrorCodes.NotFound, $"No schedule with id '{(id.Length <= 40 ? id : id[..40] + "…")}'.");

    private static string Location(string id) => $"/api/schedules/{id}";

    private static bool IsId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Schedule {ScheduleId} created ({Cron} in {TimeZone})")]
    private static partial void LogScheduleCreated(ILogger logger, string scheduleId, string cron, string timeZone);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Schedule {ScheduleId} {Change}")]
    private static partial void LogScheduleChanged(ILogger logger, string scheduleId, string change);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Schedule {ScheduleId} run now: job {JobId}")]
    private static partial void LogScheduleRunNow(ILogger logger, string scheduleId, string jobId);

    /// <summary>Every path a schedule's runs will use, with its field name as the validator names fields.</summary>
    private static IEnumerable<(string Field, string Label, string? Path)> PathsOf(Schedule schedule)
    {
        if (schedule.Job is { } job)
        {
            yield return ("job.source", "Source", job.Source);
            yield return ("job.destination", "Destination", job.Destination);
        }

        if (schedule.Batch?.Directory is { } directory)
        {
            yield return ("batch.directory.source", "Source", directory.Source);
            yield return ("batch.directory.destination", "Destination", directory.Destination);
        }

        foreach (var (item, index) in (schedule.Batch?.Items ?? []).Select((item, index) => (item, index)))
        {
            yield return ($"batch.items[{index}].source", "Source", item.Source);
            yield return ($"batch.items[{index}].destination", "Destination", item.Destination);
        }
    }
}

/// <summary>What the schedule endpoints need, bound with <c>[AsParameters]</c>.</summary>
public sealed class ScheduleServices(ScheduleStore store, ScheduleDispatcher dispatcher, JobStore jobs, TimeProvider time, ILogger<ScheduleServices> logger)
{
    public ScheduleStore Store { get; } = store;
    public ScheduleDispatcher Dispatcher { get; } = dispatcher;
    public JobStore Jobs { get; } = jobs;
    public TimeProvider Time { get; } = time;
    public ILogger<ScheduleServices> Logger { get; } = logger;
}

using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Api.Hubs;
using Rcmd.Api.Services;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Paths;
using Rcmd.Retention;
using Rcmd.Storage;

namespace Rcmd.Api.Rc;

/// <summary>
/// rclone's transfer calls as Rcmd jobs (queued in Redis, retried, held by the breakers, surviving restarts) and the
/// <c>job/*</c> calls answered from Rcmd's durable state, with numeric ids that never repeat (<see cref="RcJobIds"/>).
/// </summary>
internal sealed class RcJobs(JobStore store, RcJobIds ids, JobCanceler canceler, RcBatches batches, RetentionStore archive, PathPolicy paths,
    JobWatchers watchers, IOptions<RcOptions> options, TimeProvider time, RetrySettings retry)
{
    /// <summary>The calls that become Rcmd jobs, with the job each one makes from its parameters.</summary>
    public static IReadOnlyDictionary<string, Func<RcParameters, JobRequest>> Transfers { get; } =
        new Dictionary<string, Func<RcParameters, JobRequest>>(StringComparer.Ordinal)
        {
            ["sync/copy"] = p => Tree("copy", p, "createEmptySrcDirs"),
            ["sync/sync"] = p => Tree("sync", p, "createEmptySrcDirs"),
            ["sync/move"] = p => Tree("move", p, "createEmptySrcDirs", "deleteEmptySrcDirs"),
            ["operations/copyfile"] = p => File("copyfile", p),
            ["operations/movefile"] = p => File("movefile", p),
            ["operations/delete"] = p => new JobRequest { Type = "delete", Source = p.GetString("fs") },
            ["operations/deletefile"] = p => new JobRequest { Type = "deletefile", Source = Join(p.GetString("fs"), p.GetString("remote")) },
            ["operations/purge"] = p => new JobRequest { Type = "purge", Source = Join(p.GetString("fs"), p.GetStringOrNull("remote") ?? "") },
        };

    /// <summary>
    /// Queues the call's Rcmd job; answers its RC id at once (<paramref name="isAsync"/>) or waits for its end.
    /// <paramref name="queuing"/>, when given, learns the RC id and Rcmd job id before the job is queued (a durable
    /// <c>job/batch</c> records them, so a resumed batch waits for that job instead of queuing another).
    /// </summary>
    public async Task<RcReply> SubmitAsync(string path, RcParameters parameters, bool isAsync, ClaimsPrincipal user, CancellationToken aborted,
        RcQueuing? queuing = null)
    {
        var request = Transfers[path](parameters) with { Options = Options(parameters) };
        var validation = JobValidator.Validate(request);
        if (!validation.IsValid)
        {
            var message = string.Join("; ", validation.Errors.Select(e => $"{e.Key}: {e.Value[0]}"));
            return RcReply.Error(path, parameters.Input, message, StatusCodes.Status400BadRequest,
                new NormalizedError(ErrorCodes.ValidationError, false));
        }

        var submission = validation.Submission!;
        var role = PathChecks.RoleOf(user);
        var refusals = paths.Check(submission.Source, "srcFs", role)
            .Concat(submission.Destination is { } d ? paths.Check(d, "dstFs", role) : []).ToList();
        if (refusals.Count > 0)
        {
            var denied = refusals.Any(r => r.Kind == PathRefusalKind.Denied);
            return RcReply.Error(path, parameters.Input, string.Join(" ", refusals.Select(r => r.Message)),
                denied ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest,
                new NormalizedError(denied ? ErrorCodes.AccessDenied : ErrorCodes.ValidationError, false));
        }

        // Not the request's token from here: once the id is handed out, the job is queued whatever the client does.
        var rcJobId = await ids.NextAsync(CancellationToken.None).ConfigureAwait(false);
        var group = parameters.GetStringOrNull("_group") is { Length: > 0 } g ? g : $"job/{rcJobId.ToString(CultureInfo.InvariantCulture)}";
        var job = JobStateMachine.Create(Guid.CreateVersion7(time.GetUtcNow()).ToString("N"), submission, time) with
        {
            MaxAttempts = retry.Attempts,
            Rc = new RcOrigin(rcJobId, group),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        if (queuing is not null)
        {
            await queuing(rcJobId, job.Id).ConfigureAwait(false);
        }

        await ids.AddAsync(rcJobId, job.Id, group, CancellationToken.None).ConfigureAwait(false);
        await store.EnqueueAsync(job, CancellationToken.None).ConfigureAwait(false);
        return await AnswerAsync(path, parameters.Input, isAsync, rcJobId, job.Id, aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The answer of a transfer call whose job was queued before (a resumed <c>job/batch</c> input); null when that job
    /// is not in Redis — it was never queued, so the call runs again.
    /// </summary>
    public async Task<RcReply?> ResumeAsync(string path, JsonObject input, bool isAsync, long rcJobId, string jobId, CancellationToken cancellationToken) =>
        await store.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is null
            ? null
            : await AnswerAsync(path, input, isAsync, rcJobId, jobId, cancellationToken).ConfigureAwait(false);

    private async Task<RcReply> AnswerAsync(string path, JsonObject input, bool isAsync, long rcJobId, string jobId, CancellationToken aborted)
    {
        if (isAsync)
        {
            return RcReply.Ok(new JsonObject { ["jobid"] = rcJobId, ["executeId"] = await ids.ExecuteIdAsync(aborted).ConfigureAwait(false) }, rcJobId);
        }

        // A synchronous call waits for the job's end. A client that goes away stops the waiting, never the job
        // (rclone#7086): it stays visible to job/status and in the dashboard, and job/stop cancels it.
        var final = await WaitForEndAsync(jobId, aborted).ConfigureAwait(false);
        return final.State == JobState.Succeeded
            ? RcReply.Ok([], rcJobId)
            : RcReply.Error(path, input, final.Error?.Message ?? $"job {final.State.ToWire()}", StatusCodes.Status500InternalServerError,
                final.Error is { } error ? new NormalizedError(error.Code, error.Retryable, error.Suggestion) : null, rcJobId);
    }

    public async Task<RcReply> JobCallAsync(string path, RcParameters parameters, CancellationToken cancellationToken)
    {
        var executeId = await ids.ExecuteIdAsync(cancellationToken).ConfigureAwait(false);
        switch (path)
        {
            case "job/list":
            {
                // From the indexes alone, bounded by Rcmd:Rc:JobListLimit (the newest ids): live, archived and batch ids.
                var (all, running) = await ids.ListAsync(options.Value.JobListLimit, cancellationToken).ConfigureAwait(false);
                return RcReply.Ok(new JsonObject
                {
                    ["executeId"] = executeId,
                    ["finishedIds"] = Ids(all.Where(id => !running.Contains(id))),
                    ["jobids"] = Ids(all),
                    ["runningIds"] = Ids(all.Where(running.Contains)),
                });
            }

            case "job/stopgroup":
            {
                // rclone stops every job of the group: the RC transfers' Rcmd jobs, and async batches run under it.
                var group = parameters.GetString("group");
                foreach (var (_, jobId) in await ids.InGroupAsync(group, cancellationToken).ConfigureAwait(false))
                {
                    await canceler.CancelAsync(jobId, cancellationToken).ConfigureAwait(false);
                }

                await batches.StopGroupAsync(group, cancellationToken).ConfigureAwait(false);
                return RcReply.Ok([]);
            }
        }

        var rcJobId = parameters.GetInt64("jobid");
        var found = await ids.FindAsync(rcJobId, cancellationToken).ConfigureAwait(false) is { } id
            ? await store.GetAsync(id, cancellationToken).ConfigureAwait(false)
            : null;
        if (found is null)
        {
            // Not a live job: an async job/batch's record, or a job the retention sweep archived (its summary stays).
            // job/stop of a batch stops it (durably); of an archived job — finished — changes nothing, {} as rclone answers.
            var other = path == "job/status"
                ? await batches.FindAsync(rcJobId, cancellationToken).ConfigureAwait(false) is { } batch
                    ? BatchStatus(batch, executeId)
                    : await archive.RcArchivedAsync(rcJobId, cancellationToken).ConfigureAwait(false) is { } archived
                        ? ArchivedStatus(archived, executeId)
                        : null
                : await batches.StopAsync(rcJobId, cancellationToken).ConfigureAwait(false)
                    || await archive.RcArchivedAsync(rcJobId, cancellationToken).ConfigureAwait(false) is not null
                    ? []
                    : null;
            return other is null
                ? RcReply.Error(path, parameters.Input, "job not found", StatusCodes.Status500InternalServerError)
                : RcReply.Ok(other);
        }

        if (path == "job/stop")
        {
            await canceler.CancelAsync(found.Id, cancellationToken).ConfigureAwait(false);
            return RcReply.Ok([]);
        }

        return RcReply.Ok(Status(rcJobId, found, executeId));
    }

    /// <summary>A job as rclone's <c>job/status</c> shows one: the same keys, from Rcmd's record.</summary>
    private JsonObject Status(long rcJobId, Job job, string executeId)
    {
        var started = job.StartedAt ?? job.CreatedAt;
        var end = job.FinishedAt ?? (job.State.IsTerminal() ? job.UpdatedAt : (DateTimeOffset?)null);
        var duration = job.StartedAt is null ? TimeSpan.Zero : (end ?? time.GetUtcNow()) - started;
        var failed = job.State is JobState.Failed or JobState.Canceled or JobState.PartiallyFailed;
        return StatusShape(rcJobId, job.Rc?.Group, started, end, duration, job.State.IsTerminal(), job.State == JobState.Succeeded,
            failed ? job.Error?.Message ?? job.State.ToWire() : "", job.State == JobState.Succeeded ? new JsonObject() : null, executeId);
    }

    /// <summary>An archived RC job's status, from the summary the retention sweep kept (<see cref="RcArchivedJob"/>).</summary>
    private static JsonObject ArchivedStatus(RcArchivedJob job, string executeId)
    {
        var started = job.StartedAt ?? job.ArchivedAt;
        var end = job.EndedAt ?? started;
        return StatusShape(job.Id, job.Group, started, end, end - started, true, job.Succeeded, job.Error ?? "",
            job.Succeeded ? new JsonObject() : null, executeId);
    }

    /// <summary>An async job/batch's status: its output (the results) once done.</summary>
    private JsonObject BatchStatus(JsonObject record, string executeId)
    {
        var id = record["id"]!.GetValue<long>();
        var started = record["startTime"]!.GetValue<DateTimeOffset>();
        DateTimeOffset? end = record["endTime"] is { } e ? e.GetValue<DateTimeOffset>() : null;
        var error = record["error"]?.GetValue<string>();
        return StatusShape(id, record["group"]?.GetValue<string>(), started, end, (end ?? time.GetUtcNow()) - started, end is not null,
            end is not null && error is null, error ?? "", record["output"]?.DeepClone(), executeId);
    }

    private static JsonObject StatusShape(long rcJobId, string? group, DateTimeOffset started, DateTimeOffset? end, TimeSpan duration,
        bool finished, bool success, string error, JsonNode? output, string executeId) => new()
    {
        ["duration"] = Math.Max(0, duration.TotalSeconds),
        ["endTime"] = Time(end ?? DateTimeOffset.MinValue),
        ["error"] = error,
        ["executeId"] = executeId,
        ["finished"] = finished,
        ["group"] = group ?? $"job/{rcJobId.ToString(CultureInfo.InvariantCulture)}",
        ["id"] = rcJobId,
        ["output"] = output,
        ["startTime"] = Time(started),
        ["success"] = success,
    };

    /// <summary>
    /// Waits for the job's end: woken by its events (<see cref="JobWatchers"/>, fed by the Redis event channel), the job
    /// read again at each; and every <see cref="RcOptions.SyncSafetyPoll"/> without one, as a lost message must not hang
    /// the call.
    /// </summary>
    private async Task<Job> WaitForEndAsync(string id, CancellationToken aborted)
    {
        using var watch = watchers.Watch(id); // before the first read: an end between the read and the wait still wakes it
        var safety = options.Value.SyncSafetyPoll;
        while (true)
        {
            if (await store.GetAsync(id, aborted).ConfigureAwait(false) is { } job && job.State.IsTerminal())
            {
                return job;
            }

            await watch.NextAsync(safety, time, aborted).ConfigureAwait(false);
        }
    }

    private static JobRequest Tree(string type, RcParameters p, params string[] unsupported)
    {
        foreach (var flag in unsupported.Where(f => p.GetBool(f)))
        {
            throw new RcParameterException($"Rcmd's {type} jobs do not take {flag}=true yet; call without it");
        }

        return new JobRequest { Type = type, Source = p.GetString("srcFs"), Destination = p.GetString("dstFs") };
    }

    private static JobRequest File(string type, RcParameters p) => new()
    {
        Type = type,
        Source = Join(p.GetString("srcFs"), p.GetString("srcRemote")),
        Destination = Join(p.GetString("dstFs"), p.GetString("dstRemote")),
    };

    /// <summary>An fs and a path under it as one rclone path: <c>s3:b</c> + <c>f</c> → <c>s3:b/f</c>; <c>s3:</c> + <c>f</c> → <c>s3:f</c>.</summary>
    internal static string Join(string fs, string remote) =>
        remote.Length == 0 ? fs : fs.EndsWith(':') || fs.EndsWith('/') ? fs + remote.TrimStart('/') : fs + "/" + remote.TrimStart('/');

    /// <summary>
    /// <c>_config</c> and <c>_filter</c> as the job's options (checked by <see cref="JobValidator"/> against
    /// <see cref="JobRcloneSettings"/>: a name not allowed is a 400); <c>_config.DryRun</c> is the job's own dry-run flag.
    /// </summary>
    private static JobOptions Options(RcParameters p)
    {
        var config = p.GetObjectOrNull("_config")?.DeepClone().AsObject();
        var dryRun = false;
        if (config?.Select(c => c.Key).FirstOrDefault(k => k.Replace("_", "", StringComparison.Ordinal).Equals("DryRun", StringComparison.OrdinalIgnoreCase)) is { } key)
        {
            dryRun = new RcParameters(config).GetBool(key);
            config.Remove(key);
        }

        return new JobOptions { DryRun = dryRun, Config = Elements(config), Filter = Elements(p.GetObjectOrNull("_filter")) };
    }

    private static Dictionary<string, System.Text.Json.JsonElement>? Elements(JsonObject? values) =>
        values?.ToDictionary(v => v.Key, v => System.Text.Json.JsonSerializer.SerializeToElement(v.Value), StringComparer.Ordinal);

    private static JsonArray Ids(IEnumerable<long> ids) => [.. ids.Select(id => (JsonNode)id)];

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Told the RC id and Rcmd job id of a transfer call's job just before it is queued.</summary>
internal delegate Task RcQueuing(long rcJobId, string jobId);

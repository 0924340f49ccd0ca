using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Api.Security;
using Rcmd.Api.Services;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Paths;
using Rcmd.Serialization;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/batches</c>: submit a batch (a list of file operations, or a directory pair expanded by a Worker), read it and
/// its report, resume it, retry its failed items. A batch is a job of type <c>batch</c> (canceled through
/// <c>/api/jobs/{id}/cancel</c>); its items and results live in <see cref="BatchStore"/>. Contract: /tmp/batch-api.md.
/// </summary>
public static partial class BatchesApi
{
    /// <summary>The largest batch body accepted: 100,000 items with long paths.</summary>
    public const long MaxBodyBytes = 128L * 1024 * 1024;

    public const int DefaultReportLimit = 100;
    public const int MaxReportLimit = 1000;

    private const int MaxIdLength = 64;

    /// <summary>How long a batch upload may take (it streams up to 100,000 items into Redis).</summary>
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(5);

    public static RouteGroupBuilder MapBatchesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/batches")
            .WithTags("Batches")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapPost(string.Empty, CreateBatch)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("CreateBatch")
            .WithSummary("Validate a batch (items or a directory pair) as it streams in, store its items and queue it")
            .Accepts<BatchItemRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType)
            .WithRequestTimeout(UploadTimeout);
        api.MapGet("/{id}", GetBatch)
            .WithName("GetBatch")
            .WithSummary("One batch: its job with the batch summary");
        api.MapGet("/{id}/report", GetReport)
            .WithName("GetBatchReport")
            .WithSummary("The batch's totals and one page of its items, filtered by state and error code");
        api.MapGet("/{id}/report.csv", (string id, string? state, string? code, HttpContext context, [AsParameters] BatchServices services) =>
                DownloadReport(id, state, code, csv: true, context, services))
            .WithName("DownloadBatchReportCsv")
            .WithSummary("Every item of the batch as CSV (streamed)")
            .DisableRequestTimeout();
        api.MapGet("/{id}/report.json", (string id, string? state, string? code, HttpContext context, [AsParameters] BatchServices services) =>
                DownloadReport(id, state, code, csv: false, context, services))
            .WithName("DownloadBatchReportJson")
            .WithSummary("Every item of the batch as JSON (streamed)")
            .DisableRequestTimeout();
        api.MapPost("/{id}/resume", Resume)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("ResumeBatch")
            .WithSummary("Queue a partially failed or canceled batch again; it continues from its checkpoint");
        api.MapPost("/{id}/retry-failed", RetryFailed)
            .RequireAuthorization(Roles.OperatorPolicy)
            .WithName("RetryFailedBatchItems")
            .WithSummary("A new batch of the failed items, linked to this one");
        return api;
    }

    public static async Task<Results<Accepted<Job>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> CreateBatch(
        HttpRequest request, [AsParameters] BatchServices services, PathPolicy paths, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Json(ApiErrors.Validation(ApiErrors.FieldBody, "Send the body as JSON with Content-Type: application/json."),
                RcmdJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        var id = services.NewJobId();
        var validator = new BatchValidator(paths, PathChecks.RoleOf(user));
        var reader = new BatchRequestReader();
        var chunk = new List<BatchItem>(BatchStore.ChunkSize);
        BatchItem? first = null;
        var tooMany = false;
        var store = services.Batches;

        async ValueTask<bool> OnItem(int index, BatchItemRequest? item, string? shapeError)
        {
            if (index >= BatchValidator.MaxItems)
            {
                tooMany = true;
                return false;
            }

            if (shapeError is not null)
            {
                validator.Add($"items[{index}]", shapeError);
            }

            var checkedItem = shapeError is null ? validator.CheckItem(index, item) : null;
            if (checkedItem is not null && validator.IsValid)
            {
                first ??= checkedItem;
                chunk.Add(checkedItem);
                if (chunk.Count == BatchStore.ChunkSize)
                {
                    await store.StageItemsAsync(id, chunk, cancellationToken).ConfigureAwait(false);
                    chunk.Clear();
                }
            }
            else
            {
                chunk.Clear(); // the batch is refused: nothing more is stored
            }

            return validator.ErrorCount <= BatchValidator.MaxListedErrors;
        }

        var committed = false;
        try
        {
            var (ok, syntax) = await reader.ReadAsync(request.Body, OnItem, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                return TypedResults.BadRequest(ApiErrors.Validation(ApiErrors.FieldBody, syntax!));
            }

            if (reader.NotAnObject)
            {
                return TypedResults.BadRequest(ApiErrors.Validation(ApiErrors.FieldBody,
                    "The body must be a JSON object with items (a list of operations) or directory (a source and destination)."));
            }

            foreach (var (field, message) in reader.Errors)
            {
                validator.Add(field, message);
            }

            validator.CheckName(reader.Name);
            var options = validator.CheckOptions(reader.Options);
            BatchOp? directoryOp = null;
            if (tooMany)
            {
                validator.CheckCount(BatchValidator.MaxItems + 1);
            }
            else if (reader.HasItems && reader.Directory is not null)
            {
                validator.Add(ApiErrors.FieldBody, "Give either items or directory, not both.");
            }
            else if (reader.Directory is { } directory)
            {
                directoryOp = validator.CheckDirectory(directory, reader.Op);
            }
            else if (reader.HasItems)
            {
                validator.CheckCount(reader.ItemCount);
                if (!string.IsNullOrWhiteSpace(reader.Op))
                {
                    validator.Add("op", "Op is for directory batches; each item has its own op.");
                }
            }
            else
            {
                validator.Add("items", "A batch needs items (a list of operations) or directory (a source and destination).");
            }

            if (!validator.IsValid)
            {
                if (validator.AccessDenied)
                {
                    return PathChecks.Answer(validator.Errors, denied: true, "The batch");
                }

                return TypedResults.BadRequest(ApiErrors.Validation(validator.Errors, "The batch is not valid; nothing was stored."));
            }

            await store.StageItemsAsync(id, chunk, cancellationToken).ConfigureAwait(false);
            var isDirectory = directoryOp is not null;
            var total = isDirectory ? 0 : reader.ItemCount;
            await store.CommitItemsAsync(id, total, expanded: !isDirectory, cancellationToken).ConfigureAwait(false);
            committed = true;

            var summary = new BatchSummary
            {
                Name = string.IsNullOrWhiteSpace(reader.Name) ? null : reader.Name.Trim(),
                Kind = isDirectory ? BatchSummary.DirectoryKind : BatchSummary.ItemsKind,
                Op = directoryOp,
                Directory = isDirectory ? Trimmed(reader.Directory!) : null,
                Total = total,
                Pending = total,
                Expanding = isDirectory,
                Options = options,
            };
            var now = services.Time.GetUtcNow();
            var job = new Job
            {
                Id = id,
                Type = JobType.Batch,
                Source = isDirectory ? summary.Directory!.Source! : first!.Source,
                Destination = isDirectory ? summary.Directory!.Destination : first!.Destination,
                Options = new JobOptions { DryRun = options.DryRun },
                State = JobState.Queued,
                CreatedAt = now,
                UpdatedAt = now,
                MaxAttempts = services.Retry.Attempts,
                Batch = summary,
            };
            if (!await services.Jobs.EnqueueAsync(job, cancellationToken).ConfigureAwait(false))
            {
                committed = false;
                return TypedResults.Conflict(ApiErrors.Conflict($"A job with id '{id}' exists already; submit again."));
            }

            LogBatchCreated(services.Logger, id, summary.Kind, total);
            return TypedResults.Accepted(Location(id), job);
        }
        finally
        {
            if (!committed)
            {
                // Refused, failed or abandoned part-way: nothing is left behind.
                await DeleteQuietlyAsync(store, id).ConfigureAwait(false);
            }
        }
    }

    public static async Task<Results<Ok<Job>, NotFound<ErrorResponse>>> GetBatch(
        string id, [AsParameters] BatchServices services, CancellationToken cancellationToken)
    {
        var job = await GetLiveAsync(id, services, cancellationToken).ConfigureAwait(false);
        return job is null ? TypedResults.NotFound(BatchNotFound(id)) : TypedResults.Ok(job);
    }

    public static async Task<Results<Ok<BatchReport>, NotFound<ErrorResponse>, BadRequest<ErrorResponse>>> GetReport(
        string id, string? state, string? code, string? offset, string? limit, [AsParameters] BatchServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var filter = ParseFilter(state, code, errors);
        if (!TryParseBounded(offset, 0, 0, int.MaxValue, out var skip))
        {
            errors["offset"] = ["Offset must be a whole number from 0."];
        }

        if (!TryParseBounded(limit, DefaultReportLimit, 1, MaxReportLimit, out var take))
        {
            errors["limit"] = [$"Limit must be a whole number from 1 to {MaxReportLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(errors, "The report query is not valid."));
        }

        var job = await GetLiveAsync(id, services, cancellationToken).ConfigureAwait(false);
        if (job?.Batch is not { } batch)
        {
            return TypedResults.NotFound(BatchNotFound(id));
        }

        var store = services.Batches;
        var running = job.State == JobState.Running;
        List<BatchReportItem> items;
        long matched;
        if (filter.State is null && filter.Code is null)
        {
            var page = await store.GetItemsAsync(id, skip, take, cancellationToken).ConfigureAwait(false);
            var indexes = Enumerable.Range(0, page.Count).Select(i => (long)skip + i).ToArray();
            var results = await store.GetResultsAsync(id, indexes, cancellationToken).ConfigureAwait(false);
            var inFlight = running ? (await store.InFlightAsync(id, cancellationToken).ConfigureAwait(false)).ToHashSet() : [];
            items = [.. page.Select((item, i) => BatchReportItem.From(indexes[i], item, results[i], inFlight.Contains(indexes[i])))];
            matched = await store.ItemCountAsync(id, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            items = new List<BatchReportItem>(take);
            matched = 0;
            await foreach (var line in store.ReadReportAsync(id, filter.State, filter.Code, running, cancellationToken).ConfigureAwait(false))
            {
                if (matched >= skip && items.Count < take)
                {
                    items.Add(line);
                }

                matched++;
            }
        }

        return TypedResults.Ok(new BatchReport
        {
            Id = job.Id,
            State = job.State,
            Totals = BatchTotals.From(batch),
            CanResume = batch.CanResume,
            Offset = skip,
            Limit = take,
            Matched = matched,
            Items = items,
        });
    }

    public static async Task<IResult> DownloadReport(string id, string? state, string? code, bool csv, HttpContext context,
        BatchServices services)
    {
        var cancellationToken = context.RequestAborted;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var filter = ParseFilter(state, code, errors);
        if (errors.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(errors, "The report query is not valid."));
        }

        var job = await GetLiveAsync(id, services, cancellationToken).ConfigureAwait(false);
        if (job?.Batch is not { } batch)
        {
            return TypedResults.NotFound(BatchNotFound(id));
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = csv ? "text/csv; charset=utf-8" : "application/json";
        response.Headers.ContentDisposition = $"attachment; filename=\"batch-{job.Id}-report.{(csv ? "csv" : "json")}\"";
        var lines = services.Batches.ReadReportAsync(id, filter.State, filter.Code, job.State == JobState.Running, cancellationToken);
        if (csv)
        {
            await WriteCsvAsync(response.Body, lines, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteJsonAsync(response.BodyWriter, job, batch, lines, cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.Empty;
    }

    public static async Task<Results<Accepted<Job>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Resume(
        string id, [AsParameters] BatchServices services, PathPolicy paths, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var job = await GetLiveAsync(id, services, cancellationToken).ConfigureAwait(false);
        if (job?.Batch is null)
        {
            return TypedResults.NotFound(BatchNotFound(id));
        }

        // A directory batch's pair (an items batch: its first item) meets this caller's rules, as a new batch would.
        if (PathChecks.Refuse(paths, user, "The batch", ("source", "Source", job.Source), ("destination", "Destination", job.Destination)) is { } refused)
        {
            return refused;
        }

        if (job.State is not (JobState.PartiallyFailed or JobState.Canceled))
        {
            return TypedResults.Conflict(ApiErrors.Conflict(
                $"Batch '{job.Id}' is {job.State.ToWire()}; only a partially failed or canceled batch can be resumed."));
        }

        // Failures that may pass on another try run again; permanent ones stay in the report.
        await services.Batches.RequeueRetryableFailuresAsync(id, services.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        job = await GetLiveAsync(id, services, cancellationToken).ConfigureAwait(false);
        if (job?.Batch is not { } batch || job.State is not (JobState.PartiallyFailed or JobState.Canceled))
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"Batch '{id}' changed meanwhile; read it again."));
        }

        if (!batch.HasWorkLeft)
        {
            return TypedResults.Conflict(ApiErrors.Conflict(
                $"Batch '{job.Id}' has nothing left to resume: every item succeeded or failed for good. Retry the failed items instead."));
        }

        var resumed = JobStateMachine.Resume(job with { Batch = batch with { CanResume = true } }, services.Time);
        if (!await services.Batches.ResumeAsync(resumed, job.State, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"Batch '{id}' changed meanwhile; read it again."));
        }

        LogBatchResumed(services.Logger, id, job.State.ToWire());
        return TypedResults.Accepted(Location(id), resumed);
    }

    public static async Task<Results<Accepted<Job>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> RetryFailed(
        string id, [AsParameters] BatchServices services, PathPolicy paths, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var original = await GetLiveAsync(id, services, cancellationToken).ConfigureAwait(false);
        if (original?.Batch is not { } batch)
        {
            return TypedResults.NotFound(BatchNotFound(id));
        }

        if (!original.State.IsTerminal())
        {
            return TypedResults.Conflict(ApiErrors.Conflict(
                $"Batch '{id}' is {original.State.ToWire()}; retry its failed items once it has ended (or cancel it first)."));
        }

        var store = services.Batches;
        var failed = await store.IndexesInStateAsync(id, BatchItemState.Failed, 0, -1, cancellationToken).ConfigureAwait(false);
        if (failed.Count == 0)
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"Batch '{id}' has no failed items to retry."));
        }

        var newId = services.NewJobId();
        var committed = false;
        BatchItem? first = null;
        try
        {
            foreach (var chunk in failed.Chunk(BatchStore.ChunkSize))
            {
                var read = await store.GetItemsAtAsync(id, chunk, cancellationToken).ConfigureAwait(false);
                var checks = chunk.Zip(read).Where(p => p.Second is not null).SelectMany(p => new[]
                {
                    ($"items[{p.First}].source", "Source", (string?)p.Second!.Source),
                    ($"items[{p.First}].destination", "Destination", p.Second.Destination),
                });
                if (PathChecks.Refuse(paths, user, "The retry", checks) is { } refused)
                {
                    return refused; // nothing committed: the staged items are dropped below
                }

                var items = read.OfType<BatchItem>().ToList();
                first ??= items.FirstOrDefault();
                await store.StageItemsAsync(newId, items, cancellationToken).ConfigureAwait(false);
            }

            var total = await store.ItemCountAsync(newId, cancellationToken).ConfigureAwait(false);
            if (first is null || total == 0)
            {
                return TypedResults.Conflict(ApiErrors.Conflict($"Batch '{id}' has no failed items to retry."));
            }

            await store.CommitItemsAsync(newId, total, expanded: true, cancellationToken).ConfigureAwait(false);
            committed = true;
            var now = services.Time.GetUtcNow();
            var retry = new Job
            {
                Id = newId,
                Type = JobType.Batch,
                Source = first.Source,
                Destination = first.Destination,
                Options = original.Options,
                State = JobState.Queued,
                CreatedAt = now,
                UpdatedAt = now,
                MaxAttempts = services.Retry.Attempts,
                RetryOf = id,
                Batch = new BatchSummary
                {
                    Name = batch.Name is null ? $"Retry of {id}" : $"{batch.Name} (retry)",
                    Kind = BatchSummary.ItemsKind,
                    Total = total,
                    Pending = total,
                    RetryOf = id,
                    Options = batch.Options,
                },
            };
            if (!await services.Jobs.EnqueueAsync(retry, cancellationToken).ConfigureAwait(false))
            {
                committed = false;
                return TypedResults.Conflict(ApiErrors.Conflict($"A job with id '{newId}' exists already; try again."));
            }

            // Link back: the first batch lists the batches that retried it. Best effort against a concurrent change.
            for (var tries = 0; tries < 3; tries++)
            {
                var stored = await services.Jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
                if (stored?.Batch is not { } storedBatch)
                {
                    break;
                }

                var linked = stored with { Batch = storedBatch with { RetriedBy = [.. storedBatch.RetriedBy, newId] } };
                if (await services.Jobs.SaveAsync(linked, stored.State, null, cancellationToken).ConfigureAwait(false) == SaveResult.Saved)
                {
                    break;
                }
            }

            LogBatchRetry(services.Logger, newId, id, total);
            return TypedResults.Accepted(Location(newId), retry);
        }
        finally
        {
            if (!committed)
            {
                await DeleteQuietlyAsync(store, newId).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes what a refused or failed upload staged; a failure here (Redis gone) must not hide the first one.</summary>
    private static async Task DeleteQuietlyAsync(BatchStore store, string id)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await store.DeleteAsync(id, bound.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The staged list carries a TTL (BatchStore.StagingTtl): it goes away by itself.
        }
    }

    /// <summary>The batch job, its summary's counts brought up to date from the checkpoint; null when there is no such batch.</summary>
    private static async Task<Job?> GetLiveAsync(string id, BatchServices services, CancellationToken cancellationToken)
    {
        var job = IsJobId(id) ? await services.Jobs.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (job is not { Type: JobType.Batch, Batch: { } batch })
        {
            return null;
        }

        var checkpoint = await services.Batches.GetCheckpointAsync(id, cancellationToken).ConfigureAwait(false);
        var running = job.State == JobState.Running ? Math.Max(checkpoint.InFlight, 0) : 0;
        var live = batch.With(checkpoint.Counters, running, checkpoint.At) with { Expanding = batch.Expanding && !checkpoint.Expanded };
        if (job.State is JobState.PartiallyFailed or JobState.Canceled)
        {
            live = live with { CanResume = live.HasWorkLeft };
        }

        return job with { Batch = live };
    }

    private static (BatchItemState? State, string? Code) ParseFilter(string? state, string? code, Dictionary<string, string[]> errors)
    {
        BatchItemState? parsedState = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (BatchItemStates.TryParse(state.Trim(), out var s))
            {
                parsedState = s;
            }
            else
            {
                errors["state"] = [$"Unknown state '{Shorten(state)}': use one of {string.Join(", ", BatchItemStates.All.Select(x => x.ToWire()))}."];
            }
        }

        string? parsedCode = null;
        if (!string.IsNullOrWhiteSpace(code))
        {
            parsedCode = code.Trim().ToLowerInvariant();
            if (!ErrorCodes.All.Contains(parsedCode, StringComparer.Ordinal))
            {
                errors["code"] = [$"Unknown error code '{Shorten(code)}': use one of {string.Join(", ", ErrorCodes.All)}."];
            }
        }

        return (parsedState, parsedCode);
    }

    private static readonly string[] CsvColumns =
        ["index", "op", "source", "destination", "state", "code", "message", "attempts", "retryable", "suggestion", "finishedAt"];

    private static async Task WriteCsvAsync(Stream body, IAsyncEnumerable<BatchReportItem> lines, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync(string.Join(',', CsvColumns).AsMemory(), cancellationToken).ConfigureAwait(false);
            var count = 0;
            await foreach (var line in lines.ConfigureAwait(false))
            {
                string[] fields =
                [
                    line.Index.ToString(CultureInfo.InvariantCulture), line.Op.ToWire(), line.Source, line.Destination ?? "",
                    line.State.ToWire(), line.Code ?? "", line.Message ?? "", line.Attempts.ToString(CultureInfo.InvariantCulture),
                    line.Retryable ? "true" : "false", line.Suggestion ?? "",
                    line.FinishedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "",
                ];
                await writer.WriteLineAsync(string.Join(',', fields.Select(Csv)).AsMemory(), cancellationToken).ConfigureAwait(false);
                if (++count % 1000 == 0)
                {
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes through the response's pipe: the serializer's flushes only move bytes into it; the pipe is flushed here, asynchronously.</summary>
    private static async Task WriteJsonAsync(System.IO.Pipelines.PipeWriter body, Job job, BatchSummary batch, IAsyncEnumerable<BatchReportItem> lines,
        CancellationToken cancellationToken)
    {
        var writer = new Utf8JsonWriter(body);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("id", job.Id);
            writer.WriteString("state", job.State.ToWire());
            writer.WritePropertyName("totals");
            JsonSerializer.Serialize(writer, BatchTotals.From(batch), RcmdJsonContext.Default.BatchTotals);
            writer.WriteBoolean("canResume", batch.CanResume);
            writer.WriteStartArray("items");
            var count = 0;
            await foreach (var line in lines.ConfigureAwait(false))
            {
                JsonSerializer.Serialize(writer, line, RcmdJsonContext.Default.BatchReportItem);
                if (++count % 1000 == 0)
                {
                    writer.Flush();
                    await body.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused for spreadsheets.</summary>
    internal static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    private static BatchDirectory Trimmed(BatchDirectory directory) => directory with
    {
        Source = directory.Source?.Trim(),
        Destination = directory.Destination?.Trim(),
        Include = directory.Include is { Count: > 0 } include ? include : null,
        Exclude = directory.Exclude is { Count: > 0 } exclude ? exclude : null,
    };

    private static ErrorResponse BatchNotFound(string id) =>
        ErrorResponse.Create(ErrorCodes.NotFound, $"No batch with id '{Shorten(id)}'.");

    private static string Location(string id) => $"/api/batches/{id}";

    private static bool IsJobId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool TryParseBounded(string? value, int fallback, int min, int max, out int result)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            result = fallback;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= min && result <= max;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Batch {JobId} created ({BatchKind}, {ItemCount} items)")]
    private static partial void LogBatchCreated(ILogger logger, string jobId, string batchKind, long itemCount);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Batch {JobId} resumed (was {JobState})")]
    private static partial void LogBatchResumed(ILogger logger, string jobId, string jobState);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Batch {JobId} created to retry the failed items of batch {RetryOf} ({ItemCount} items)")]
    private static partial void LogBatchRetry(ILogger logger, string jobId, string retryOf, long itemCount);
}

/// <summary>What the batch endpoints need, bound with <c>[AsParameters]</c>.</summary>
public sealed class BatchServices(JobStore jobs, BatchStore batches, TimeProvider time, RetrySettings retry, ILogger<BatchServices> logger)
{
    public JobStore Jobs { get; } = jobs;
    public BatchStore Batches { get; } = batches;
    public TimeProvider Time { get; } = time;
    public RetrySettings Retry { get; } = retry;
    public ILogger<BatchServices> Logger { get; } = logger;

    /// <summary>A new batch id: a version-7 GUID (time-ordered) without dashes, as for jobs.</summary>
    public string NewJobId() => Guid.CreateVersion7(Time.GetUtcNow()).ToString("N");
}

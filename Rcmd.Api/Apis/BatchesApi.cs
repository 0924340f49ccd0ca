using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Api.Services;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Paths;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/batches</c>: submit a batch (a list of file operations, or a directory pair expanded by a Worker), read it and
/// its report, resume it, retry its failed items. A batch is a job of type <c>batch</c> (canceled through
/// <c>/api/jobs/{id}/cancel</c>); its items and results live in <see cref="BatchStore"/>. The contract is the README's "Batches" section.
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
            return JsonRequestBody.NotJson();
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

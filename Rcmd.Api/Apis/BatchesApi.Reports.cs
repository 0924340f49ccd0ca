using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;

namespace Rcmd.Api.Apis;

/// <summary>A batch and its report: one page of items, or every item streamed as CSV or JSON.</summary>
public static partial class BatchesApi
{
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
}

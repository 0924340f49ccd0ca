using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Api.Services;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Paths;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary>A batch again: resumed from its checkpoint, or its failed items as a new batch.</summary>
public static partial class BatchesApi
{
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
}

using Rcmd.Batches;
using Rcmd.Core.Tests.Storage;
using Rcmd.Failures;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Batches;

/// <summary>BatchStore against a real redis-server: results and counters change together, final results stay final.</summary>
[Collection(RedisCollection.Name)]
public sealed class BatchStoreTests(RedisFixture redis) : IDisposable
{
    private readonly StorageScope _scope = new(redis);

    private BatchStore Store => new(_scope.Connection);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _scope.Dispose();

    private static BatchItem Item(int i) => new() { Op = BatchOp.CopyFile, Source = $"/in/f{i}", Destination = $"/out/f{i}" };

    private static BatchItemResult Result(BatchItemState state, string? code = null, bool retryable = false, DateTimeOffset? due = null) =>
        new() { State = state, Code = code, Retryable = retryable, Attempts = 1, RoundAttempts = 1, DueAt = due, Message = code };

    private async Task<string> BatchAsync(int count)
    {
        var id = Guid.NewGuid().ToString("N");
        await Store.StageItemsAsync(id, [.. Enumerable.Range(0, count).Select(Item)], Ct);
        await Store.CommitItemsAsync(id, count, expanded: true, Ct);
        return id;
    }

    [Fact]
    public async Task Record_CountsEachResultOnce_AndNeverOverwritesAFinalOne()
    {
        var id = await BatchAsync(5);
        await Store.MarkInFlightAsync(id, [0, 1, 2], 3, _scope.Time.GetUtcNow(), Ct);

        Assert.Equal(new RecordOutcome(true, null), await Store.RecordAsync(id, 0, Result(BatchItemState.Succeeded), Ct));
        await Store.RecordAsync(id, 1, Result(BatchItemState.Failed, ErrorCodes.NotFound), Ct);
        await Store.RecordAsync(id, 2, Result(BatchItemState.Failed, ErrorCodes.AccessDenied, retryable: true), Ct);
        // A second writer (a Worker that lost the batch) changes nothing.
        Assert.Equal(RecordOutcome.Unchanged, await Store.RecordAsync(id, 0, Result(BatchItemState.Failed, ErrorCodes.Unknown), Ct));

        var checkpoint = await Store.GetCheckpointAsync(id, Ct);
        Assert.Equal(new BatchCounters(5, 1, 2, 0, 0, 1, checkpoint.Counters.FailedByCode), checkpoint.Counters);
        Assert.Equal(new Dictionary<string, long> { [ErrorCodes.NotFound] = 1, [ErrorCodes.AccessDenied] = 1 }, checkpoint.Counters.FailedByCode);
        Assert.Equal(0, checkpoint.InFlight); // each result left the in-flight set with its write
        Assert.Equal([1L, 2L], await Store.IndexesInStateAsync(id, BatchItemState.Failed, 0, -1, Ct));
    }

    [Fact]
    public async Task RecordMany_WritesEveryItemInOneStep_OutcomesInOrder_FinalResultsStay()
    {
        var id = await BatchAsync(6);
        await Store.MarkInFlightAsync(id, [0, 1, 2, 3, 4], 5, _scope.Time.GetUtcNow(), Ct);
        await Store.RecordAsync(id, 0, Result(BatchItemState.Succeeded), Ct);
        await Store.RecordAsync(id, 1, Result(BatchItemState.RetryQueued, ErrorCodes.NetworkError, true, _scope.Time.GetUtcNow()), Ct);

        var outcomes = await Store.RecordManyAsync(id,
        [
            new BatchRecord(0, Result(BatchItemState.Failed, ErrorCodes.Unknown)), // final already: unchanged
            new BatchRecord(1, Result(BatchItemState.Succeeded)),
            new BatchRecord(2, Result(BatchItemState.Failed, ErrorCodes.AccessDenied, retryable: true)),
            new BatchRecord(3, Result(BatchItemState.Skipped)),
            new BatchRecord(4, Result(BatchItemState.Succeeded)),
        ], Ct);

        Assert.Equal(
            [RecordOutcome.Unchanged, new RecordOutcome(true, BatchItemState.RetryQueued), new RecordOutcome(true, null),
             new RecordOutcome(true, null), new RecordOutcome(true, null)],
            outcomes);
        var checkpoint = await Store.GetCheckpointAsync(id, Ct);
        Assert.Equal((3L, 1L, 1L, 0L, 1L), (checkpoint.Counters.Succeeded, checkpoint.Counters.Failed, checkpoint.Counters.Skipped,
            checkpoint.Counters.RetryQueued, checkpoint.Counters.RetryableFailed));
        Assert.Equal(0, checkpoint.InFlight);
        Assert.Null(await Store.NextDueAsync(id, Ct)); // item 1 left the retry queue with its success
        Assert.Empty(await Store.RecordManyAsync(id, [], Ct));
    }

    [Fact]
    public async Task RetryQueued_ClaimedWhenDue_ThenSucceeded_MovesTheCounts()
    {
        var id = await BatchAsync(3);
        var now = _scope.Time.GetUtcNow();
        await Store.RecordAsync(id, 1, Result(BatchItemState.RetryQueued, ErrorCodes.NetworkError, true, now.AddSeconds(10)), Ct);

        Assert.Empty(await Store.ClaimDueAsync(id, now, 10, Ct));
        Assert.Equal(now.AddSeconds(10), await Store.NextDueAsync(id, Ct));
        Assert.Equal([1L], await Store.ClaimDueAsync(id, now.AddSeconds(10), 10, Ct));
        Assert.Equal([1L], await Store.InFlightAsync(id, Ct));
        Assert.Null(await Store.NextDueAsync(id, Ct));

        var outcome = await Store.RecordAsync(id, 1, Result(BatchItemState.Succeeded), Ct);

        Assert.Equal(BatchItemState.RetryQueued, outcome.Previous);
        var counters = (await Store.GetCheckpointAsync(id, Ct)).Counters;
        Assert.Equal((1L, 0L), (counters.Succeeded, counters.RetryQueued));
        Assert.Empty(await Store.InFlightAsync(id, Ct));
    }

    [Fact]
    public async Task RequeueRetryableFailures_OnlyRetryableOnes_WithAFreshRound()
    {
        var id = await BatchAsync(3);
        await Store.RecordAsync(id, 0, Result(BatchItemState.Failed, ErrorCodes.NetworkError, retryable: true) with { RoundAttempts = 3 }, Ct);
        await Store.RecordAsync(id, 1, Result(BatchItemState.Failed, ErrorCodes.AccessDenied), Ct);

        Assert.Equal(1, await Store.RequeueRetryableFailuresAsync(id, _scope.Time.GetUtcNow(), Ct));

        var results = await Store.GetResultsAsync(id, [0, 1, 2], Ct);
        Assert.Equal(BatchItemState.RetryQueued, results[0]!.State);
        Assert.Equal(0, results[0]!.RoundAttempts);
        Assert.Equal(1, results[0]!.Attempts);
        Assert.Equal(BatchItemState.Failed, results[1]!.State);
        Assert.Null(results[2]);
        var counters = (await Store.GetCheckpointAsync(id, Ct)).Counters;
        Assert.Equal((1L, 1L, 0L), (counters.Failed, counters.RetryQueued, counters.RetryableFailed));
        Assert.Equal(new Dictionary<string, long> { [ErrorCodes.AccessDenied] = 1 }, counters.FailedByCode);
    }

    [Fact]
    public async Task ReadReport_FiltersByStateAndCode_InOrder()
    {
        var id = await BatchAsync(6);
        await Store.RecordAsync(id, 0, Result(BatchItemState.Succeeded), Ct);
        await Store.RecordAsync(id, 4, Result(BatchItemState.Failed, ErrorCodes.NotFound), Ct);
        await Store.RecordAsync(id, 2, Result(BatchItemState.Failed, ErrorCodes.AccessDenied), Ct);
        await Store.MarkInFlightAsync(id, [5], 6, _scope.Time.GetUtcNow(), Ct);

        var all = await Store.ReadReportAsync(id, null, null, running: true, Ct).ToListAsync(Ct);
        var failed = await Store.ReadReportAsync(id, BatchItemState.Failed, null, true, Ct).ToListAsync(Ct);
        var notFound = await Store.ReadReportAsync(id, null, ErrorCodes.NotFound, true, Ct).ToListAsync(Ct);
        var pending = await Store.ReadReportAsync(id, BatchItemState.Pending, null, true, Ct).ToListAsync(Ct);

        Assert.Equal([0L, 1, 2, 3, 4, 5], all.Select(i => i.Index));
        Assert.Equal(BatchItemState.Running, all[5].State);
        Assert.Equal("/in/f4", all[4].Source);
        Assert.Equal([2L, 4], failed.Select(i => i.Index));
        Assert.Equal([4L], notFound.Select(i => i.Index));
        Assert.Equal([1L, 3], pending.Select(i => i.Index));
    }

    [Fact]
    public async Task Delete_LeavesNothingBehind()
    {
        var id = await BatchAsync(3);
        await Store.RecordAsync(id, 0, Result(BatchItemState.RetryQueued, ErrorCodes.NetworkError, true, _scope.Time.GetUtcNow()), Ct);
        await Store.MarkInFlightAsync(id, [1], 2, _scope.Time.GetUtcNow(), Ct);

        await Store.DeleteAsync(id, Ct);

        var keys = _scope.Keys;
        string[] all =
        [
            keys.BatchItems(id), keys.BatchResults(id), keys.BatchCheckpoint(id), keys.BatchInFlight(id), keys.BatchDue(id),
            .. BatchItemStates.Recorded.Select(s => keys.BatchItemsInState(id, s)),
        ];
        foreach (var key in all)
        {
            Assert.False(await _scope.Connection.Database.KeyExistsAsync(key), key);
        }
    }

    [Fact]
    public async Task StagedItems_ExpireUnlessCommitted()
    {
        var id = Guid.NewGuid().ToString("N");
        await Store.StageItemsAsync(id, [Item(0)], Ct);
        Assert.NotNull(await _scope.Connection.Database.KeyTimeToLiveAsync(_scope.Keys.BatchItems(id)));

        await Store.CommitItemsAsync(id, 1, true, Ct);

        Assert.Null(await _scope.Connection.Database.KeyTimeToLiveAsync(_scope.Keys.BatchItems(id)));
        Assert.Equal(1, (await Store.GetCheckpointAsync(id, Ct)).Counters.Total);
    }

    [Fact]
    public async Task Cursor_OnlyMovesForward()
    {
        var id = await BatchAsync(3);
        await Store.SetCursorAsync(id, 2, _scope.Time.GetUtcNow(), Ct);
        await Store.SetCursorAsync(id, 1, _scope.Time.GetUtcNow(), Ct);

        Assert.Equal(2, (await Store.GetCheckpointAsync(id, Ct)).Cursor);
    }

    [Fact]
    public async Task MarkInFlight_PutsTheItemsInFlightAndMovesTheCursorForwardOnly()
    {
        var id = await BatchAsync(40);
        await Store.MarkInFlightAsync(id, [16, 17, 18], 32, _scope.Time.GetUtcNow(), Ct);
        await Store.MarkInFlightAsync(id, [3], 16, _scope.Time.GetUtcNow(), Ct); // a late, lower cursor

        var checkpoint = await Store.GetCheckpointAsync(id, Ct);
        Assert.Equal(32, checkpoint.Cursor);
        Assert.Equal(4, checkpoint.InFlight);
        Assert.Equal([3L, 16, 17, 18], await Store.InFlightAsync(id, Ct));
        Assert.NotNull(checkpoint.At);
    }
}

/// <summary>RemoteSemaphore against a real redis-server: limits hold, all-or-none, a dead holder's permits expire.</summary>
[Collection(RedisCollection.Name)]
public sealed class RemoteSemaphoreTests(RedisFixture redis) : IDisposable
{
    private readonly StorageScope _scope = new(redis);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task Acquire_UpToTheLimit_ThenRefused_UntilReleased()
    {
        var semaphore = new RemoteSemaphore(_scope.Connection, _scope.Time);
        var lease = TimeSpan.FromSeconds(30);

        Assert.True(await semaphore.TryAcquireAsync([("s3", 2)], "a", lease, Ct));
        Assert.True(await semaphore.TryAcquireAsync([("s3", 2)], "b", lease, Ct));
        Assert.False(await semaphore.TryAcquireAsync([("s3", 2)], "c", lease, Ct));
        Assert.Equal(2, await semaphore.HeldAsync("s3", Ct));

        await semaphore.ReleaseAsync(["s3"], "a", Ct);
        Assert.True(await semaphore.TryAcquireAsync([("s3", 2)], "c", lease, Ct));
    }

    [Fact]
    public async Task Acquire_TwoRemotes_AllOrNone()
    {
        var semaphore = new RemoteSemaphore(_scope.Connection, _scope.Time);
        var lease = TimeSpan.FromSeconds(30);
        Assert.True(await semaphore.TryAcquireAsync([("gcs", 1)], "x", lease, Ct));

        Assert.False(await semaphore.TryAcquireAsync([("local", 5), ("gcs", 1)], "y", lease, Ct));

        Assert.Equal(0, await semaphore.HeldAsync("local", Ct)); // nothing taken on the free remote either
    }

    [Fact]
    public async Task DeadHolder_PermitExpires_UnlessRenewed()
    {
        var semaphore = new RemoteSemaphore(_scope.Connection, _scope.Time);
        var lease = TimeSpan.FromSeconds(10);
        Assert.True(await semaphore.TryAcquireAsync([("s3", 1)], "alive", lease, Ct));
        _scope.Time.Advance(TimeSpan.FromSeconds(8));
        await semaphore.RenewAsync(["s3"], "alive", lease, Ct);
        _scope.Time.Advance(TimeSpan.FromSeconds(8));
        Assert.False(await semaphore.TryAcquireAsync([("s3", 1)], "other", lease, Ct)); // renewed: still held

        _scope.Time.Advance(TimeSpan.FromSeconds(3)); // the holder stopped renewing (died)
        Assert.True(await semaphore.TryAcquireAsync([("s3", 1)], "other", lease, Ct));
    }
}

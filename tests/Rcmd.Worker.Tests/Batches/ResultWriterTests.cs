using Rcmd.Batches;
using Rcmd.Storage;
using Rcmd.Testing;
using Rcmd.Worker.Batches;

namespace Rcmd.Worker.Tests.Batches;

/// <summary>The batch's result writer against a real redis-server: results that arrive together are written together.</summary>
public sealed class ResultWriterTests : IAsyncLifetime
{
    private readonly RedisServer _server = new();
    private RedisConnection? _redis;

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _redis = new RedisConnection(_server.ConnectionString, new RedisKeys());
    }

    public Task DisposeAsync()
    {
        _redis?.Dispose();
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ResultsArrivingTogether_AreWrittenInFewScriptCalls_EachCountedOnce()
    {
        var store = new BatchStore(_redis!);
        const int count = 200;
        var id = Guid.NewGuid().ToString("N");
        await store.StageItemsAsync(id, [.. Enumerable.Range(0, count).Select(i => new BatchItem { Op = BatchOp.CopyFile, Source = $"/a/{i}", Destination = $"/b/{i}" })],
            CancellationToken.None);
        await store.CommitItemsAsync(id, count, expanded: true, CancellationToken.None);
        await store.MarkInFlightAsync(id, [.. Enumerable.Range(0, count).Select(i => (long)i)], count, DateTimeOffset.UtcNow, CancellationToken.None);
        var before = ScriptCalls();
        var writer = new ResultWriter(store, id);

        var writes = Enumerable.Range(0, count)
            .Select(i => writer.WriteAsync(i, new BatchItemResult { State = BatchItemState.Succeeded, Attempts = 1, RoundAttempts = 1 }))
            .ToList();
        var outcomes = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));
        var again = await writer.WriteAsync(0, new BatchItemResult { State = BatchItemState.Failed, Code = "unknown", Attempts = 2 });

        Assert.All(outcomes, o => Assert.Equal(new RecordOutcome(true, null), o));
        Assert.Equal(RecordOutcome.Unchanged, again);
        var checkpoint = await store.GetCheckpointAsync(id, CancellationToken.None);
        Assert.Equal((200L, 0L, 0L), (checkpoint.Counters.Succeeded, checkpoint.Counters.Failed, checkpoint.InFlight));
        var calls = ScriptCalls() - before;
        // The first write goes out alone and the ones queued behind it go in groups of at most 64 (4 calls at the very
        // least for 200); one call per item would be 201.
        Assert.InRange(calls, (int)Math.Ceiling(count / (double)ResultWriter.MaxGroup), 20);
    }

    [Fact]
    public async Task StoreDown_FailsTheWaitsWithTheStoresError_NothingHangs()
    {
        var store = new BatchStore(_redis!);
        var writer = new ResultWriter(store, Guid.NewGuid().ToString("N"));
        _server.Stop();

        var writes = Enumerable.Range(0, 10)
            .Select(i => writer.WriteAsync(i, new BatchItemResult { State = BatchItemState.Succeeded, Attempts = 1 }))
            .ToList();

        foreach (var write in writes)
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => write.WaitAsync(TimeSpan.FromSeconds(45)));
            Assert.True(error is StackExchange.Redis.RedisException or TimeoutException, error.ToString());
        }
    }

    /// <summary>EVAL + EVALSHA calls the server has run (INFO commandstats).</summary>
    private int ScriptCalls()
    {
        var stats = _server.Cli("INFO", "commandstats");
        return stats.Split('\n')
            .Where(line => line.StartsWith("cmdstat_eval:", StringComparison.Ordinal) || line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))
            .Sum(line => int.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
    }
}

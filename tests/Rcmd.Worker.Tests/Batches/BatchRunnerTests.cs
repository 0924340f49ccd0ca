using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Batches;

/// <summary>
/// Batches run by real Worker processes against a real redis-server and rclone rcd: every item ends with a durable result,
/// the counts equal the files on disk, the stop rule stops a failing batch, and a resumed or adopted batch re-does no
/// finished item.
/// </summary>
public sealed class BatchRunnerTests : IAsyncLifetime
{
    private readonly WorkerFixture _system = new();
    private RedisConnection? _redis;

    private BatchStore Batches => new(_redis!);

    private static CancellationToken Ct => CancellationToken.None;

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        _redis = new RedisConnection(_system.Redis.ConnectionString, new RedisKeys());
    }

    public async Task DisposeAsync()
    {
        _redis?.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task TwoHundredItems_Succeed_ReportCountsEqualTheFilesOnDisk()
    {
        await _system.StartWorkerAsync("batch-a");
        var source = _system.MakeFiles("b200-src", 200, size: 1024);
        var destination = _system.Data.Combine("b200-dst");
        var items = Enumerable.Range(0, 200).Select(i => Copy(source, destination, $"file-{i:D3}.bin")).ToList();

        var job = await EnqueueBatchAsync(items, new BatchOptions { Concurrency = 8, CheckpointEvery = 10 });
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(60));

        var batch = done.Batch!;
        Assert.Equal((200L, 200L, 0L, 0L, 0L), (batch.Total, batch.Succeeded, batch.Failed, batch.Pending, batch.RetryQueued));
        Assert.False(batch.CanResume);
        Assert.Equal(200, Directory.GetFiles(destination).Length);
        var results = await Batches.GetResultsAsync(job.Id, [.. Enumerable.Range(0, 200).Select(i => (long)i)], Ct);
        Assert.All(results, r => Assert.Equal((BatchItemState.Succeeded, 1), (r!.State, r.Attempts)));
        Assert.Empty(await Batches.InFlightAsync(job.Id, Ct));
        var runs = await _system.RcdRunsAsync();
        Assert.Equal(200, runs[job.Id].Count()); // one rcd call per item
    }

    [Fact]
    public async Task StopRule_TargetFailingSixtyPercent_StopsResumable_ThenResumeAfterTheFixCompletes()
    {
        await _system.StartWorkerAsync("batch-stop");
        var source = _system.MakeFiles("stop-src", 100, size: 256);
        var destination = _system.Data.Combine("stop-dst");
        Directory.CreateDirectory(destination);
        var blocker = Path.Combine(destination, "blocked");
        await File.WriteAllTextAsync(blocker, "a file where a directory should be");
        // 3 of every 5 items write under "blocked/sub/", where "blocked" is a file: rclone fails them ("not a directory").
        // (Two levels: rcd caches the Fs of a path that named a file, so "blocked/" itself would stay broken after the fix.)
        var items = Enumerable.Range(0, 100).Select(i => new BatchItem
        {
            Op = BatchOp.CopyFile,
            Source = Path.Combine(source, $"file-{i:D3}.bin"),
            Destination = i % 5 < 3 ? Path.Combine(blocker, "sub", $"file-{i:D3}.bin") : Path.Combine(destination, $"file-{i:D3}.bin"),
        }).ToList();

        var job = await EnqueueBatchAsync(items, new BatchOptions
        {
            Concurrency = 2,
            StopRule = new BatchStopRule { MinItems = 20, MaxFailureRatio = 0.5 },
        });
        var stopped = await _system.WaitForStateAsync(job.Id, JobState.PartiallyFailed, TimeSpan.FromSeconds(60));

        var batch = stopped.Batch!;
        Assert.Equal(BatchSummary.StopRuleReason, batch.StopReason);
        Assert.True(batch.CanResume);
        Assert.InRange(batch.Succeeded + batch.Failed, 20, 40); // stopped soon after minItems, not after hammering all 100
        Assert.True(batch.Pending >= 60, $"pending {batch.Pending}");
        // A file where a directory is expected is a conflict (issue 16's labelling rules).
        Assert.Equal(ErrorCodes.Conflict, Assert.Single(batch.FailedByCode).Key);
        Assert.Contains("stop rule", stopped.Error!.Message, StringComparison.OrdinalIgnoreCase);
        var finishedBefore = await FinishedResultsAsync(job.Id);

        // Fix the target, resume (what POST /api/batches/{id}/resume does).
        File.Delete(blocker);
        await ResumeAsync(stopped);
        var ended = await _system.WaitForJobAsync(job.Id, j => j.State.IsTerminal() && j.Attempt == 2, TimeSpan.FromSeconds(60),
            "the resumed batch to end");

        // Permanent failures stay failed; everything that had not run ran; nothing that had finished ran again.
        var final = ended.Batch!;
        Assert.Equal(JobState.PartiallyFailed, ended.State);
        Assert.Equal((0L, 0L, batch.Failed), (final.Pending, final.RetryQueued, final.Failed));
        Assert.Equal(100 - batch.Failed, final.Succeeded);
        Assert.False(final.CanResume);
        Assert.Equal(final.Succeeded, Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Length);
        var after = await FinishedResultsAsync(job.Id);
        Assert.All(finishedBefore, pair => Assert.Equal(pair.Value, after[pair.Key]));
        Assert.Equal(100, (await _system.RcdRunsAsync())[job.Id].Count()); // 100 items, 100 rcd calls over both runs
    }

    [Fact]
    public async Task WorkerKilledMidBatch_AnotherWorkerAdoptsIt_NoFinishedItemRunsAgain()
    {
        var first = await _system.StartWorkerAsync("batch-kill-a");
        const int count = 1500;
        var source = _system.MakeFiles("kill-src", count, size: 1024);
        var destination = _system.Data.Combine("kill-dst");
        var items = Enumerable.Range(0, count).Select(i => Copy(source, destination, $"file-{i:D3}.bin")).ToList();
        const int concurrency = 2;

        var job = await EnqueueBatchAsync(items, new BatchOptions { Concurrency = concurrency });
        await Wait.UntilAsync(async () => (await Batches.GetCheckpointAsync(job.Id, Ct)).Counters.Succeeded >= 100,
            TimeSpan.FromSeconds(60), "100 items done", () => _system.Diagnostics());
        first.Kill();
        var doneAtKill = await FinishedResultsAsync(job.Id);
        Assert.InRange(doneAtKill.Count, 100, count - 1);

        await _system.StartWorkerAsync("batch-kill-b");
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(90));

        Assert.Equal((count, (long)count, 0L), (done.Batch!.Total, done.Batch.Succeeded, done.Batch.Failed));
        Assert.Equal(count, Directory.GetFiles(destination).Length);
        var after = await FinishedResultsAsync(job.Id);
        Assert.All(doneAtKill, pair => Assert.Equal(pair.Value, after[pair.Key])); // results written before the kill untouched
        // rcd ran each item once, plus at most the items that were in flight when the Worker died: those in rcd (the
        // concurrency) and those rcd had answered whose results were still being written (as many again).
        var calls = (await _system.RcdRunsAsync())[job.Id].Count();
        Assert.InRange(calls, count, count + (2 * concurrency));
    }

    [Fact]
    public async Task DirectoryPair_ExpandedWithFilters_CopiesTheMatchingFiles()
    {
        await _system.StartWorkerAsync("batch-dir");
        var source = _system.MakeFiles("dir-src", 30, size: 64);
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        await File.WriteAllTextAsync(Path.Combine(source, "sub", "deep.bin"), "deep");
        await File.WriteAllTextAsync(Path.Combine(source, "skip.txt"), "not a .bin");
        var destination = _system.Data.Combine("dir-dst");

        var job = await EnqueueBatchAsync([], new BatchOptions(), new BatchDirectory
        {
            Source = source,
            Destination = destination,
            Include = ["*.bin"],
            Exclude = ["file-00*"],
        });
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(60));

        Assert.Equal(21L, done.Batch!.Total); // file-010 … file-029 and sub/deep.bin
        Assert.False(done.Batch.Expanding);
        Assert.True(File.Exists(Path.Combine(destination, "sub", "deep.bin")));
        Assert.False(File.Exists(Path.Combine(destination, "skip.txt")));
        Assert.False(File.Exists(Path.Combine(destination, "file-005.bin")));
        Assert.Equal(21, Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task MoveAndDelete_Items_DoWhatTheySay()
    {
        await _system.StartWorkerAsync("batch-ops");
        var source = _system.MakeFiles("ops-src", 4, size: 32);
        var destination = _system.Data.Combine("ops-dst");
        BatchItem[] items =
        [
            new() { Op = BatchOp.MoveFile, Source = Path.Combine(source, "file-000.bin"), Destination = Path.Combine(destination, "moved.bin") },
            new() { Op = BatchOp.DeleteFile, Source = Path.Combine(source, "file-001.bin") },
            new() { Op = BatchOp.CopyFile, Source = Path.Combine(source, "missing.bin"), Destination = Path.Combine(destination, "missing.bin") },
        ];

        var job = await EnqueueBatchAsync([.. items], new BatchOptions { StopRule = new BatchStopRule { MinItems = 100 } });
        var ended = await _system.WaitForStateAsync(job.Id, JobState.PartiallyFailed, TimeSpan.FromSeconds(60));

        Assert.True(File.Exists(Path.Combine(destination, "moved.bin")));
        Assert.False(File.Exists(Path.Combine(source, "file-000.bin")));
        Assert.False(File.Exists(Path.Combine(source, "file-001.bin")));
        Assert.Equal((2L, 1L), (ended.Batch!.Succeeded, ended.Batch.Failed));
        var missing = (await Batches.GetResultsAsync(job.Id, [2], Ct))[0]!;
        Assert.Equal((BatchItemState.Failed, ErrorCodes.NotFound), (missing.State, missing.Code));
        Assert.False(string.IsNullOrEmpty(missing.Suggestion));
    }

    [Fact]
    public async Task Cancel_RunningBatch_AbortsKeepsTheReport_ThenResumeFinishesIt()
    {
        await _system.StartWorkerAsync("batch-cancel");
        const int count = 1500;
        var source = _system.MakeFiles("cancel-src", count, size: 1024);
        var destination = _system.Data.Combine("cancel-dst");
        var items = Enumerable.Range(0, count).Select(i => Copy(source, destination, $"file-{i:D3}.bin")).ToList();

        var job = await EnqueueBatchAsync(items, new BatchOptions { Concurrency = 2 });
        await Wait.UntilAsync(async () => (await Batches.GetCheckpointAsync(job.Id, Ct)).Counters.Succeeded >= 50,
            TimeSpan.FromSeconds(60), "50 items done", () => _system.Diagnostics());
        await _system.Store.RequestCancelAsync(job.Id, Ct);
        var canceled = await _system.WaitForStateAsync(job.Id, JobState.Canceled, TimeSpan.FromSeconds(30));

        var batch = canceled.Batch!;
        Assert.True(batch.CanResume);
        Assert.InRange(batch.Succeeded, 50, count - 1);
        Assert.Equal(count - batch.Succeeded, batch.Pending);
        Assert.Equal(batch.Succeeded, (await FinishedResultsAsync(job.Id)).Count); // the counts are the results
        // An aborted call may still have finished in rcd: at most the items in flight are on disk without a result.
        Assert.InRange(Directory.GetFiles(destination).Length, batch.Succeeded, batch.Succeeded + 2);
        Assert.False(await _system.Store.IsCancelRequestedAsync(job.Id, Ct));

        await ResumeAsync(canceled);
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(90));
        Assert.Equal(count, done.Batch!.Succeeded);
        Assert.Equal(count, Directory.GetFiles(destination).Length);
    }

    [Fact]
    public async Task RemoteLimit_HoldsAcrossWorkersAndBatches()
    {
        var settings = new Dictionary<string, string> { ["Batches__Remotes__local"] = "3" };
        await Task.WhenAll(_system.StartWorkerAsync("limit-a", settings), _system.StartWorkerAsync("limit-b", settings));
        var source = _system.MakeFiles("limit-src", 400, size: 1024);
        var jobs = new List<Job>();
        for (var b = 0; b < 2; b++)
        {
            var destination = _system.Data.Combine($"limit-dst-{b}");
            jobs.Add(await EnqueueBatchAsync([.. Enumerable.Range(0, 400).Select(i => Copy(source, destination, $"file-{i:D3}.bin"))],
                new BatchOptions { Concurrency = 8 }));
        }

        var semaphore = new RemoteSemaphore(_redis!, TimeProvider.System);
        long peak = 0;
        var sampled = 0;
        while (true)
        {
            peak = Math.Max(peak, await semaphore.HeldAsync("local", Ct));
            sampled++;
            var states = await Task.WhenAll(jobs.Select(j => _system.Store.GetAsync(j.Id, Ct)));
            if (states.All(j => j!.State == JobState.Succeeded))
            {
                break;
            }

            Assert.True(sampled < 20_000, "batches did not finish");
            await Task.Delay(2);
        }

        Assert.InRange(peak, 1, 3); // never more than the limit, across both Workers and both batches
        Assert.Equal(0, await semaphore.HeldAsync("local", Ct)); // every permit given back
    }

    private static BatchItem Copy(string source, string destination, string name) =>
        new() { Op = BatchOp.CopyFile, Source = Path.Combine(source, name), Destination = Path.Combine(destination, name) };

    /// <summary>Stores the items and queues the batch job, as POST /api/batches does.</summary>
    private async Task<Job> EnqueueBatchAsync(IReadOnlyList<BatchItem> items, BatchOptions options, BatchDirectory? directory = null)
    {
        var id = Guid.NewGuid().ToString("N");
        foreach (var chunk in items.Chunk(BatchStore.ChunkSize))
        {
            await Batches.StageItemsAsync(id, chunk, Ct);
        }

        await Batches.CommitItemsAsync(id, items.Count, expanded: directory is null, Ct);
        var now = DateTimeOffset.UtcNow;
        var job = new Job
        {
            Id = id,
            Type = JobType.Batch,
            Source = directory?.Source ?? items[0].Source,
            Destination = directory?.Destination ?? items[0].Destination,
            State = JobState.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            Batch = new BatchSummary
            {
                Kind = directory is null ? BatchSummary.ItemsKind : BatchSummary.DirectoryKind,
                Op = directory is null ? null : BatchOp.CopyFile,
                Directory = directory,
                Expanding = directory is not null,
                Total = items.Count,
                Pending = items.Count,
                Options = options,
            },
        };
        Assert.True(await _system.Store.EnqueueAsync(job, Ct));
        return job;
    }

    /// <summary>What POST /api/batches/{id}/resume does.</summary>
    private async Task ResumeAsync(Job ended)
    {
        await Batches.RequeueRetryableFailuresAsync(ended.Id, DateTimeOffset.UtcNow, Ct);
        var resumed = JobStateMachine.Resume(ended, TimeProvider.System);
        Assert.True(await Batches.ResumeAsync(resumed, ended.State, Ct));
    }

    /// <summary>Every item with a final result, index → its stored result.</summary>
    private async Task<Dictionary<long, BatchItemResult>> FinishedResultsAsync(string id)
    {
        var finished = new Dictionary<long, BatchItemResult>();
        foreach (var state in new[] { BatchItemState.Succeeded, BatchItemState.Failed, BatchItemState.Skipped })
        {
            var indexes = await Batches.IndexesInStateAsync(id, state, 0, -1, Ct);
            var results = await Batches.GetResultsAsync(id, indexes, Ct);
            for (var i = 0; i < indexes.Count; i++)
            {
                finished[indexes[i]] = results[i]!;
            }
        }

        return finished;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Batches;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;

namespace Rcmd.Worker.Batches;

/// <summary>
/// One run of one batch in this Worker. Items come, in this order, from: the items that were in flight when the
/// previous run stopped (re-run if copyfile; a movefile/deletefile is checked first), the retry queue when due, and the
/// item list from the checkpoint's cursor. Before a group of fresh items is dispatched it enters the in-flight set, so the
/// cursor may move past it; each item runs as one synchronous rcd call under the batch's concurrency, a permit on every
/// remote it touches (<see cref="RemoteSemaphore"/>) and the remotes' circuit breakers; its result is written (and
/// counted, in the same step) before it leaves the in-flight set and before the run ends (the next item's call starts
/// as soon as rcd has answered). A checkpoint loop saves the cursor and the job's summary at
/// least every <see cref="BatchOptions.CheckpointEvery"/> results or <see cref="BatchEngineOptions.CheckpointInterval"/>,
/// and watches for a cancel request.
/// </summary>
internal sealed partial class BatchRun
{
    private const int ScanChunk = 256;
    private static readonly TimeSpan DueCheckInterval = TimeSpan.FromMilliseconds(250);

    private readonly BatchRunner _runner;
    private readonly BatchOptions _options;
    private readonly string _id;
    private readonly string _group;
    private readonly object _gate = new();
    private readonly Queue<(long Index, BatchItem Item, BatchItemResult? Previous, bool Check)> _ready = new();

    // Items whose step met an outage (rcd or the store not answering), given back by their slot for the dispatch loop.
    private readonly ConcurrentQueue<(long Index, BatchItem Item, BatchItemResult? Previous, bool Check)> _returned = new();
    private readonly Dictionary<string, DateTimeOffset> _pausedRemotes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _permits = new(StringComparer.Ordinal);
    private readonly List<(string Holder, IReadOnlyList<string> Remotes)> _idlePermits = [];
    private readonly SemaphoreSlim _checkpointSignal = new(0);
    private readonly ResultWriter _writer;
    private Job _job;
    private BatchCounters _counters = BatchCounters.Empty;

    // The outcomes of this run's rcd calls: the stop rule judges what this run did (a resume starts afresh).
    private long _runFinished;
    private long _runFailed;

    // The first item not yet read from the list: the checkpoint's cursor (saved with the items it put in flight).
    private long _scanned;
    private long _total;
    private int _inFlight;
    private int _recording;
    private long _sinceCheckpoint;
    private long _holderSequence;
    private long _lastPublish;
    private long _recorded;
    private long _lastDueCheck;
    private TimeSpan? _outagePause;
    private DateTimeOffset _pausedUntil;
    private volatile bool _stopped;
    private volatile bool _canceled;
    private volatile bool _lost;

    public BatchRun(BatchRunner runner, Job job)
    {
        _runner = runner;
        _job = job;
        _id = job.Id;
        _options = job.Batch?.Options ?? new BatchOptions();
        _group = BatchRunner.Group(job);
        _writer = new ResultWriter(runner.Batches, job.Id);
    }

    private BatchStore Store => _runner.Batches;
    private TimeProvider Time => _runner.Time;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var items = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var checkpointStop = new CancellationTokenSource();
        var checkpointLoop = Task.Run(() => CheckpointLoopAsync(items, checkpointStop.Token), CancellationToken.None);
        try
        {
            if (!await PrepareAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            long lastRecorded = -1;
            var stalled = 0;
            while (true)
            {
                await DispatchAsync(items.Token).ConfigureAwait(false);
                if (_lost || _stopped || _canceled || items.Token.IsCancellationRequested)
                {
                    break;
                }

                // Nothing left to dispatch, but items may still be in flight without a result (a step that met an outage the
                // run could not give back, a claim whose answer was lost): run them before the batch ends. A round that
                // recorded nothing three times over (an item that keeps failing without a result) ends the run; resume runs them.
                var recorded = Interlocked.Read(ref _recorded);
                stalled = recorded == lastRecorded ? stalled + 1 : 0;
                lastRecorded = recorded;
                if (stalled >= 3 || await LeftoversAsync(items.Token).ConfigureAwait(false) == 0)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (items.Token.IsCancellationRequested)
        {
        }
        finally
        {
            await checkpointStop.CancelAsync().ConfigureAwait(false);
            _checkpointSignal.Release();
            await checkpointLoop.ConfigureAwait(false);
        }

        if (_lost || cancellationToken.IsCancellationRequested)
        {
            return; // lease lost or shutting down: the next owner continues from the checkpoint
        }

        await FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the checkpoint, expands a directory batch if needed, and collects the items left in flight.</summary>
    private async Task<bool> PrepareAsync(CancellationToken cancellationToken)
    {
        var checkpoint = await Store.GetCheckpointAsync(_id, cancellationToken).ConfigureAwait(false);
        if (_job.Batch is { Kind: BatchSummary.DirectoryKind } batch && !checkpoint.Expanded)
        {
            if (!await ExpandAsync(batch, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            checkpoint = await Store.GetCheckpointAsync(_id, cancellationToken).ConfigureAwait(false);
        }

        _counters = checkpoint.Counters;
        _total = checkpoint.Counters.Total;
        _scanned = checkpoint.Cursor;

        var recovered = await RecoverInFlightAsync(cancellationToken).ConfigureAwait(false);
        if (recovered > 0 || _scanned > 0)
        {
            BatchRunner.LogBatchRecovering(_runner.Logger, _id, recovered, _scanned);
        }

        return true;
    }

    /// <summary>
    /// Reads the in-flight set: items with a final result (or gone) leave it, the others are queued to run (a movefile or
    /// deletefile is checked first: it may have run). Returns how many were queued.
    /// </summary>
    private async Task<int> RecoverInFlightAsync(CancellationToken cancellationToken)
    {
        var inFlight = await Store.InFlightAsync(_id, cancellationToken).ConfigureAwait(false);
        var recovered = new List<(long, BatchItem, BatchItemResult?, bool)>();
        foreach (var chunk in inFlight.Chunk(ScanChunk))
        {
            var results = await Store.GetResultsAsync(_id, chunk, cancellationToken).ConfigureAwait(false);
            var found = await Store.GetItemsAtAsync(_id, chunk, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (found[i] is not { } item)
                {
                    await Store.ForgetInFlightAsync(_id, chunk[i], cancellationToken).ConfigureAwait(false);
                }
                else if (results[i] is { } result && result.State.IsFinal())
                {
                    await Store.ForgetInFlightAsync(_id, chunk[i], cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    recovered.Add((chunk[i], item, results[i], item.Op != BatchOp.CopyFile));
                }
            }
        }

        foreach (var work in recovered)
        {
            _ready.Enqueue(work); // only once all are read: a read that failed half-way queues nothing twice
        }

        return recovered.Count;
    }

    /// <summary>
    /// <see cref="RecoverInFlightAsync"/> at the end of a dispatch, waiting out the store while it does not answer. Returns
    /// how many items were queued to run again.
    /// </summary>
    private async Task<int> LeftoversAsync(CancellationToken cancellationToken)
    {
        TimeSpan? pause = null;
        while (true)
        {
            try
            {
                var left = await RecoverInFlightAsync(cancellationToken).ConfigureAwait(false);
                if (left > 0)
                {
                    BatchRunner.LogLeftovers(_runner.Logger, _id, left);
                }

                return left;
            }
            catch (Exception ex) when (BatchRunner.IsOutage(ex) && !cancellationToken.IsCancellationRequested)
            {
                BatchRunner.LogDispatchFailed(_runner.Logger, ex, _id);
                pause = BatchRules.NextOutagePause(pause);
                await Task.Delay(pause.Value, Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        var running = new List<Task>();
        try
        {
            var backoff = TimeSpan.FromMilliseconds(200);
            while (!_stopped && !_canceled && !cancellationToken.IsCancellationRequested)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                (long, BatchItem, BatchItemResult?, bool)? next;
                try
                {
                    next = await NextAsync(running, slots, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromMilliseconds(200);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Redis or rcd unreachable for a moment: keep the batch (and the lease, renewed apart) and try again.
                    slots.Release();
                    BatchRunner.LogDispatchFailed(_runner.Logger, ex, _id);
                    await Task.Delay(backoff, Time, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                    continue;
                }

                if (next is not { } work)
                {
                    slots.Release();
                    break;
                }

                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunSlotAsync(work, slots, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Items already sent to rcd finish (or are aborted with the token) and record their results before the run ends.
            await Task.WhenAll(running).ConfigureAwait(false);
            await ReleaseIdlePermitsAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The next item to run: one left in flight, a due retry, or the next fresh one. Waits while items are running or
    /// retries are not yet due; null when there is nothing left (or the run stops).
    /// </summary>
    private async Task<(long, BatchItem, BatchItemResult?, bool)?> NextAsync(List<Task> running, SemaphoreSlim slots,
        CancellationToken cancellationToken)
    {
        while (!_stopped && !_canceled)
        {
            while (_returned.TryDequeue(out var back))
            {
                _ready.Enqueue(back);
            }

            TimeSpan paused;
            lock (_gate)
            {
                paused = _pausedUntil - Time.GetUtcNow();
            }

            if (paused > TimeSpan.Zero)
            {
                // rcd or the store did not answer an item's step: wait before sending more (the items went back to the queue).
                await Task.Delay(paused, Time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (_ready.Count > 0)
            {
                Interlocked.Increment(ref _inFlight);
                return _ready.Dequeue();
            }

            // Retries that fell due go first; while fresh items remain they are looked for every DueCheckInterval, not
            // before each read of fresh items (a retry waits seconds anyway; the look is a round trip).
            var lookForDue = _scanned >= _total || _lastDueCheck == 0 || Time.GetElapsedTime(_lastDueCheck) >= DueCheckInterval;
            var due = lookForDue
                ? await Store.ClaimDueAsync(_id, Time.GetUtcNow(), _options.Concurrency, cancellationToken).ConfigureAwait(false)
                : [];
            _lastDueCheck = lookForDue ? Time.GetTimestamp() : _lastDueCheck;
            if (due.Count > 0)
            {
                var dueItems = await Store.GetItemsAtAsync(_id, due, cancellationToken).ConfigureAwait(false);
                var dueResults = await Store.GetResultsAsync(_id, due, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < due.Count; i++)
                {
                    if (dueItems[i] is { } item)
                    {
                        _ready.Enqueue((due[i], item, dueResults[i], item.Op != BatchOp.CopyFile));
                    }
                }

                continue;
            }

            if (_scanned < _total)
            {
                await ScanAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            running.RemoveAll(t => t.IsCompleted);
            var nextDue = await Store.NextDueAsync(_id, cancellationToken).ConfigureAwait(false);
            if (!_returned.IsEmpty)
            {
                continue; // an item given back (its slot ended after giving it)
            }

            if (running.Count == 0 && nextDue is null)
            {
                return null;
            }

            // Wait for an item to finish (it may queue a retry) or the next retry to fall due; idle permits go back meanwhile.
            await ReleaseIdlePermitsAsync().ConfigureAwait(false);
            var wait = nextDue is { } at ? at - Time.GetUtcNow() : TimeSpan.FromSeconds(1);
            wait = _returned.IsEmpty ? wait : TimeSpan.Zero;
            wait = TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 5, 1000));
            var delay = Task.Delay(wait, Time, cancellationToken);
            await (running.Count == 0 ? delay : Task.WhenAny(delay, Task.WhenAny(running))).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return null;
    }

    /// <summary>
    /// Reads the next items from the cursor and their results (one round trip), skips those with a result, and puts the
    /// rest in flight with the checkpoint's cursor moved past them (another).
    /// </summary>
    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        var count = (int)Math.Min(Math.Max(_options.Concurrency, 16), Math.Min(ScanChunk, _total - _scanned));
        var indexes = Enumerable.Range(0, count).Select(i => _scanned + i).ToArray();
        var reading = Store.GetItemsAsync(_id, _scanned, count, cancellationToken);
        var recorded = Store.GetResultsAsync(_id, indexes, cancellationToken);
        await Task.WhenAll(reading, recorded).ConfigureAwait(false);
        var (items, results) = (reading.Result, recorded.Result);
        var fresh = Enumerable.Range(0, items.Count).Where(i => results[i] is null).ToList();
        var scanned = _scanned + items.Count;
        await Store.MarkInFlightAsync(_id, [.. fresh.Select(i => indexes[i])], scanned, Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var i in fresh)
        {
            _ready.Enqueue((indexes[i], items[i], null, false)); // only once they are in flight (a failed mark reads them again)
        }

        _scanned = scanned; // the cursor: every item before it has a result or is in the in-flight set (saved so in the same step)

        if (items.Count == 0)
        {
            _total = _scanned; // the list is shorter than counted: nothing more to read
        }
    }

    /// <summary>Saves how the run ended (Succeeded, PartiallyFailed or Canceled) and lets the batch go.</summary>
    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        await Store.SetCursorAsync(_id, _scanned, now, cancellationToken).ConfigureAwait(false);
        var checkpoint = await Store.GetCheckpointAsync(_id, cancellationToken).ConfigureAwait(false);
        var end = BatchRules.Decide(checkpoint.Counters, inFlight: 0, expanding: false, _stopped, _canceled);
        if (end == BatchEnd.Continue)
        {
            // Items left that this run did not take (a stop without the flag, a short list): treat as stopped.
            end = BatchEnd.PartiallyFailed;
        }

        var summary = (_job.Batch ?? new BatchSummary { Kind = BatchSummary.ItemsKind }).With(checkpoint.Counters, 0, now) with
        {
            Expanding = false,
        };
        summary = summary with { CanResume = summary.HasWorkLeft, StopReason = _stopped && !_canceled ? BatchSummary.StopRuleReason : null };
        var reported = JobStateMachine.ReportBatch(_job, summary, Time);
        var final = end switch
        {
            BatchEnd.Succeeded => JobStateMachine.Succeed(reported, Time),
            BatchEnd.Canceled => JobStateMachine.Cancel(reported, Time),
            _ => JobStateMachine.PartiallyFail(reported, summary, BatchRules.PartialError(summary, _stopped, _options.StopRule), Time),
        };
        // Saved and let go in one step (the lease, and a cancel request it answers): a user may resume it at once.
        var saved = await _runner.Jobs.SaveAndReleaseAsync(final, JobState.Running, _runner.WorkerId, _runner.WorkerId,
            clearCancelRequest: _canceled, cancellationToken).ConfigureAwait(false);
        if (saved != SaveResult.Saved)
        {
            var current = await _runner.Jobs.GetAsync(_id, cancellationToken).ConfigureAwait(false);
            BatchRunner.LogChangedElsewhere(_runner.Logger, _id, current?.State.ToWire() ?? "missing");
            if (current is null || current.State.IsTerminal())
            {
                await _runner.Queue.ReleaseAsync(_id, _runner.WorkerId, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        BatchRunner.LogBatchFinished(_runner.Logger, _id, final.State.ToWire(), summary.Succeeded, summary.Failed, summary.Pending);
        _ = DeleteStatsAsync(); // tidying, off the path: the batch is no longer this Worker's (a resume may already run it)
    }

    private async Task DeleteStatsAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _runner.Rclone.DeleteStatsAsync(_group, bound.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // rcd forgets the group when it restarts anyway.
        }
    }

    /// <summary>
    /// Lists the directory (rcd <c>operations/list</c>, recursive, files only, the batch's include/exclude as rclone
    /// filter rules) and appends one item per file. Starts from nothing each time, so a crash part-way is harmless.
    /// </summary>
    private async Task<bool> ExpandAsync(BatchSummary batch, CancellationToken cancellationToken)
    {
        var directory = batch.Directory!;
        await Store.ResetExpansionAsync(_id, cancellationToken).ConfigureAwait(false);
        var parameters = new JsonObject
        {
            ["fs"] = directory.Source,
            ["remote"] = "",
            ["opt"] = new JsonObject { ["recurse"] = true, ["filesOnly"] = true, ["noModTime"] = true, ["noMimeType"] = true },
        };
        if (BatchRunner.FilterRules(directory) is { Count: > 0 } rules)
        {
            parameters["_filter"] = new JsonObject { ["FilterRule"] = new JsonArray([.. rules.Select(r => (JsonNode)JsonValue.Create(r))]) };
        }

        JsonElement listing;
        try
        {
            listing = await _runner.Rclone.TransferAsync("operations/list", parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var classification = FailureClassifier.Default.Classify(FailureInput.FromException(ex, RclonePath.RemoteName(directory.Source!)));
            var error = classification.ToJobError(ex is RcloneException rc ? rc.Error : ex.Message);
            BatchRunner.LogExpansionFailed(_runner.Logger, _id, error.Code);
            var failed = JobStateMachine.Fail(_job, error with { Message = $"Listing {directory.Source} failed: {error.Message}" }, Time);
            await _runner.Jobs.SaveAndReleaseAsync(failed, JobState.Running, _runner.WorkerId, _runner.WorkerId, clearCancelRequest: false,
                cancellationToken).ConfigureAwait(false);

            return false;
        }

        var op = batch.Op ?? BatchOp.CopyFile;
        var chunk = new List<BatchItem>(BatchStore.ChunkSize);
        long total = 0;
        if (listing.ValueKind == JsonValueKind.Object && listing.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.TryGetProperty("IsDir", out var isDir) && isDir.ValueKind == JsonValueKind.True
                    || !entry.TryGetProperty("Path", out var path) || path.GetString() is not { Length: > 0 } relative)
                {
                    continue;
                }

                chunk.Add(BatchRunner.ItemFor(directory, op, relative));
                if (chunk.Count == BatchStore.ChunkSize)
                {
                    await Store.AppendExpandedAsync(_id, chunk, cancellationToken).ConfigureAwait(false);
                    total += chunk.Count;
                    chunk.Clear();
                }
            }
        }

        await Store.AppendExpandedAsync(_id, chunk, cancellationToken).ConfigureAwait(false);
        total += chunk.Count;
        await Store.FinishExpansionAsync(_id, cancellationToken).ConfigureAwait(false);
        BatchRunner.LogExpanded(_runner.Logger, _id, total);

        var checkpoint = await Store.GetCheckpointAsync(_id, cancellationToken).ConfigureAwait(false);
        var summary = batch.With(checkpoint.Counters, 0, Time.GetUtcNow()) with { Expanding = false };
        var next = JobStateMachine.ReportBatch(_job, summary, Time);
        if (await _runner.Jobs.SaveAsync(next, JobState.Running, _runner.WorkerId, cancellationToken).ConfigureAwait(false) != SaveResult.Saved)
        {
            _lost = true;
            return false;
        }

        _job = next;
        return true;
    }
}

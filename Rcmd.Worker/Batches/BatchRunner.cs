using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Batches;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Services;

namespace Rcmd.Worker.Batches;

/// <summary>
/// Runs batch jobs (<see cref="JobType.Batch"/>) for <see cref="JobExecutor"/>: a batch this Worker claimed (Queued →
/// Running) or adopted from a dead Worker (Running, lease taken over). The caller holds the job's lease and renews it;
/// when the lease is lost or the Worker stops, the token is canceled and the run stops touching the batch.
/// See <see cref="BatchRun"/> for how items are run.
/// </summary>
public sealed partial class BatchRunner(
    JobStore jobs,
    JobQueue queue,
    BatchStore batches,
    RcloneClient rclone,
    RemoteSemaphore semaphore,
    RemoteBreakers breakers,
    JobRetryPolicy retries,
    IOptions<WorkerOptions> workerOptions,
    IOptions<BatchEngineOptions> options,
    TimeProvider time,
    ILogger<BatchRunner> logger)
{
    internal JobStore Jobs => jobs;
    internal JobQueue Queue => queue;
    internal BatchStore Batches => batches;
    internal RcloneClient Rclone => rclone;
    internal RemoteSemaphore Semaphore => semaphore;
    internal RemoteBreakers Breakers => breakers;
    internal JobRetryPolicy Retries => retries;
    internal BatchEngineOptions Options => options.Value;
    internal TimeProvider Time => time;
    internal ILogger Logger => logger;
    internal string WorkerId => workerOptions.Value.WorkerId;

    /// <summary>A batch this Worker has just claimed (Queued, its lease held): start it and run it to its end.</summary>
    public async Task RunClaimedAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (await jobs.IsCancelRequestedAsync(job.Id, cancellationToken).ConfigureAwait(false))
        {
            var canceled = JobStateMachine.Cancel(job, time);
            if (await jobs.SaveAndReleaseAsync(canceled, JobState.Queued, null, WorkerId, clearCancelRequest: true, cancellationToken)
                .ConfigureAwait(false) == SaveResult.Saved)
            {
                LogBatchFinished(logger, job.Id, canceled.State.ToWire(), 0, 0, 0);
            }
            else
            {
                await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var running = JobStateMachine.Start(job, WorkerId, time);
        if (await jobs.SaveAsync(running, JobState.Queued, null, cancellationToken).ConfigureAwait(false) != SaveResult.Saved)
        {
            await queue.ReleaseAsync(job.Id, WorkerId, cancellationToken).ConfigureAwait(false);
            return;
        }

        LogBatchStarted(logger, job.Id, running.Attempt, job.Batch?.Total ?? 0);
        if (job.Attempt > 0 || job.Batch?.RetryOf is not null)
        {
            // A resume or a retry of failed items: the operator may have fixed the target meanwhile.
            await ClearFsCacheAsync(job.Id, cancellationToken).ConfigureAwait(false);
        }

        await new BatchRun(this, running).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Empties rcd's Fs cache (rc <c>fscache/clear</c>). rcd keeps every Fs it made — one that failed too, such as a
    /// destination directory that was a file ("is a file not a directory") — for <c>--fs-cache-expire-duration</c> (5 min
    /// by default), so without this a fixed target keeps failing after a resume. Best effort: the items run either way.
    /// </summary>
    private async Task ClearFsCacheAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await rclone.CallAsync("fscache/clear", null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFsCacheClearFailed(logger, ex, id);
        }
    }

    /// <summary>
    /// Whether an item's step failed because rcd itself did not answer (connection refused or cut, the response cut off,
    /// the rcd client's pipeline refusing the call) — as opposed to an error rcd answered about the remote
    /// (<see cref="RcloneException"/>). Such an item is not a failure: it runs again once rcd answers.
    /// </summary>
    public static bool IsRcdUnreachable(Exception exception) =>
        exception is HttpRequestException or IOException or Polly.ExecutionRejectedException;

    /// <summary>
    /// Whether an item's step failed because rcd or the store (Redis) did not answer for a while (not because of the item):
    /// the item goes back to the run's queue without a result and runs again once they answer.
    /// </summary>
    public static bool IsOutage(Exception exception) =>
        IsRcdUnreachable(exception) || exception is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException;

    /// <summary>A running batch this Worker adopted (the record names it): continue from the checkpoint.</summary>
    public async Task RunAdoptedAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        LogBatchAdopted(logger, job.Id, job.Attempt);
        await new BatchRun(this, job).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stats group of a batch's run in rcd (one for all its items).</summary>
    public static string Group(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"rcmd/{job.Id}/{job.Attempt}";
    }

    /// <summary>The rcd call of one item: method and parameters (one synchronous call, in the batch's stats group).</summary>
    public static (string Method, JsonObject Parameters) Command(BatchItem item, string group, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(item);
        var source = RclonePath.SplitFile(item.Source);
        var parameters = item.Op == BatchOp.DeleteFile
            ? new JsonObject { ["fs"] = source.Fs, ["remote"] = source.Remote }
            : new JsonObject
            {
                ["srcFs"] = source.Fs,
                ["srcRemote"] = source.Remote,
                ["dstFs"] = RclonePath.SplitFile(item.Destination!).Fs,
                ["dstRemote"] = RclonePath.SplitFile(item.Destination!).Remote,
            };
        parameters["_group"] = group;
        if (dryRun)
        {
            parameters["_config"] = new JsonObject { ["DryRun"] = true };
        }

        return (item.Op.Method(), parameters);
    }

    /// <summary>The remotes an item touches (source, destination), distinct, for limits and breakers.</summary>
    public static IReadOnlyList<string> RemotesOf(BatchItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var source = RclonePath.RemoteName(item.Source);
        return item.Destination is { } d && RclonePath.RemoteName(d) is var destination && destination != source
            ? [.. new[] { source, destination }.Order(StringComparer.Ordinal)]
            : [source];
    }

    /// <summary>One file found by a directory listing, as an item.</summary>
    public static BatchItem ItemFor(BatchDirectory directory, BatchOp op, string path)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return new BatchItem { Op = op, Source = Join(directory.Source!, path), Destination = Join(directory.Destination!, path) };
    }

    /// <summary>
    /// The directory's include/exclude patterns as rclone filter rules, in the order that gives them their meaning:
    /// excludes first (an excluded file stays out even when an include matches it), then includes, then — when there are
    /// includes — "everything else out".
    /// </summary>
    public static IReadOnlyList<string> FilterRules(BatchDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var rules = new List<string>();
        rules.AddRange((directory.Exclude ?? []).Select(p => "- " + p));
        rules.AddRange((directory.Include ?? []).Select(p => "+ " + p));
        if (directory.Include is { Count: > 0 })
        {
            rules.Add("- **");
        }

        return rules;
    }

    private static string Join(string root, string path) =>
        root.EndsWith('/') || root.EndsWith(':') ? root + path : $"{root}/{path}";

    [LoggerMessage(70, LogLevel.Information, "Batch {job_id} started (attempt {attempt}, {total} items)")]
    internal static partial void LogBatchStarted(ILogger logger, string job_id, int attempt, long total);

    [LoggerMessage(71, LogLevel.Information, "Batch {job_id} adopted (attempt {attempt}): continuing from its checkpoint")]
    internal static partial void LogBatchAdopted(ILogger logger, string job_id, int attempt);

    [LoggerMessage(72, LogLevel.Information,
        "Batch {job_id} ended {job_state}: {succeeded} succeeded, {failed} failed, {pending} not run")]
    internal static partial void LogBatchFinished(ILogger logger, string job_id, string job_state, long succeeded, long failed, long pending);

    [LoggerMessage(73, LogLevel.Information, "Batch {job_id}: resuming {recovered} item(s) that were in flight, from item {cursor}")]
    internal static partial void LogBatchRecovering(ILogger logger, string job_id, int recovered, long cursor);

    [LoggerMessage(74, LogLevel.Warning,
        "Batch {job_id}: stop rule fired ({failed} of {finished} finished items failed, more than {max_ratio}); stopping dispatch")]
    internal static partial void LogStopRule(ILogger logger, string job_id, long failed, long finished, double max_ratio);

    [LoggerMessage(75, LogLevel.Warning, "Batch {job_id}: checkpoint failed; will try again")]
    internal static partial void LogCheckpointFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(76, LogLevel.Warning, "Batch {job_id} changed elsewhere (now {job_state}); no longer touching it")]
    internal static partial void LogChangedElsewhere(ILogger logger, string job_id, string job_state);

    [LoggerMessage(77, LogLevel.Information, "Batch {job_id}: expanded directory into {total} items")]
    internal static partial void LogExpanded(ILogger logger, string job_id, long total);

    [LoggerMessage(78, LogLevel.Warning, "Batch {job_id}: item {index} could not be recorded; it runs again on resume")]
    internal static partial void LogRecordFailed(ILogger logger, Exception exception, string job_id, long index);

    [LoggerMessage(79, LogLevel.Error, "Batch {job_id}: the directory listing failed for good (error_code {error_code})")]
    internal static partial void LogExpansionFailed(ILogger logger, string job_id, string error_code);

    [LoggerMessage(81, LogLevel.Warning, "Batch {job_id}: reading the next items failed; will try again")]
    internal static partial void LogDispatchFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(82, LogLevel.Warning,
        "Batch {job_id}: item {index} could not run ({outage} did not answer); it goes back to the queue, dispatch pauses {pause_ms} ms")]
    internal static partial void LogItemGivenBack(ILogger logger, string job_id, long index, string outage, double pause_ms);

    [LoggerMessage(83, LogLevel.Warning, "Batch {job_id}: clearing rcd's Fs cache before the resumed run failed")]
    internal static partial void LogFsCacheClearFailed(ILogger logger, Exception exception, string job_id);

    [LoggerMessage(84, LogLevel.Information, "Batch {job_id}: {count} item(s) in flight have no result yet; running them again")]
    internal static partial void LogLeftovers(ILogger logger, string job_id, int count);

    [LoggerMessage(80, LogLevel.Information, "Batch {job_id}: cancel requested; aborting items in flight")]
    internal static partial void LogCanceling(ILogger logger, string job_id);
}

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
internal sealed class BatchRun
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

    private async Task RunSlotAsync((long Index, BatchItem Item, BatchItemResult? Previous, bool Check) work, SemaphoreSlim slots,
        CancellationToken cancellationToken)
    {
        var slot = new Slot(this, slots);
        try
        {
            await RunItemAsync(work.Index, work.Item, work.Previous, work.Check, slot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Aborted (cancel, lease lost, shutdown): no result; the item stays in flight and is taken up on resume.
        }
        catch (Exception ex) when (BatchRunner.IsOutage(ex))
        {
            // The store (or rcd) did not answer a step of the item (its permit, its check, writing its result): nothing was
            // recorded and no attempt is spent; it runs again in this run once they answer (a movefile or deletefile is
            // checked first: its call may have run).
            GiveBack((work.Index, work.Item, work.Previous, work.Check || work.Item.Op != BatchOp.CopyFile), ex);
        }
        catch (Exception ex)
        {
            BatchRunner.LogRecordFailed(_runner.Logger, ex, _id, work.Index);
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>
    /// An item's place among the batch's concurrent rcd calls (and in its "running" count), given back once: when rcd
    /// answers, or at the item's end.
    /// </summary>
    private sealed class Slot(BatchRun run, SemaphoreSlim slots)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref run._inFlight);
                slots.Release();
            }
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

    private async Task RunItemAsync(long index, BatchItem item, BatchItemResult? previous, bool check, Slot slot,
        CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var remotes = BatchRunner.RemotesOf(item);
        (string Remote, DateTimeOffset Until)? paused = null;
        lock (_gate)
        {
            foreach (var remote in remotes)
            {
                if (_pausedRemotes.TryGetValue(remote, out var until) && until > now)
                {
                    paused = (remote, until);
                }
            }
        }

        if (paused is { } pause)
        {
            // The remote's breaker is open: the item waits for it without spending an attempt.
            await RecordLaterAsync(index, previous, pause.Until, ErrorCodes.EndpointUnreachable,
                $"Remote {pause.Remote} is temporarily unavailable.").ConfigureAwait(false);
            return;
        }

        var breakerRemotes = _runner.Breakers.RemotesOf(item.Source, item.Destination);
        BreakerAdmission? admission = null;
        if (breakerRemotes.Count > 0)
        {
            try
            {
                admission = await _runner.Breakers.EnterAsync(breakerRemotes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                admission = null; // breakers unreadable: run without them
            }

            if (admission?.Refusal is { } refusal)
            {
                var until = refusal.Decision.RetryAt ?? now + TimeSpan.FromSeconds(5);
                lock (_gate)
                {
                    _pausedRemotes[refusal.Remote] = until;
                }

                await RecordLaterAsync(index, previous, until, ErrorCodes.EndpointUnreachable, refusal.Message(now)).ConfigureAwait(false);
                return;
            }
        }

        string? holder = null;
        BatchItemResult result;
        var attempted = false;
        try
        {
            holder = await TakePermitAsync(remotes, cancellationToken).ConfigureAwait(false);
            var done = check ? await CheckDoneAsync(item, cancellationToken).ConfigureAwait(false) : null;
            if (done is not null)
            {
                result = done with { Attempts = previous?.Attempts ?? 0, RoundAttempts = previous?.RoundAttempts ?? 0 };
            }
            else
            {
                attempted = true;
                result = await CallAsync(item, previous, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            if (holder is not null)
            {
                await ReleasePermitAsync(holder, remotes).ConfigureAwait(false);
            }

            if (admission is { Admitted: true } held)
            {
                await RecordBreakerAsync(held, attempted: false, result: null).ConfigureAwait(false); // not the remote's doing
            }

            if (!BatchRunner.IsRcdUnreachable(ex) || cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            // rcd itself did not answer (killed, restarting): not a failure of the item, not for the stop rule. It goes back
            // to the queue. A call that was sent counts as an attempt and a movefile/deletefile it was is checked before it
            // runs again: it may have run. Even "connection refused" does not prove it was not: the HTTP handler re-sends a
            // request whose pooled connection closed without an answer on a new connection, and reports only that failure.
            GiveBack((index, item, attempted ? Spent(previous) : previous, check || (attempted && item.Op != BatchOp.CopyFile)), ex);
            return;
        }

        lock (_gate)
        {
            _idlePermits.Add((holder, remotes)); // kept for the next item on the same remotes: no round trip to take it again
        }

        // rcd has answered: the next item's call starts while this one's outcome is written (the item stays in flight, and
        // the run does not end, until it is). At most Concurrency items are being written this way at once.
        try
        {
            if (Interlocked.Increment(ref _recording) <= _options.Concurrency)
            {
                slot.Release();
            }

            if (admission is { Admitted: true } admitted)
            {
                await RecordBreakerAsync(admitted, attempted, result).ConfigureAwait(false);
            }

            await RecordAsync(index, result, previous, attempted).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _recording);
        }
    }

    /// <summary>
    /// A permit on every remote of an item (<see cref="RemoteSemaphore"/>): one this run holds idle for the same remotes, or
    /// a new one (an idle permit for other remotes is given back first, so the run never holds more than its concurrency).
    /// </summary>
    private async Task<string> TakePermitAsync(IReadOnlyList<string> remotes, CancellationToken cancellationToken)
    {
        (string Holder, IReadOnlyList<string> Remotes)? stale = null;
        lock (_gate)
        {
            var same = _idlePermits.FindIndex(p => p.Remotes.SequenceEqual(remotes, StringComparer.Ordinal));
            if (same >= 0)
            {
                var kept = _idlePermits[same].Holder;
                _idlePermits.RemoveAt(same);
                return kept;
            }

            if (_idlePermits.Count > 0)
            {
                stale = _idlePermits[0];
                _idlePermits.RemoveAt(0);
            }
        }

        if (stale is { } other)
        {
            await ReleasePermitAsync(other.Holder, other.Remotes).ConfigureAwait(false);
        }

        var holder = $"{_runner.WorkerId}/{_id}/{Interlocked.Increment(ref _holderSequence)}";
        var limits = remotes.Select(r => (r, _runner.Options.LimitFor(r))).ToList();
        await _runner.Semaphore.AcquireAsync(limits, holder, _runner.Options.PermitLease, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _permits[holder] = remotes;
        }

        return holder;
    }

    private async Task ReleasePermitAsync(string holder, IReadOnlyList<string> remotes)
    {
        lock (_gate)
        {
            _permits.Remove(holder);
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _runner.Semaphore.ReleaseAsync(remotes, holder, bound.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Not given back now: the permit's lease runs out by itself (Batches:PermitLease).
        }
    }

    /// <summary>Gives back the permits this run keeps idle (it waits for retries, or it ends).</summary>
    private async Task ReleaseIdlePermitsAsync()
    {
        (string Holder, IReadOnlyList<string> Remotes)[] idle;
        lock (_gate)
        {
            idle = [.. _idlePermits];
            _idlePermits.Clear();
        }

        await Task.WhenAll(idle.Select(p => ReleasePermitAsync(p.Holder, p.Remotes))).ConfigureAwait(false);
    }

    /// <summary>One synchronous rcd call for the item, classified when it fails.</summary>
    private async Task<BatchItemResult> CallAsync(BatchItem item, BatchItemResult? previous, CancellationToken cancellationToken)
    {
        var attempts = (previous?.Attempts ?? 0) + 1;
        var round = (previous?.RoundAttempts ?? 0) + 1;
        var (method, parameters) = BatchRunner.Command(item, _group, _options.DryRun);
        try
        {
            await _runner.Rclone.TransferAsync(method, parameters, cancellationToken).ConfigureAwait(false);
            return new BatchItemResult
            {
                State = _options.DryRun ? BatchItemState.Skipped : BatchItemState.Succeeded,
                Message = _options.DryRun ? "Dry run: nothing was changed." : null,
                Attempts = attempts,
                RoundAttempts = round,
                FinishedAt = Time.GetUtcNow(),
            };
        }
        catch (Exception ex) when (!BatchRunner.IsRcdUnreachable(ex) && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            var text = ex is RcloneException rc ? rc.Error : ex.Message;
            var remote = RclonePath.RemoteName(item.Source) is var source && source == "local" && item.Destination is { } d
                ? RclonePath.RemoteName(d)
                : RclonePath.RemoteName(item.Source);
            var classification = FailureClassifier.Default.Classify(FailureInput.FromException(ex, remote));
            var error = classification.ToJobError(string.IsNullOrWhiteSpace(text) ? $"rclone failed without a message ({ex.GetType().Name})." : text);
            var delay = _runner.Retries.DelayBeforeRetry(round, classification);
            var now = Time.GetUtcNow();
            return new BatchItemResult
            {
                State = delay is null ? BatchItemState.Failed : BatchItemState.RetryQueued,
                Code = error.Code,
                Message = error.Message,
                Attempts = attempts,
                RoundAttempts = round,
                Retryable = error.Retryable,
                Suggestion = error.Suggestion,
                DueAt = delay is { } wait ? now + wait : null,
                FinishedAt = now,
            };
        }
    }

    /// <summary>
    /// A movefile or deletefile that may have run already (in flight at a crash, or its call's answer was lost): done when
    /// its source is gone (and, for a move, its destination is there). A move whose source and destination are both gone
    /// cannot be redone: failed <c>server_restarted</c>. Null = run it.
    /// </summary>
    private async Task<BatchItemResult?> CheckDoneAsync(BatchItem item, CancellationToken cancellationToken)
    {
        if (item.Op == BatchOp.CopyFile)
        {
            return null;
        }

        if (await ExistsAsync(item.Source, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var now = Time.GetUtcNow();
        if (item.Op == BatchOp.DeleteFile || await ExistsAsync(item.Destination!, cancellationToken).ConfigureAwait(false))
        {
            return new BatchItemResult
            {
                State = BatchItemState.Succeeded,
                Message = "Found done when the batch resumed (the source is gone).",
                FinishedAt = now,
            };
        }

        return new BatchItemResult
        {
            State = BatchItemState.Failed,
            Code = ErrorCodes.ServerRestarted,
            Message = "The move was interrupted (a Worker or rclone restarted) and neither the source nor the destination exists now.",
            Retryable = false,
            Suggestion = "Check where the file went, then submit it again.",
            FinishedAt = now,
        };
    }

    private async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        var file = RclonePath.SplitFile(path);
        var answer = await _runner.Rclone.CallAsync("operations/stat", new JsonObject { ["fs"] = file.Fs, ["remote"] = file.Remote },
            cancellationToken).ConfigureAwait(false);
        return answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("item", out var found) && found.ValueKind == JsonValueKind.Object;
    }

    private async Task RecordBreakerAsync(BreakerAdmission admission, bool attempted, BatchItemResult? result)
    {
        using var bound = new CancellationTokenSource(BreakerGate.OutcomeTimeout);
        try
        {
            if (!attempted || result is null)
            {
                await _runner.Breakers.ReleaseAsync(admission, bound.Token).ConfigureAwait(false);
            }
            else if (result.Code is null)
            {
                await _runner.Breakers.RecordSuccessAsync(admission, bound.Token).ConfigureAwait(false);
            }
            else
            {
                await _runner.Breakers.RecordFailureAsync(admission, result.Code, result.Message, bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Not recorded: a probe slot frees itself after Breakers:ProbeTimeout.
        }
    }

    /// <summary>
    /// Gives an item back to the dispatch loop after an outage (rcd or the store not answering) and pauses dispatch:
    /// <see cref="BatchRules.NextOutagePause"/>, longer each time the outage outlasts the pause, reset by the next result.
    /// </summary>
    private void GiveBack((long Index, BatchItem Item, BatchItemResult? Previous, bool Check) work, Exception exception)
    {
        TimeSpan pause;
        lock (_gate)
        {
            var now = Time.GetUtcNow();
            if (now >= _pausedUntil)
            {
                _outagePause = BatchRules.NextOutagePause(_outagePause);
                _pausedUntil = now + _outagePause.Value;
            }

            pause = _pausedUntil - now;
        }

        _returned.Enqueue(work);
        BatchRunner.LogItemGivenBack(_runner.Logger, _id, work.Index, BatchRunner.IsRcdUnreachable(exception) ? "rclone rcd" : "the store",
            pause.TotalMilliseconds);
    }

    /// <summary>The previous result of an item with one more attempt (a call cut off by rcd's end: it may have run).</summary>
    private static BatchItemResult Spent(BatchItemResult? previous) =>
        previous is null
            ? new BatchItemResult { State = BatchItemState.Pending, Attempts = 1, RoundAttempts = 1 }
            : previous with { Attempts = previous.Attempts + 1, RoundAttempts = previous.RoundAttempts + 1 };

    /// <summary>Parks an item until <paramref name="until"/> (an open breaker) without counting an attempt.</summary>
    private Task RecordLaterAsync(long index, BatchItemResult? previous, DateTimeOffset until, string code, string message) =>
        RecordAsync(index, new BatchItemResult
        {
            State = BatchItemState.RetryQueued,
            Code = code,
            Message = message,
            Attempts = previous?.Attempts ?? 0,
            RoundAttempts = previous?.RoundAttempts ?? 0,
            Retryable = true,
            DueAt = until,
            FinishedAt = Time.GetUtcNow(),
        }, previous, attempted: false);

    /// <summary>Writes the item's result (durable, and counted in the same step), then counts it here and checks the stop rule.</summary>
    private async Task RecordAsync(long index, BatchItemResult result, BatchItemResult? previous, bool attempted = true)
    {
        // Not the run's token: an rcd call that finished is recorded even while the run is being canceled. Redis away for
        // a moment is waited out (the script is idempotent: a write whose answer was lost changes nothing the second time).
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        RecordOutcome outcome;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                outcome = await _writer.WriteAsync(index, result).WaitAsync(bound.Token).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException && !bound.IsCancellationRequested)
            {
                await Task.Delay(delay, Time, bound.Token).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        Interlocked.Increment(ref _recorded);
        lock (_gate)
        {
            _outagePause = null; // the store and rcd answer again
        }

        if (!outcome.Changed)
        {
            return;
        }

        bool stopNow;
        long sinceCheckpoint;
        lock (_gate)
        {
            _counters = Apply(_counters, outcome.Previous, previous, result);
            sinceCheckpoint = ++_sinceCheckpoint;
            if (attempted)
            {
                _runFinished++;
                _runFailed += result.State is BatchItemState.Failed or BatchItemState.RetryQueued ? 1 : 0;
            }

            stopNow = !_stopped && BatchRules.ShouldStop(_runFinished, _runFailed, _options.StopRule);
            if (stopNow)
            {
                _stopped = true;
            }
        }

        if (stopNow)
        {
            BatchRunner.LogStopRule(_runner.Logger, _id, _runFailed, _runFinished, _options.StopRule.MaxFailureRatio);
        }

        if (stopNow || sinceCheckpoint >= _options.CheckpointEvery)
        {
            _checkpointSignal.Release();
        }
    }

    /// <summary>The counters after one recorded change (the same arithmetic as the store's script).</summary>
    internal static BatchCounters Apply(BatchCounters counters, BatchItemState? previousState, BatchItemResult? previous, BatchItemResult next)
    {
        var succeeded = counters.Succeeded;
        var failed = counters.Failed;
        var skipped = counters.Skipped;
        var retry = counters.RetryQueued;
        var retryableFailed = counters.RetryableFailed;
        var byCode = new Dictionary<string, long>(counters.FailedByCode, StringComparer.Ordinal);
        void Add(BatchItemState state, BatchItemResult? result, int by)
        {
            switch (state)
            {
                case BatchItemState.Succeeded:
                    succeeded += by;
                    break;
                case BatchItemState.Failed:
                    failed += by;
                    if (result?.Code is { } code)
                    {
                        byCode[code] = byCode.GetValueOrDefault(code) + by;
                    }

                    if (result?.Retryable == true)
                    {
                        retryableFailed += by;
                    }

                    break;
                case BatchItemState.Skipped:
                    skipped += by;
                    break;
                case BatchItemState.RetryQueued:
                    retry += by;
                    break;
                case BatchItemState.Pending or BatchItemState.Running:
                    break;
            }
        }

        if (previousState is { } was)
        {
            Add(was, previous, -1);
        }

        Add(next.State, next, 1);
        return counters with
        {
            Succeeded = succeeded,
            Failed = failed,
            Skipped = skipped,
            RetryQueued = retry,
            RetryableFailed = retryableFailed,
            FailedByCode = byCode.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>Checkpoints (cursor + summary) when signaled or every interval; renews permits; watches for a cancel request.</summary>
    private async Task CheckpointLoopAsync(CancellationTokenSource items, CancellationToken stop)
    {
        var lastCancelCheck = Time.GetTimestamp();
        var lastRenew = Time.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _checkpointSignal.WaitAsync(_runner.Options.CheckpointInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                if (Time.GetElapsedTime(lastCancelCheck) >= _runner.Options.CancelCheckInterval)
                {
                    lastCancelCheck = Time.GetTimestamp();
                    if (!_canceled && await _runner.Jobs.IsCancelRequestedAsync(_id, stop).ConfigureAwait(false))
                    {
                        BatchRunner.LogCanceling(_runner.Logger, _id);
                        _canceled = true;
                        await items.CancelAsync().ConfigureAwait(false);
                    }
                }

                if (Time.GetElapsedTime(lastRenew) >= _runner.Options.PermitLease / 3)
                {
                    lastRenew = Time.GetTimestamp();
                    KeyValuePair<string, IReadOnlyList<string>>[] held;
                    lock (_gate)
                    {
                        held = [.. _permits];
                    }

                    await Task.WhenAll(held.Select(p => _runner.Semaphore.RenewAsync(p.Value, p.Key, _runner.Options.PermitLease, stop)))
                        .ConfigureAwait(false);
                }

                if (Interlocked.Read(ref _sinceCheckpoint) > 0)
                {
                    // Every checkpoint is saved; its job-update event goes out at most once per interval.
                    var publish = _lastPublish == 0 || Time.GetElapsedTime(_lastPublish) >= _runner.Options.CheckpointInterval;
                    if (publish)
                    {
                        _lastPublish = Time.GetTimestamp();
                    }

                    if (!await CheckpointAsync(publish, stop).ConfigureAwait(false))
                    {
                        _lost = true;
                        await items.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                BatchRunner.LogCheckpointFailed(_runner.Logger, ex, _id);
            }
        }
    }

    /// <summary>Saves the cursor and the job's summary (guarded: still Running, still this Worker's). False when the batch was lost.</summary>
    private async Task<bool> CheckpointAsync(bool publish, CancellationToken cancellationToken)
    {
        BatchCounters counters;
        lock (_gate)
        {
            _sinceCheckpoint = 0;
            counters = _counters;
        }

        // The cursor is saved as items are dispatched (BatchStore.MarkInFlightAsync) and each result with its counts, so
        // a checkpoint is the job's summary. The store's counts are the truth (they change in the same steps as the
        // results): they are read again with each published event; between two, this run's own arithmetic stands.
        var now = Time.GetUtcNow();
        if (publish)
        {
            var checkpoint = await Store.GetCheckpointAsync(_id, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _counters = counters = checkpoint.Counters;
            }
        }

        var summary = (_job.Batch ?? new BatchSummary { Kind = BatchSummary.ItemsKind })
            .With(counters, Volatile.Read(ref _inFlight), now) with { Expanding = false };
        var next = JobStateMachine.ReportBatch(_job, summary, Time);
        var saved = await _runner.Jobs.SaveAsync(next, JobState.Running, _runner.WorkerId, cancellationToken, publish).ConfigureAwait(false);
        if (saved != SaveResult.Saved)
        {
            var current = await _runner.Jobs.GetAsync(_id, cancellationToken).ConfigureAwait(false);
            BatchRunner.LogChangedElsewhere(_runner.Logger, _id, current?.State.ToWire() ?? "missing");
            return false;
        }

        _job = next;
        return true;
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

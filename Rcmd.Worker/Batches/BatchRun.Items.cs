using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Batches;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Worker.Services;

namespace Rcmd.Worker.Batches;

/// <summary>One item of a <see cref="BatchRun"/>: its slot, its remotes' permits and breakers, the rcd call and its recorded result.</summary>
internal sealed partial class BatchRun
{
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
}

using Rcmd.Batches;
using Rcmd.Breakers;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Worker.Batches;

/// <summary>A <see cref="BatchRun"/>'s checkpoints: the cursor and summary saved on a count or a timer, and the cancel watch.</summary>
internal sealed partial class BatchRun
{
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
}

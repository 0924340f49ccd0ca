using Rcmd.Batches;

namespace Rcmd.Worker.Batches;

/// <summary>
/// Writes one batch run's item results to the store in groups: results that arrive while a write is under way go out
/// together with the next one (<see cref="BatchStore.RecordManyAsync"/>), so items that finish at about the same time
/// cost one round trip instead of one each, and nothing waits for a group to fill. A write that fails fails the wait of
/// every item in it with the exception (a write that takes longer than <see cref="WriteTimeout"/> with a
/// <see cref="TimeoutException"/>); callers write again, which the store's script makes harmless.
/// </summary>
internal sealed class ResultWriter(BatchStore store, string batchId)
{
    /// <summary>Most items in one write.</summary>
    public const int MaxGroup = 64;

    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<(BatchRecord Record, TaskCompletionSource<RecordOutcome> Done)> _pending = [];
    private bool _writing;

    /// <summary>Queues the item's result for the next write; completes when it is written (or the write failed).</summary>
    public Task<RecordOutcome> WriteAsync(long index, BatchItemResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var done = new TaskCompletionSource<RecordOutcome>();
        bool start;
        lock (_gate)
        {
            _pending.Add((new BatchRecord(index, result), done));
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = WriteAllAsync(); // it catches everything: each failure goes to the items it concerns
        }

        return done.Task;
    }

    private async Task WriteAllAsync()
    {
        while (true)
        {
            List<(BatchRecord Record, TaskCompletionSource<RecordOutcome> Done)> group;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                var take = Math.Min(MaxGroup, _pending.Count);
                group = _pending.GetRange(0, take);
                _pending.RemoveRange(0, take);
            }

            using var timeout = new CancellationTokenSource(WriteTimeout);
            try
            {
                var outcomes = await store.RecordManyAsync(batchId, [.. group.Select(g => g.Record)], timeout.Token).ConfigureAwait(false);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Done.TrySetResult(outcomes[i]);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                var late = new TimeoutException($"Writing {group.Count} item result(s) took longer than {WriteTimeout.TotalSeconds:0} s.");
                group.ForEach(g => g.Done.TrySetException(late));
            }
            catch (Exception ex)
            {
                group.ForEach(g => g.Done.TrySetException(ex));
            }
        }
    }
}

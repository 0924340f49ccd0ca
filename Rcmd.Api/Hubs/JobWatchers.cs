using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Rcmd.Api.Hubs;

/// <summary>
/// Waits for a job's next event instead of polling it: <see cref="EventHub"/> hands every job event it receives from
/// Redis to <see cref="Notify"/>, which wakes whoever watches that job id (a synchronous <c>/rc/</c> call waiting for
/// its job's end). A watcher reads the job again when woken; pub/sub does not replay a lost message, so a watcher
/// also wakes after a safety delay of its own (<see cref="JobWatch.NextAsync"/>).
/// </summary>
public sealed class JobWatchers
{
    private readonly ConcurrentDictionary<string, ImmutableWatches> _watches = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="jobId"/>: events from now on wake the watch. Dispose it to stop.</summary>
    public JobWatch Watch(string jobId)
    {
        var watch = new JobWatch(jobId, this);
        _watches.AddOrUpdate(jobId, _ => new ImmutableWatches([watch]), (_, existing) => new ImmutableWatches([.. existing.Items, watch]));
        return watch;
    }

    /// <summary>How many jobs are watched now (for tests).</summary>
    public int Count => _watches.Count;

    /// <summary>An event about <paramref name="jobId"/> arrived: wakes its watches (nothing when nobody watches it).</summary>
    public void Notify(string jobId)
    {
        if (_watches.TryGetValue(jobId, out var watches))
        {
            foreach (var watch in watches.Items)
            {
                watch.Wake();
            }
        }
    }

    internal void Remove(JobWatch watch)
    {
        while (_watches.TryGetValue(watch.JobId, out var existing))
        {
            var left = existing.Items.Where(w => !ReferenceEquals(w, watch)).ToArray();
            var removed = left.Length == 0
                ? _watches.TryRemove(new KeyValuePair<string, ImmutableWatches>(watch.JobId, existing))
                : _watches.TryUpdate(watch.JobId, new ImmutableWatches(left), existing);
            if (removed)
            {
                return;
            }
        }
    }

    /// <summary>The watches of one job, replaced whole on each change (compared by reference).</summary>
    private sealed record ImmutableWatches(JobWatch[] Items);
}

/// <summary>One watcher of one job: <see cref="NextAsync"/> returns at its next event, or after the safety delay.</summary>
public sealed class JobWatch : IDisposable
{
    private readonly JobWatchers _owner;

    // One pending wake at most: events that come while the watcher reads the job fold into one.
    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    internal JobWatch(string jobId, JobWatchers owner)
    {
        JobId = jobId;
        _owner = owner;
    }

    public string JobId { get; }

    internal void Wake() => _wakes.Writer.TryWrite(true);

    /// <summary>Waits for the job's next event or <paramref name="safetyDelay"/>, whichever is first.</summary>
    public async Task NextAsync(TimeSpan safetyDelay, TimeProvider time, CancellationToken cancellationToken)
    {
        // Cancelled (not abandoned) at the safety delay, so no waiter is left behind in the channel.
        using var safety = new CancellationTokenSource(safetyDelay, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, safety.Token);
        try
        {
            await _wakes.Reader.WaitToReadAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The safety net: the caller reads the job anyway.
        }

        _wakes.Reader.TryRead(out _);
    }

    public void Dispose() => _owner.Remove(this);
}

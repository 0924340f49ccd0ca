using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Web.Services;

/// <summary>
/// The Status page's counts by state, kept in step with its lists: seeded from the same snapshot the lists come from
/// (each state's <see cref="JobPage.Total"/> is read in the same request as that state's jobs), then moved by the same
/// job updates that move the lists — a job that goes from queued to running takes one from queued and adds one to
/// running in the same render. The previous state of a job is the one last seen; for a job never seen, it is inferred
/// from the job (a fresh queued job is new; a running one was queued; …). Not thread-safe: use it on the renderer.
/// </summary>
public sealed class LiveJobCounts
{
    /// <summary>Jobs whose state is remembered past <see cref="MaxTracked"/> are forgotten oldest-finished first.</summary>
    internal const int MaxTracked = 20_000;

    private readonly Dictionary<string, (JobState State, DateTimeOffset UpdatedAt)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<JobState, long> _byState = [];
    private long _queueLength;

    /// <summary>False until the first snapshot.</summary>
    public bool IsKnown { get; private set; }

    public long Total => _byState.Values.Sum();

    public long QueueLength => _queueLength;

    public long this[JobState state] => _byState.GetValueOrDefault(state);

    /// <summary>
    /// Starts over from a snapshot: <paramref name="lists"/> are the pages read per state (their totals win over
    /// <paramref name="counts"/> for that state); <paramref name="counts"/> gives the other states and the queue length.
    /// Jobs seen newer than the snapshot since (updates that raced the reads) are counted in their newer state.
    /// </summary>
    public void Reset(JobCounts? counts, IReadOnlyDictionary<JobState, JobPage> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var newer = new Dictionary<string, (JobState State, DateTimeOffset UpdatedAt)>(_seen, StringComparer.Ordinal);
        _seen.Clear();
        _byState.Clear();
        foreach (var state in JobStates.All)
        {
            _byState[state] = lists.TryGetValue(state, out var page) ? page.Total
                : counts?.ByState.GetValueOrDefault(state.ToWire()) ?? 0;
        }

        _queueLength = counts?.QueueLength ?? this[JobState.Queued];
        foreach (var job in lists.Values.SelectMany(p => p.Items))
        {
            _seen[job.Id] = (job.State, job.UpdatedAt);
        }

        IsKnown = counts is not null || lists.Count > 0;
        foreach (var (id, (state, updatedAt)) in newer)
        {
            if (_seen.TryGetValue(id, out var listed) && listed.UpdatedAt < updatedAt && listed.State != state)
            {
                Move(listed.State, state);
                _seen[id] = (state, updatedAt);
            }
        }
    }

    /// <summary>A job update: moves one from the job's previous state to its new one. Older updates change nothing.</summary>
    public void Apply(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        JobState? previous;
        if (_seen.TryGetValue(job.Id, out var known))
        {
            if (job.UpdatedAt < known.UpdatedAt)
            {
                return;
            }

            previous = known.State;
        }
        else
        {
            previous = InferPrevious(job);
        }

        _seen[job.Id] = (job.State, job.UpdatedAt);
        if (IsKnown && previous != job.State)
        {
            Move(previous, job.State);
        }

        if (_seen.Count > MaxTracked)
        {
            Forget();
        }
    }

    /// <summary>The state a job never seen before was in, judged from the job itself; null for a new job.</summary>
    internal static JobState? InferPrevious(Job job) => job.State switch
    {
        JobState.Queued when job.UpdatedAt == job.CreatedAt && job.Attempt == 0 => null,
        JobState.Queued => JobState.Waiting,
        JobState.Running => JobState.Queued,
        // A retry follows a failed run; a breaker wait is set when a Worker claims a job for an open remote.
        JobState.Waiting => job.Wait?.Reason == JobWait.BreakerReason ? JobState.Queued : JobState.Running,
        _ when job.StartedAt is null || job.Attempts.Count == 0 => JobState.Queued,
        JobState.Canceled when job.Attempts[^1].FinishedAt is { } finished && finished < job.UpdatedAt => JobState.Waiting,
        _ => JobState.Running,
    };

    private void Move(JobState? from, JobState to)
    {
        if (from is { } f)
        {
            _byState[f] = Math.Max(0, this[f] - 1);
            if (f == JobState.Queued)
            {
                _queueLength = Math.Max(0, _queueLength - 1);
            }
        }

        _byState[to] = this[to] + 1;
        if (to == JobState.Queued)
        {
            _queueLength++;
        }
    }

    /// <summary>Forgets the finished jobs updated longest ago (they change no more), down to three quarters of the bound.</summary>
    private void Forget()
    {
        var finished = _seen.Where(p => p.Value.State.IsTerminal()).OrderBy(p => p.Value.UpdatedAt)
            .Take(_seen.Count - (MaxTracked * 3 / 4)).Select(p => p.Key).ToList();
        foreach (var id in finished)
        {
            _seen.Remove(id);
        }
    }
}

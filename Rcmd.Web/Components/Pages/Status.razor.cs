using Microsoft.AspNetCore.Components;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The operator's first page: the remotes with their circuit breakers (live on <c>remote-status</c> events, with a
/// countdown to half-open), counts by state and the live job queue — running jobs with their progress, queued and
/// waiting jobs, recently finished ones. Loads from the Api, then follows job updates. The counts come from the same
/// reads as the lists and move with the same updates (<see cref="LiveJobCounts"/>), so a count never disagrees with the
/// list under it; the whole snapshot is read again every <see cref="ResyncInterval"/> and after the live stream reconnects.
/// </summary>
public sealed partial class Status : IDisposable
{
    internal const int MaxRunning = 100;
    internal const int MaxQueued = 20;
    internal const int MaxFinished = 10;
    internal static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, Job> _known = new(StringComparer.Ordinal);
    private IDisposable? _jobUpdates;
    private IDisposable? _connection;
    private IDisposable? _remoteUpdates;
    private ITimer? _ticker;
    private List<RemoteInfo> _remotes = [];
    private readonly Dictionary<string, DateTimeOffset> _retryAt = new(StringComparer.Ordinal);
    private ApiError? _remotesError;
    private DateTimeOffset _now;
    private List<Job> _waiting = [];
    private readonly LiveJobCounts _counts = new();
    private ApiError? _error;
    private bool _loading = true;
    private List<Job> _running = [];
    private List<Job> _queued = [];
    private List<Job> _finished = [];
    private long _lastLoad;
    private bool _loadingNow;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private string MoreRunning => _counts.IsKnown && CountOf(JobState.Running) > _running.Count
        ? " of " + Humanize.Number(CountOf(JobState.Running))
        : string.Empty;

    protected override async Task OnInitializedAsync()
    {
        // Subscribe first so nothing between the load and the subscription is missed; updates merge by UpdatedAt.
        _jobUpdates = Live.SubscribeJobs(jobs => InvokeAsync(() => Apply(jobs)));
        _connection = Live.SubscribeConnection(connected => connected ? InvokeAsync(LoadAsync) : Task.CompletedTask);
        _remoteUpdates = Live.Subscribe(e => e is { Type: EventTypes.RemoteStatus, Remote: { } remote }
            ? InvokeAsync(() => ApplyRemote(remote, e.At))
            : Task.CompletedTask);
        _now = Time.GetUtcNow();
        _ticker = Time.CreateTimer(_ => _ = InvokeAsync(Tick), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await LoadAsync();
    }

    /// <summary>Once a second: moves the countdowns of open breakers (renders only when one is shown); resyncs now and then.</summary>
    private void Tick()
    {
        _now = Time.GetUtcNow();
        if (!_loadingNow && _lastLoad != 0 && Time.GetElapsedTime(_lastLoad) >= ResyncInterval)
        {
            _ = LoadAsync();
        }

        if (_retryAt.Count > 0)
        {
            StateHasChanged();
        }
    }

    /// <summary>A <c>remote-status</c> event: the breaker of one remote changed.</summary>
    private void ApplyRemote(Breakers.RemoteStatus status, DateTimeOffset at)
    {
        var breaker = new RemoteBreaker
        {
            State = Breakers.BreakerStates.ToWire(status.State),
            ConsecutiveFailures = status.ConsecutiveFailures,
            LastErrorCode = status.LastErrorCode,
            LastErrorMessage = status.LastErrorMessage,
            OpenedAt = status.OpenedAt,
        };
        var index = _remotes.FindIndex(r => r.Name == status.Name);
        var remote = index >= 0 ? _remotes[index] with { Breaker = breaker } : new RemoteInfo(status.Name, null) { Breaker = breaker };
        _remotes = index >= 0 ? [.. _remotes.Take(index), remote, .. _remotes.Skip(index + 1)] : [.. _remotes, remote];
        SetRetryAt(status.Name, breaker.State == "open" ? status.RetryAt : null);
        _now = Time.GetUtcNow();
        StateHasChanged();
    }

    private void SetRetryAt(string remote, DateTimeOffset? at)
    {
        if (at is { } value)
        {
            _retryAt[remote] = value;
        }
        else
        {
            _retryAt.Remove(remote);
        }
    }

    private async Task LoadRemotesAsync()
    {
        var result = await Api.GetRemotesAsync(_disposed.Token);
        _remotesError = result.Error;
        if (!result.IsSuccess)
        {
            return;
        }

        _now = Time.GetUtcNow();
        _remotes = [.. result.Value.Remotes ?? [], .. result.Value.OtherRemotes ?? []];
        _retryAt.Clear();
        foreach (var remote in _remotes)
        {
            SetRetryAt(remote.Name, remote.Breaker is { State: "open", RetryInSeconds: { } seconds } ? _now.AddSeconds(seconds) : null);
        }
    }

    private async Task LoadAsync()
    {
        if (_loadingNow)
        {
            return;
        }

        _loadingNow = true;
        try
        {
            await LoadSnapshotAsync();
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was closed.
        }
        finally
        {
            _loadingNow = false;
            _lastLoad = Time.GetTimestamp();
        }
    }

    private async Task LoadSnapshotAsync()
    {
        var token = _disposed.Token;
        var counts = Api.GetCountsAsync(token);
        var running = Api.ListJobsAsync(JobState.Running, 1, MaxRunning, token);
        var queued = Api.ListJobsAsync(JobState.Queued, 1, MaxQueued, token);
        var succeeded = Api.ListJobsAsync(JobState.Succeeded, 1, MaxFinished, token);
        var failed = Api.ListJobsAsync(JobState.Failed, 1, MaxFinished, token);
        var canceled = Api.ListJobsAsync(JobState.Canceled, 1, MaxFinished, token);
        var partiallyFailed = Api.ListJobsAsync(JobState.PartiallyFailed, 1, MaxFinished, token);
        var waiting = Api.ListJobsAsync(JobState.Waiting, 1, MaxQueued, token);
        var remotes = LoadRemotesAsync();
        await Task.WhenAll(counts, running, queued, succeeded, failed, canceled, partiallyFailed, waiting, remotes);

        _loading = false;
        var pages = new Dictionary<JobState, ApiResult<JobPage>>
        {
            [JobState.Running] = running.Result,
            [JobState.Queued] = queued.Result,
            [JobState.Succeeded] = succeeded.Result,
            [JobState.Failed] = failed.Result,
            [JobState.Canceled] = canceled.Result,
            [JobState.PartiallyFailed] = partiallyFailed.Result,
            [JobState.Waiting] = waiting.Result,
        };
        _error = counts.Result.Error ?? pages.Values.Select(p => p.Error).FirstOrDefault(e => e is not null);
        if (counts.Result.IsSuccess || pages.Values.Any(p => p.IsSuccess))
        {
            // Each state's count is the total of the read that returned its jobs.
            _counts.Reset(counts.Result.IsSuccess ? counts.Result.Value : null,
                pages.Where(p => p.Value.IsSuccess).ToDictionary(p => p.Key, p => p.Value.Value!));
        }

        foreach (var page in pages.Values.Where(p => p.IsSuccess))
        {
            foreach (var job in page.Value!.Items)
            {
                Upsert(job);
            }
        }

        Rebuild();
        StateHasChanged();
    }

    /// <summary>Runs on the renderer: merges a batch of updates and re-renders once.</summary>
    private void Apply(IReadOnlyList<Job> jobs)
    {
        foreach (var job in jobs)
        {
            _counts.Apply(job);
            Upsert(job);
        }

        Rebuild();
        StateHasChanged();
    }

    private void Upsert(Job job)
    {
        if (!_known.TryGetValue(job.Id, out var known) || known.UpdatedAt <= job.UpdatedAt)
        {
            _known[job.Id] = job;
        }
    }

    /// <summary>Sorts what is known into the three lists and forgets what none of them shows.</summary>
    private void Rebuild()
    {
        _running = [.. _known.Values.Where(j => j.State == JobState.Running)
            .OrderBy(j => j.StartedAt ?? j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).Take(MaxRunning)];
        _queued = [.. _known.Values.Where(j => j.State == JobState.Queued)
            .OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).Take(MaxQueued)];
        _waiting = [.. _known.Values.Where(j => j.State == JobState.Waiting)
            .OrderBy(j => j.Wait?.DueAt ?? j.UpdatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).Take(MaxQueued)];
        _finished = [.. _known.Values.Where(j => j.State.IsTerminal())
            .OrderByDescending(j => j.FinishedAt ?? j.UpdatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).Take(MaxFinished)];

        _known.Clear();
        foreach (var job in _running.Concat(_queued).Concat(_waiting).Concat(_finished))
        {
            _known[job.Id] = job;
        }
    }

    private long CountOf(JobState state) => _counts[state];

    private string CountText(JobState state) => _counts.IsKnown ? Humanize.Number(CountOf(state)) : "—";

    private static string BytesText(Job job) => job.Progress is { } p
        ? p.TotalBytes > 0 ? $"{Humanize.Bytes(p.Bytes)} / {Humanize.Bytes(p.TotalBytes)}" : Humanize.Bytes(p.Bytes)
        : "—";

    private static string TookText(Job job) => job.StartedAt is { } started && job.FinishedAt is { } finished
        ? Humanize.Duration(finished - started)
        : "—";

    public void Dispose()
    {
        _jobUpdates?.Dispose();
        _connection?.Dispose();
        _remoteUpdates?.Dispose();
        _ticker?.Dispose();
        _disposed.Cancel();
    }
}

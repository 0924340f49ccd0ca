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
/// waiting jobs, recently finished ones. Loads from the Api, then follows job updates; counts are re-read (at most once a
/// second) when a job changes state.
/// </summary>
public sealed partial class Status : IDisposable
{
    internal const int MaxRunning = 100;
    internal const int MaxQueued = 20;
    internal const int MaxFinished = 10;
    private static readonly TimeSpan CountsRefreshInterval = TimeSpan.FromSeconds(1);

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
    private JobCounts? _counts;
    private ApiError? _error;
    private bool _loading = true;
    private List<Job> _running = [];
    private List<Job> _queued = [];
    private List<Job> _finished = [];
    private bool _countsRefreshScheduled;
    private long _lastCountsRefresh;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private string MoreRunning => _counts is not null && CountOf(JobState.Running) > _running.Count
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

    /// <summary>Once a second: moves the countdowns of open breakers (renders only when one is shown).</summary>
    private void Tick()
    {
        _now = Time.GetUtcNow();
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
        var token = _disposed.Token;
        var counts = Api.GetCountsAsync(token);
        var running = Api.ListJobsAsync(JobState.Running, 1, MaxRunning, token);
        var queued = Api.ListJobsAsync(JobState.Queued, 1, MaxQueued, token);
        var succeeded = Api.ListJobsAsync(JobState.Succeeded, 1, MaxFinished, token);
        var failed = Api.ListJobsAsync(JobState.Failed, 1, MaxFinished, token);
        var canceled = Api.ListJobsAsync(JobState.Canceled, 1, MaxFinished, token);
        var waiting = Api.ListJobsAsync(JobState.Waiting, 1, MaxQueued, token);
        var remotes = LoadRemotesAsync();
        await Task.WhenAll(counts, running, queued, succeeded, failed, canceled, waiting, remotes);

        _loading = false;
        var pages = new[] { running.Result, queued.Result, succeeded.Result, failed.Result, canceled.Result, waiting.Result };
        _error = counts.Result.Error ?? pages.Select(p => p.Error).FirstOrDefault(e => e is not null);
        if (counts.Result.IsSuccess)
        {
            _counts = counts.Result.Value;
            _lastCountsRefresh = Time.GetTimestamp();
        }

        foreach (var page in pages.Where(p => p.IsSuccess))
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
        var stateChanged = false;
        foreach (var job in jobs)
        {
            stateChanged |= !_known.TryGetValue(job.Id, out var known) || known.State != job.State;
            Upsert(job);
        }

        Rebuild();
        if (stateChanged)
        {
            ScheduleCountsRefresh();
        }

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

    private void ScheduleCountsRefresh()
    {
        if (_countsRefreshScheduled)
        {
            return;
        }

        _countsRefreshScheduled = true;
        _ = RefreshCountsAsync();
    }

    private async Task RefreshCountsAsync()
    {
        try
        {
            var wait = CountsRefreshInterval - Time.GetElapsedTime(_lastCountsRefresh);
            if (_lastCountsRefresh != 0 && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, _disposed.Token);
            }

            var counts = await Api.GetCountsAsync(_disposed.Token);
            await InvokeAsync(() =>
            {
                _countsRefreshScheduled = false;
                _lastCountsRefresh = Time.GetTimestamp();
                if (counts.IsSuccess)
                {
                    _counts = counts.Value;
                }

                StateHasChanged();
            });
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was closed.
        }
        catch (ObjectDisposedException)
        {
            // The circuit was closed.
        }
    }

    private long CountOf(JobState state) =>
        _counts?.ByState.TryGetValue(state.ToWire(), out var n) == true ? n : 0;

    private string CountText(JobState state) => _counts is null ? "—" : Humanize.Number(CountOf(state));

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

using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using Rcmd.Jobs;
using Rcmd.Schedules;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The schedules, a page at a time: each with its cron and zone, what it runs, its next fire times (its zone and UTC),
/// its last run and success rate, and its runs on demand, 10 a page (Newer / Older runs); create and edit through <see cref="ScheduleDialog"/>,
/// pause/resume, run now, delete. Live: a job update that names one of the shown schedules updates its run in place
/// (queued → running → succeeded), and a job the page does not know yet (a fire time that just started) makes it read
/// that schedule again. After a reconnect of the live stream the page reads everything again.
/// </summary>
public sealed partial class ScheduleList : IDisposable
{
    internal const int PageSize = 20;
    internal const int RunsShown = 10;

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, List<ScheduleRun>> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunsPage> _runPages = new(StringComparer.Ordinal);
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private List<ScheduleView>? _views;
    private long _total;
    private int _page = 1;
    private ApiError? _error;
    private IDisposable? _jobUpdates;
    private IDisposable? _connection;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IOptions<LiveEventsOptions> LiveOptions { get; set; } = default!;

    private int PageCount => (int)Math.Max(1, (_total + PageSize - 1) / PageSize);

    protected override async Task OnInitializedAsync()
    {
        _jobUpdates = Live.SubscribeJobs(jobs => InvokeAsync(() => ApplyAsync(jobs)), job => job.ScheduleId is not null,
            LiveOptions.Value.ListRenderInterval);
        _connection = Live.SubscribeConnection(connected => connected ? InvokeAsync(ReloadAfterReconnectAsync) : Task.CompletedTask);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var result = await Api.ListSchedulesAsync(_page, PageSize, _disposed.Token);
        if (!result.IsSuccess)
        {
            _error = result.Error;
            _views ??= [];
            return;
        }

        _error = null;
        _views = [.. result.Value.Items];
        _total = result.Value.Total;
        foreach (var id in _runs.Keys.ToList())
        {
            if (_views.Exists(v => v.Schedule.Id == id))
            {
                await LoadRunsAsync(id);
            }
            else
            {
                _runs.Remove(id);
                _runPages.Remove(id);
            }
        }
    }

    private async Task ReloadAfterReconnectAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private async Task OnPageChangedAsync(int page)
    {
        _page = page;
        await LoadAsync();
    }

    private async Task CreateAsync()
    {
        if (await ScheduleDialog.ShowAsync(Dialogs, null) is { } created)
        {
            Snackbar.Add($"Schedule '{created.Schedule.Name}' created.", Severity.Success);
            _page = 1;
            await LoadAsync();
        }
    }

    private async Task EditAsync(ScheduleView view)
    {
        if (await ScheduleDialog.ShowAsync(Dialogs, view) is { } saved)
        {
            Snackbar.Add($"Schedule '{saved.Schedule.Name}' saved.", Severity.Success);
            Replace(saved);
        }
    }

    private async Task DeleteAsync(ScheduleView view)
    {
        var question = new ConfirmQuestion($"Delete schedule '{view.Schedule.Name}' and its run history? Its jobs stay.", "Delete", "Keep")
        {
            ConfirmColor = Color.Error,
            TestId = "schedule-delete-confirmation",
        };
        if (!await ConfirmDialog.AskAsync(Dialogs, "Delete schedule", question))
        {
            return;
        }

        var result = await Api.DeleteScheduleAsync(view.Schedule.Id, _disposed.Token);
        if (!result.IsSuccess && result.Error.Kind != ApiErrorKind.NotFound)
        {
            Snackbar.Add(result.Error.Message, Severity.Error);
            return;
        }

        Snackbar.Add($"Schedule '{view.Schedule.Name}' deleted.", Severity.Success);
        _runs.Remove(view.Schedule.Id);
        _runPages.Remove(view.Schedule.Id);
        await LoadAsync();
    }

    private Task SetPausedAsync(string id, bool paused) => WhileBusyAsync(id, async () =>
    {
        var result = paused ? await Api.PauseScheduleAsync(id, _disposed.Token) : await Api.ResumeScheduleAsync(id, _disposed.Token);
        if (!result.IsSuccess)
        {
            Snackbar.Add(result.Error.Message, Severity.Error);
            return;
        }

        Replace(result.Value);
        Snackbar.Add(paused ? "Paused: it fires again once resumed." : "Resumed: it fires from its next time.", Severity.Info);
    });

    private Task RunNowAsync(string id) => WhileBusyAsync(id, async () =>
    {
        var result = await Api.RunScheduleNowAsync(id, _disposed.Token);
        if (!result.IsSuccess)
        {
            Snackbar.Add(result.Error.Message, Severity.Error);
            return;
        }

        Snackbar.Add(result.Value.JobId is { } job ? $"Run started: job {Humanize.ShortId(job)}." : "Run recorded.", Severity.Success);
        await RefreshScheduleAsync(id);
    });

    private async Task ToggleRunsAsync(string id)
    {
        if (_runs.Remove(id))
        {
            _runPages.Remove(id);
        }
        else
        {
            _runs[id] = [];
            _runPages[id] = new RunsPage(1, 0);
            await LoadRunsAsync(id);
        }
    }

    /// <summary>Shows another page of the schedule's runs (1 is the newest).</summary>
    private async Task ShowRunsPageAsync(string id, int page)
    {
        if (_runPages.TryGetValue(id, out var current))
        {
            _runPages[id] = current with { Page = Math.Max(1, page) };
            await LoadRunsAsync(id);
        }
    }

    /// <summary>Reads the page of runs the schedule shows (the newest unless the user went to older ones).</summary>
    private async Task LoadRunsAsync(string id)
    {
        var page = _runPages.TryGetValue(id, out var shown) ? shown.Page : 1;
        var result = await Api.ListScheduleRunsAsync(id, page, RunsShown, _disposed.Token);
        if (result.IsSuccess && _runs.ContainsKey(id))
        {
            _runs[id] = [.. result.Value.Items];
            _runPages[id] = new RunsPage(page, result.Value.Total);
        }
    }

    private RunsPage RunsPageOf(string id) => _runPages.TryGetValue(id, out var page) ? page : new RunsPage(1, 0);

    /// <summary>Reads one schedule again (its last run and next times) and, when shown, its runs.</summary>
    private async Task RefreshScheduleAsync(string id)
    {
        var result = await Api.GetScheduleAsync(id, _disposed.Token);
        if (result.IsSuccess)
        {
            Replace(result.Value);
        }
        else if (result.Error.Kind == ApiErrorKind.NotFound)
        {
            _views?.RemoveAll(v => v.Schedule.Id == id);
            _runs.Remove(id);
            _runPages.Remove(id);
            return;
        }

        if (_runs.ContainsKey(id))
        {
            await LoadRunsAsync(id);
        }
    }

    /// <summary>
    /// Runs on the renderer with the newest version of each job of some schedule: a run the page shows takes its job's
    /// state; a job it does not show yet (a fire time that just started) makes it read that schedule again.
    /// </summary>
    private async Task ApplyAsync(IReadOnlyList<Job> jobs)
    {
        if (_views is null)
        {
            return;
        }

        var changed = false;
        var reread = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var index = _views.FindIndex(v => v.Schedule.Id == job.ScheduleId);
            if (index < 0)
            {
                continue;
            }

            var outcome = job.State.ToWire();
            var view = _views[index];
            var known = false;
            if (view.LastRun is { } last && last.JobId == job.Id)
            {
                known = true;
                if (last.Outcome != outcome)
                {
                    _views[index] = view with { LastRun = last with { Outcome = outcome } };
                    changed = true;
                }
            }

            if (_runs.TryGetValue(view.Schedule.Id, out var runs))
            {
                var run = runs.FindIndex(r => r.JobId == job.Id);
                if (run >= 0)
                {
                    known = true;
                    if (runs[run].Outcome != outcome)
                    {
                        runs[run] = runs[run] with { Outcome = outcome };
                        changed = true;
                    }
                }
            }

            if (!known || job.State.IsTerminal())
            {
                // A new run, or a finished one (the success rate and the next times move on).
                reread.Add(view.Schedule.Id);
            }
        }

        foreach (var id in reread)
        {
            await RefreshScheduleAsync(id);
            changed = true;
        }

        if (changed)
        {
            StateHasChanged();
        }
    }

    private void Replace(ScheduleView view)
    {
        var index = _views?.FindIndex(v => v.Schedule.Id == view.Schedule.Id) ?? -1;
        if (index >= 0)
        {
            _views![index] = view;
        }
    }

    private bool IsBusy(string id) => _busy.Contains(id);

    private async Task WhileBusyAsync(string id, Func<Task> action)
    {
        if (!_busy.Add(id))
        {
            return;
        }

        try
        {
            await action();
        }
        finally
        {
            _busy.Remove(id);
        }
    }

    /// <summary>What the schedule runs, in a line: <c>copy /data/in → s3:bucket</c>, or the batch's name and size.</summary>
    internal static string What(Schedule schedule) => schedule switch
    {
        { Job: { } job } => job.Destination is { } destination ? $"{job.Type} {job.Source} → {destination}" : $"{job.Type} {job.Source}",
        { Batch: { Directory: { } directory } batch } => $"batch {batch.Name ?? string.Empty} {directory.Source} → {directory.Destination}".Replace("  ", " ", StringComparison.Ordinal),
        { Batch: { Items: { } items } batch } => $"batch {batch.Name ?? string.Empty} ({items.Count} items)".Replace("  ", " ", StringComparison.Ordinal),
        _ => string.Empty,
    };

    /// <summary>A fire time in the schedule's zone, with its offset (e.g. <c>2026-03-29 03:00 +02:00</c>).</summary>
    internal static string LocalTime(ScheduleFireTime fire) =>
        fire.Local.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    /// <summary>The page of a schedule's runs that is shown, and how many runs it has in all.</summary>
    private readonly record struct RunsPage(int Page, long Total)
    {
        public int Count => (int)Math.Max(1, (Total + RunsShown - 1) / RunsShown);
    }

    public void Dispose()
    {
        _jobUpdates?.Dispose();
        _connection?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}

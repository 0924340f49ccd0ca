using System.Linq.Expressions;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// All jobs, a page at a time from the Api (server-side paging, filtering and sorting: nothing but the current page is
/// held), filtered by state, type, remote, error code and creation time, sorted by creation time, state or type (the Api
/// sorts with its indexes). Rows on the current page follow live updates; on the first page, new jobs that match the
/// filter make the page reload (at most once a second). Row updates are applied at most every
/// <see cref="LiveEventsOptions.ListRenderInterval"/>: a grid render costs many Status renders. A line says how far
/// back live history goes (<c>GET /api/retention</c>; older jobs were archived).
/// Prerendered: the request reads the first page and the retention line and renders them; the interactive render shows
/// that page (handed over in <see cref="PersistentComponentState"/>) until the live grid, subscribed first, has read its
/// own, then swaps in one render — no empty grid in between, and no update lost between the prerender and the circuit.
/// </summary>
[Prerender]
public sealed partial class JobList : IDisposable
{
    internal const int PageSize = 25;
    private static readonly int[] PageSizeOptions = [10, 25, 50, 100];
    private static readonly IReadOnlyList<string> StateOptions = [.. JobStates.All.Select(s => s.ToWire())];
    private static readonly IReadOnlyList<string> TypeOptions = JobTypes.AllNames;
    private static readonly IReadOnlyList<string> ErrorCodeOptions = Rcmd.Failures.ErrorCodes.All;
    private static readonly TimeSpan NewJobReloadInterval = TimeSpan.FromSeconds(1);

    // The sortable columns' properties, built once. MudBlazor's PropertyColumn compiles its expression each time it is
    // handed a new one, and a lambda written in the markup is a new expression on every render of the page: each live
    // update compiled and JIT-compiled three dynamic methods per open Jobs page.
    private static readonly Expression<Func<JobRow, JobType>> TypeProperty = r => r.Job.Type;
    private static readonly Expression<Func<JobRow, JobState>> StateProperty = r => r.Job.State;
    private static readonly Expression<Func<JobRow, DateTimeOffset>> CreatedProperty = r => r.Job.CreatedAt;

    private readonly CancellationTokenSource _disposed = new();
    private MudDataGrid<JobRow>? _grid;
    private List<JobRow>? _items;
    private int _total;
    private ApiError? _error;
    private string? _state;
    private string? _type;
    private string? _remote;
    private string? _errorCode;
    private DateTime? _from;
    private DateTime? _to;
    private bool _ascending;
    private JobSort _sortBy = JobSort.Created;
    private int _page = 1;
    private IDisposable? _jobUpdates;
    private IDisposable? _connection;
    private bool _reloadScheduled;
    private long _lastLoad;
    private Rcmd.Retention.RetentionView? _retention;
    private (JobListFilter Filter, Task<ApiResult<JobPage>> Page)? _firstPage;
    private List<JobRow>? _prerendered;
    private PersistingComponentStateSubscription? _persistingPage;
    private PersistingComponentStateSubscription? _persistingRetention;
    private const string FirstPageKey = "jobs:first-page";
    private const string RetentionKey = "jobs:retention";

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IOptions<LiveEventsOptions> LiveOptions { get; set; } = default!;

    [Inject]
    private PersistentComponentState PageState { get; set; } = default!;

    /// <summary>Initial state filter from the address: <c>/jobs?state=failed</c>.</summary>
    [SupplyParameterFromQuery(Name = "state")]
    public string? StateQuery { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _state = JobStates.TryParse(StateQuery, out var state) ? state.ToWire() : null;
        if (!RendererInfo.IsInteractive)
        {
            await PrerenderAsync();
            return;
        }

        if (PageState.TryTake(FirstPageKey, RcmdJsonContext.Default.JobPage, out var prerendered))
        {
            _prerendered = [.. prerendered.Items.Select(j => new JobRow(j))];
        }

        _jobUpdates = Live.SubscribeJobs(jobs => InvokeAsync(() => Apply(jobs)), interval: LiveOptions.Value.ListRenderInterval);
        _connection = Live.SubscribeConnection(connected => connected ? InvokeAsync(ReloadAsync) : Task.CompletedTask);

        // The first page is asked for now, while the circuit renders the page: the grid asks for its data only once its
        // first render is in the browser (GridBench: the rows came ~110 ms after the grid's frame under load). Asked
        // again after a prerender too: updates between the prerender's read and the subscription above are not lost.
        _firstPage = (Filter, Api.QueryJobsAsync(Filter, 1, PageSize, _disposed.Token));

        // How far back live history goes (older jobs were archived): a line above the grid, which does not wait for it.
        if (PageState.TryTake(RetentionKey, Rcmd.Retention.RetentionJsonContext.Default.RetentionView, out var kept))
        {
            _retention = kept;
            return;
        }

        var retention = await Api.GetRetentionAsync(_disposed.Token);
        _retention = retention.IsSuccess ? retention.Value : null;
    }

    /// <summary>The request's render: the first page and the retention line, kept for the interactive render.</summary>
    private async Task PrerenderAsync()
    {
        var page = Api.QueryJobsAsync(Filter, 1, PageSize, _disposed.Token);
        var retention = Api.GetRetentionAsync(_disposed.Token);
        var (first, line) = (await page, await retention);
        _retention = line.IsSuccess ? line.Value : null;
        if (first.IsSuccess)
        {
            _prerendered = [.. first.Value.Items.Select(j => new JobRow(j))];
            _persistingPage = PageState.Keep(FirstPageKey, () => first.Value, RcmdJsonContext.Default.JobPage);
            _persistingRetention = PageState.Keep(RetentionKey, () => _retention, Rcmd.Retention.RetentionJsonContext.Default.RetentionView);
        }
        else
        {
            _error = first.Error;
        }
    }

    /// <summary>The grid's <c>ServerData</c>: one page from the Api, sorted and filtered there.</summary>
    private async Task<GridData<JobRow>> LoadDataAsync(GridState<JobRow> state, CancellationToken cancellationToken)
    {
        var pageSize = state.PageSize > 0 ? state.PageSize : PageSize;
        var page = state.Page + 1;
        var sort = state.SortDefinitions.FirstOrDefault();
        _ascending = sort is { Descending: false };
        _sortBy = sort?.SortBy switch
        {
            { } by when by.EndsWith(nameof(Job.State), StringComparison.Ordinal) => JobSort.State,
            { } by when by.EndsWith(nameof(Job.Type), StringComparison.Ordinal) => JobSort.Type,
            _ => JobSort.Created,
        };

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token, cancellationToken);
        var prefetched = _firstPage;
        _firstPage = null;
        var result = prefetched is { } first && page == 1 && pageSize == PageSize && first.Filter == Filter
            ? await first.Page
            : await Api.QueryJobsAsync(Filter, page, pageSize, linked.Token);
        _lastLoad = Time.GetTimestamp();
        _page = page;
        var hadError = _error is not null;
        if (result.IsSuccess)
        {
            _error = null;
            _items = [.. result.Value.Items.Select(j => new JobRow(j))];
            _total = (int)Math.Min(result.Value.Total, int.MaxValue);
        }
        else
        {
            _error = result.Error;
            _items = [];
            _total = 0;
        }

        if (hadError || _error is not null)
        {
            // The error banner is the page's, outside the grid.
            StateHasChanged();
        }

        if (_prerendered is not null)
        {
            _ = ShowLiveGridAsync();
        }

        return new GridData<JobRow> { Items = _items, TotalItems = _total };
    }

    /// <summary>The grid's filters as the Api takes them.</summary>
    internal JobListFilter Filter => new()
    {
        State = JobStates.TryParse(_state, out var state) ? state : null,
        Type = JobTypes.TryParse(_type, out var type) ? type : null,
        Remote = string.IsNullOrWhiteSpace(_remote) ? null : _remote.Trim(),
        ErrorCode = _errorCode,
        From = _from is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
        To = _to is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
        Ascending = _ascending,
        SortBy = _sortBy,
    };

    private Task OnStateChangedAsync(string? state)
    {
        _state = state;
        return FirstPageAsync();
    }

    private Task OnTypeChangedAsync(string? type)
    {
        _type = type;
        return FirstPageAsync();
    }

    private Task OnRemoteChangedAsync(string? remote)
    {
        _remote = remote;
        return FirstPageAsync();
    }

    private Task OnErrorCodeChangedAsync(string? code)
    {
        _errorCode = code;
        return FirstPageAsync();
    }

    private Task OnFromChangedAsync(DateTime? from)
    {
        _from = from;
        return FirstPageAsync();
    }

    private Task OnToChangedAsync(DateTime? to)
    {
        _to = to;
        return FirstPageAsync();
    }

    private async Task FirstPageAsync()
    {
        if (_grid is null)
        {
            return;
        }

        if (_grid.CurrentPage != 0)
        {
            // Moving to the first page loads it.
            _grid.NavigateTo(Page.First);
            return;
        }

        await _grid.ReloadServerData();
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    /// <summary>
    /// Swaps the prerendered page for the live grid once the grid has rendered its first page: the grid renders the rows
    /// <see cref="LoadDataAsync"/> returns as soon as it returns (same turn of the renderer), this runs on the next turn.
    /// </summary>
    private async Task ShowLiveGridAsync()
    {
        await Task.Yield();
        _prerendered = null;
        StateHasChanged();
    }

    /// <summary>Runs on the renderer: replaces rows of the current page with their newer versions.</summary>
    private void Apply(IReadOnlyList<Job> jobs)
    {
        if (_items is null)
        {
            return;
        }

        var changed = false;
        var newJobs = false;
        foreach (var job in jobs)
        {
            var row = _items.Find(r => r.Job.Id == job.Id);
            if (row is not null)
            {
                if (row.Job.UpdatedAt <= job.UpdatedAt)
                {
                    row.Job = job;
                    changed = true;
                }
            }
            else if ((_page == 1 || _ascending || _sortBy != JobSort.Created) && job.State == JobState.Queued && job.Attempt == 0 && MatchesFilter(job))
            {
                newJobs = true;
            }
        }

        if (changed)
        {
            // The grid's rows are the same holders: re-rendering shows their new jobs without a reload.
            StateHasChanged();
        }

        if (newJobs)
        {
            ScheduleReload();
        }
    }

    private bool MatchesFilter(Job job) => Filter.Matches(job);

    private void ScheduleReload()
    {
        if (_reloadScheduled)
        {
            return;
        }

        _reloadScheduled = true;
        _ = ReloadSoonAsync();
    }

    private async Task ReloadSoonAsync()
    {
        try
        {
            var wait = NewJobReloadInterval - Time.GetElapsedTime(_lastLoad);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, _disposed.Token);
            }

            await InvokeAsync(async () =>
            {
                _reloadScheduled = false;
                await ReloadAsync();
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

    /// <summary>Each row says which job it shows and its state (tests and the bench find rows by these classes).</summary>
    private static string RowClass(JobRow row, int index) => $"job-row job-row-{row.Job.Id} job-state-{row.Job.State.ToWire()}";

    public void Dispose()
    {
        _persistingPage?.Dispose();
        _persistingRetention?.Dispose();
        _jobUpdates?.Dispose();
        _connection?.Dispose();
        _disposed.Cancel();
    }
}

/// <summary>A grid row: the newest version of one job on the current page (live updates replace <see cref="Job"/>).</summary>
public sealed class JobRow(Job job)
{
    public Job Job { get; set; } = job;
}

using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Radzen;
using Radzen.Blazor;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// All jobs, a page at a time from the Api (server-side paging, filtering and sorting: nothing but the current page is
/// held), filtered by state, type, remote, error code and creation time, sorted by creation time, state or type (the Api
/// sorts with its indexes). Rows on the current page follow live updates; on the first page, new jobs that match the
/// filter make the page reload (at most once a second). Row updates are applied at most every
/// <see cref="LiveEventsOptions.ListRenderInterval"/>: a grid render costs many Status renders.
/// </summary>
public sealed partial class JobList : IDisposable
{
    internal const int PageSize = 25;
    private static readonly int[] PageSizeOptions = [10, 25, 50, 100];
    private static readonly IReadOnlyList<string> StateOptions = [.. JobStates.All.Select(s => s.ToWire())];
    private static readonly IReadOnlyList<string> TypeOptions = JobTypes.AllNames;
    private static readonly IReadOnlyList<string> ErrorCodeOptions = Rcmd.Failures.ErrorCodes.All;
    private static readonly TimeSpan NewJobReloadInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private RadzenDataGrid<Job>? _grid;
    private IReadOnlyList<Job>? _items;
    private int _total;
    private bool _loading;
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

    /// <summary>Initial state filter from the address: <c>/jobs?state=failed</c>.</summary>
    [SupplyParameterFromQuery(Name = "state")]
    public string? StateQuery { get; set; }

    protected override void OnInitialized()
    {
        _state = JobStates.TryParse(StateQuery, out var state) ? state.ToWire() : null;
        _jobUpdates = Live.SubscribeJobs(jobs => InvokeAsync(() => Apply(jobs)), interval: LiveOptions.Value.ListRenderInterval);
        _connection = Live.SubscribeConnection(connected => connected ? InvokeAsync(ReloadAsync) : Task.CompletedTask);
    }

    private async Task LoadDataAsync(LoadDataArgs args)
    {
        var pageSize = args.Top is > 0 ? args.Top.Value : PageSize;
        var page = ((args.Skip ?? 0) / pageSize) + 1;
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null);
        _ascending = sort is { SortOrder: SortOrder.Ascending };
        _sortBy = sort?.Property switch
        {
            nameof(Job.State) => JobSort.State,
            nameof(Job.Type) => JobSort.Type,
            _ => JobSort.Created,
        };

        _loading = true;
        var result = await Api.QueryJobsAsync(Filter, page, pageSize, _disposed.Token);
        _loading = false;
        _lastLoad = Time.GetTimestamp();
        _page = page;
        if (result.IsSuccess)
        {
            _error = null;
            _items = [.. result.Value.Items];
            _total = (int)Math.Min(result.Value.Total, int.MaxValue);
        }
        else
        {
            _error = result.Error;
            _items = [];
            _total = 0;
        }
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

    private Task FirstPageAsync() => _grid?.FirstPage(forceReload: true) ?? Task.CompletedTask;

    private Task ReloadAsync() => _grid?.Reload() ?? Task.CompletedTask;

    /// <summary>Runs on the renderer: replaces rows of the current page with their newer versions.</summary>
    private void Apply(IReadOnlyList<Job> jobs)
    {
        if (_items is null)
        {
            return;
        }

        var changed = false;
        var newJobs = false;
        var rows = _items.ToList();
        foreach (var job in jobs)
        {
            var index = rows.FindIndex(r => r.Id == job.Id);
            if (index >= 0)
            {
                if (rows[index].UpdatedAt <= job.UpdatedAt)
                {
                    rows[index] = job;
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
            // A new list: the grid caches its view per Data instance.
            _items = rows;
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

    private static void OnRowRender(RowRenderEventArgs<Job> args)
    {
        if (args.Data is { } job)
        {
            args.Attributes.Add("data-testid", $"job-row-{job.Id}");
            args.Attributes.Add("data-state", job.State.ToWire());
        }
    }

    public void Dispose()
    {
        _jobUpdates?.Dispose();
        _connection?.Dispose();
        _disposed.Cancel();
    }
}

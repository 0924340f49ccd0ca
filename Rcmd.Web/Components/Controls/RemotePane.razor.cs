using System.Linq.Expressions;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// A folder of a remote (or of the local filesystem) a page at a time: the Api lists the folder once per page request,
/// sorts (folders first), filters and cuts it, so the page holds <see cref="PageSize"/> entries whatever the folder's
/// size. Folders open with a click; the breadcrumbs go back up. While the remote's breaker is open the Api answers with
/// the cached listing, shown marked stale with its age. Prerendered with its page (<see cref="PrerenderAttribute"/>): the
/// request lists the first page and renders it; the interactive render shows that page until the live grid has read its
/// own (the Api serves it from the listing it just read), then swaps in one render.
/// </summary>
public sealed partial class RemotePane : IDisposable
{
    internal const int PageSize = 100;
    private static readonly int[] PageSizes = [50, 100, 250];

    // The sortable columns' properties, built once: PropertyColumn compiles each new expression it is handed, and a
    // lambda in the markup is a new one on every render (JobList says more).
    private static readonly Expression<Func<FileEntry, string>> NameProperty = e => e.Name;
    private static readonly Expression<Func<FileEntry, long>> SizeProperty = e => e.Size;
    private static readonly Expression<Func<FileEntry, DateTimeOffset?>> ModTimeProperty = e => e.ModTime;

    private readonly CancellationTokenSource _disposed = new();
    private MudDataGrid<FileEntry>? _grid;
    private HashSet<FileEntry> _selected = new(EntryComparer.Instance);
    private string _remote = RemoteOption.Local;
    private string _path = string.Empty;
    private string? _filter;
    private int _total;
    private RemoteRead? _read;
    private ApiError? _error;
    private AboutResult? _about;
    private SizeResult? _size;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    /// <summary>Remotes to pick from (the local filesystem first).</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<RemoteOption> Remotes { get; set; } = [];

    [Parameter]
    public string Title { get; set; } = "Files";

    /// <summary>Prefix of the pane's test ids (<c>src</c>, <c>dst</c>).</summary>
    [Parameter]
    public string TestId { get; set; } = "src";

    /// <summary>Whether entries can be ticked (the source pane).</summary>
    [Parameter]
    public bool Selectable { get; set; }

    /// <summary>The remote and folder to open first.</summary>
    [Parameter]
    public string? InitialRemote { get; set; }

    [Parameter]
    public string? InitialPath { get; set; }

    /// <summary>Called with the remote and folder each time the pane opens one.</summary>
    [Parameter]
    public EventCallback<(string Remote, string Path)> LocationChanged { get; set; }

    /// <summary>Called with the ticked entries when they change.</summary>
    [Parameter]
    public EventCallback<IReadOnlyCollection<FileEntry>> SelectionChanged { get; set; }

    private const string DefaultSort = "name";
    private bool _refresh;
    private (string Remote, string Path, Task<ApiResult<(RemoteRead Read, ListingPage Page)>> Page)? _firstPage;
    private IReadOnlyList<FileEntry>? _prerendered;
    private PersistingComponentStateSubscription? _persisting;

    [Inject]
    private PersistentComponentState PageState { get; set; } = default!;

    private string PrerenderKey => $"browse:{TestId}";

    public string Remote => _remote;

    public string Path => _path;

    protected override async Task OnInitializedAsync()
    {
        _remote = InitialRemote ?? RemoteOption.Local;
        _path = (InitialPath ?? string.Empty).Trim('/');
        if (!RendererInfo.IsInteractive)
        {
            // The request's render: the first page, kept for the interactive render.
            var first = await Api.ListAsync(_remote, _path, 0, PageSize, DefaultSort, null, false, _disposed.Token);
            if (first.IsSuccess)
            {
                (_read, _prerendered, _total) = (first.Value.Read, first.Value.Page.List, first.Value.Page.Total);
                _persisting = PageState.Keep(PrerenderKey, () => _read, WebJsonContext.Default.RemoteRead);
            }
            else
            {
                _error = first.Error;
            }

            return;
        }

        if (PageState.TryTake(PrerenderKey, WebJsonContext.Default.RemoteRead, out var read))
        {
            var page = RcmdApiClient.PageOf(read);
            (_read, _prerendered, _total) = (read, page.List, page.Total);
        }

        // The first page is asked for now, while the circuit renders the pane (the grid asks for its data only once its
        // first render is in the browser): listing a big folder overlaps the first render instead of following it.
        _firstPage = (_remote, _path, Api.ListAsync(_remote, _path, 0, PageSize, DefaultSort, null, false, _disposed.Token));
    }

    /// <summary>The path rclone and jobs take for <paramref name="path"/> on <paramref name="remote"/>.</summary>
    public static string JobPath(string remote, string path) =>
        remote == RemoteOption.Local ? "/" + path.TrimStart('/') : remote + ":" + path;

    internal static string Join(string folder, string name) => string.IsNullOrEmpty(folder) ? name : folder.TrimEnd('/') + "/" + name;

    private IEnumerable<(string Label, string Path)> Crumbs
    {
        get
        {
            yield return (_remote == RemoteOption.Local ? "/" : _remote + ":", string.Empty);
            var parts = _path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < parts.Length; i++)
            {
                yield return (parts[i], string.Join('/', parts[..(i + 1)]));
            }
        }
    }

    /// <summary>The grid's <c>ServerData</c>: one page of the folder from the Api.</summary>
    private async Task<GridData<FileEntry>> LoadAsync(GridState<FileEntry> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault() is { } by
            ? (by.Descending ? "-" : string.Empty) + (by.SortBy switch { nameof(FileEntry.Size) => "size", nameof(FileEntry.ModTime) => "modtime", _ => "name" })
            : DefaultSort;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token, cancellationToken);
        var refresh = _refresh;
        _refresh = false;
        var prefetched = _firstPage;
        _firstPage = null;
        var result = prefetched is { } first && first.Remote == _remote && first.Path == _path && !refresh && state.Page == 0
            && state.PageSize == PageSize && sort == DefaultSort && _filter is null
            ? await first.Page
            : await Api.ListAsync(_remote, _path, state.Page * state.PageSize, state.PageSize, sort, _filter, refresh, linked.Token);
        if (!result.IsSuccess)
        {
            _error = result.Error;
            _read = null;
            _total = 0;
            StateHasChanged();
            return new GridData<FileEntry> { Items = [], TotalItems = 0 };
        }

        _error = null;
        _read = result.Value.Read;
        _total = result.Value.Page.Total;
        StateHasChanged();
        if (_prerendered is not null)
        {
            _ = ShowLiveGridAsync();
        }

        return new GridData<FileEntry> { Items = result.Value.Page.List, TotalItems = result.Value.Page.Total };
    }

    /// <summary>
    /// Swaps the prerendered page for the live grid once the grid has rendered its first page: the grid renders the rows
    /// <see cref="LoadAsync"/> returns as soon as it returns (same turn of the renderer), this runs on the next turn.
    /// </summary>
    private async Task ShowLiveGridAsync()
    {
        await Task.Yield();
        _prerendered = null;
        StateHasChanged();
    }

    private async Task OnRemoteChangedAsync(string remote)
    {
        _remote = remote;
        _about = null;
        await OpenAsync(string.Empty);
    }

    /// <summary>Opens <paramref name="path"/>: first page, nothing ticked.</summary>
    public async Task OpenAsync(string path)
    {
        _path = path.Trim('/');
        _size = null;
        _selected = new HashSet<FileEntry>(EntryComparer.Instance);
        await SelectionChanged.InvokeAsync(_selected);
        await LocationChanged.InvokeAsync((_remote, _path));
        await FirstPageAsync();
    }

    /// <summary>Lists the folder again: the Api pages a listing it read up to 30 s ago unless asked to refresh.</summary>
    private async Task RefreshAsync()
    {
        _refresh = true;
        await FirstPageAsync();
    }

    private async Task OnFilterChangedAsync(string? filter)
    {
        _filter = string.IsNullOrWhiteSpace(filter) ? null : filter.Trim();
        await FirstPageAsync();
    }

    private async Task FirstPageAsync()
    {
        if (_grid is null)
        {
            return;
        }

        if (_grid.CurrentPage != 0)
        {
            _grid.NavigateTo(Page.First);
            return;
        }

        await _grid.ReloadServerData();
    }

    private Task OnSelectionChanged(HashSet<FileEntry> selected)
    {
        _selected = selected;
        return SelectionChanged.InvokeAsync(selected);
    }

    private async Task AboutAsync()
    {
        var result = await Api.AboutAsync(_remote, string.Empty, _disposed.Token);
        _about = result.IsSuccess ? result.Value.About : null;
        _error = result.Error;
    }

    private async Task SizeAsync()
    {
        var result = await Api.SizeAsync(_remote, _path, _disposed.Token);
        _size = result.IsSuccess ? result.Value.Size : null;
        _error = result.Error;
    }

    private static string Bytes(long? bytes) => bytes is { } b ? Humanize.Bytes(b) : "—";

    private static string RowClass(FileEntry entry, int index) => entry.IsDir ? "entry-row entry-dir-row" : "entry-row";

    public void Dispose()
    {
        _persisting?.Dispose();
        _disposed.Cancel();
    }
}

/// <summary>A remote the file browser can open: a configured remote by name, or <see cref="Local"/>.</summary>
public sealed record RemoteOption(string Name, string Label)
{
    /// <summary>The local filesystem of rclone's host.</summary>
    public const string Local = ":local";
}

/// <summary>Entries are the same when their paths are (pages are new objects each time).</summary>
internal sealed class EntryComparer : IEqualityComparer<FileEntry>
{
    public static readonly EntryComparer Instance = new();

    public bool Equals(FileEntry? x, FileEntry? y) => string.Equals(x?.Path, y?.Path, StringComparison.Ordinal) && x?.IsDir == y?.IsDir;

    public int GetHashCode(FileEntry obj) => StringComparer.Ordinal.GetHashCode(obj.Path);
}

using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The operator's file browser: a source pane (a remote or the local filesystem, a page at a time, entries ticked) and a
/// destination pane (the folder to copy or move to). Start runs the operation on the ticked entries — or on the open
/// folder when none is ticked: each folder as one job (copy, move, sync or delete), the files together as one batch of
/// file operations (copyfile, movefile, deletefile). Asked first; what started is linked and said in a snackbar.
/// Prerendered: the request reads the remotes and each pane its first page; the interactive render takes them over.
/// </summary>
[Prerender]
public sealed partial class FileBrowser : IDisposable
{
    internal static readonly IReadOnlyList<string> Operations = ["copy", "move", "sync", "delete"];

    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<RemoteOption> _remotes = [new(RemoteOption.Local, "Local filesystem")];
    private ApiError? _remotesError;
    private (string Remote, string Path) _from = (RemoteOption.Local, string.Empty);
    private (string Remote, string Path) _to = (RemoteOption.Local, string.Empty);
    private IReadOnlyCollection<FileEntry> _selected = [];
    private string _op = "copy";
    private bool _starting;
    private string? _problem;
    private ApiError? _startError;
    private List<(string Id, string Label)> _started = [];
    private PersistingComponentStateSubscription? _persisting;
    private const string RemotesKey = "browse:remotes";

    [Inject]
    private PersistentComponentState PageState { get; set; } = default!;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The source remote from the address: <c>/browse?remote=s3prod&amp;path=photos</c>.</summary>
    [SupplyParameterFromQuery(Name = "remote")]
    public string? Remote { get; set; }

    [SupplyParameterFromQuery(Name = "path")]
    public string? Path { get; set; }

    /// <summary>The destination pane's remote and folder: <c>&amp;toRemote=…&amp;to=…</c>.</summary>
    [SupplyParameterFromQuery(Name = "toRemote")]
    public string? ToRemote { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    private bool CanStart => !_starting && (_op == "delete" || _selected.Count > 0 || !string.IsNullOrEmpty(_from.Path) || _from != _to);

    private string PlanText
    {
        get
        {
            var what = _selected.Count == 0
                ? $"the folder {RemotePane.JobPath(_from.Remote, _from.Path)}"
                : $"{_selected.Count(e => e.IsDir)} folder(s) and {_selected.Count(e => !e.IsDir)} file(s)";
            return _op == "delete" ? $"Delete {what}." : $"{char.ToUpperInvariant(_op[0])}{_op[1..]} {what} to {RemotePane.JobPath(_to.Remote, _to.Path)}.";
        }
    }

    protected override async Task OnInitializedAsync()
    {
        _from = (Remote ?? RemoteOption.Local, (Path ?? string.Empty).Trim('/'));
        _to = (ToRemote ?? RemoteOption.Local, (To ?? string.Empty).Trim('/'));
        var remotes = PageState.TryTake(RemotesKey, WebJsonContext.Default.RemoteList, out var kept)
            ? ApiResult<RemoteList>.Ok(kept)
            : await Api.GetRemotesAsync(_disposed.Token);
        if (remotes.IsSuccess)
        {
            _remotes = [new(RemoteOption.Local, "Local filesystem"), .. remotes.Value.Remotes.Select(r => new RemoteOption(r.Name, $"{r.Name}: ({r.Type ?? "remote"})"))];
            if (!RendererInfo.IsInteractive)
            {
                _persisting = PageState.Keep(RemotesKey, () => remotes.Value, WebJsonContext.Default.RemoteList);
            }
        }
        else
        {
            _remotesError = remotes.Error;
        }
    }

    private void OnSourceMoved((string Remote, string Path) location) => _from = location;

    private void OnDestinationMoved((string Remote, string Path) location) => _to = location;

    private void OnSelectionChanged(IReadOnlyCollection<FileEntry> selected) => _selected = [.. selected];

    /// <summary>The jobs and the batch that Start would submit, or a reason it cannot.</summary>
    internal static (IReadOnlyList<JobRequest> Jobs, BatchSubmission? Batch, string? Problem) Plan(string op, (string Remote, string Path) from,
        (string Remote, string Path) to, IReadOnlyCollection<FileEntry> selected)
    {
        var destination = RemotePane.JobPath(to.Remote, to.Path);
        if (selected.Count == 0)
        {
            var source = RemotePane.JobPath(from.Remote, from.Path);
            if (op != "delete" && source == destination)
            {
                return ([], null, "The source and the destination are the same folder.");
            }

            return ([new JobRequest { Type = op, Source = source, Destination = op == "delete" ? null : destination }], null, null);
        }

        var jobs = new List<JobRequest>();
        foreach (var folder in selected.Where(e => e.IsDir).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var source = RemotePane.JobPath(from.Remote, RemotePane.Join(from.Path, folder.Name));
            jobs.Add(new JobRequest
            {
                Type = op,
                Source = source,
                Destination = op == "delete" ? null : RemotePane.JobPath(to.Remote, RemotePane.Join(to.Path, folder.Name)),
            });
        }

        var files = selected.Where(e => !e.IsDir).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        if (files.Count > 0 && op == "sync")
        {
            return ([], null, "Sync works on folders: tick folders, or copy the files instead.");
        }

        BatchSubmission? batch = null;
        if (files.Count > 0)
        {
            var fileOp = op switch { "move" => "movefile", "delete" => "deletefile", _ => "copyfile" };
            batch = new BatchSubmission
            {
                Name = $"{op} of {files.Count} file(s) from the file browser",
                Items = [.. files.Select(f => new BatchItemRequest
                {
                    Op = fileOp,
                    Source = RemotePane.JobPath(from.Remote, RemotePane.Join(from.Path, f.Name)),
                    Destination = fileOp == "deletefile" ? null : RemotePane.JobPath(to.Remote, RemotePane.Join(to.Path, f.Name)),
                })],
            };
        }

        return (jobs, batch, null);
    }

    private async Task StartAsync()
    {
        _problem = null;
        _startError = null;
        var (jobs, batch, problem) = Plan(_op, _from, _to, _selected);
        if (problem is not null)
        {
            _problem = problem;
            return;
        }

        var what = (jobs.Count > 0 ? $"{jobs.Count} job(s)" : string.Empty)
            + (jobs.Count > 0 && batch is not null ? " and " : string.Empty)
            + (batch is not null ? $"a batch of {batch.Items!.Count} file operation(s)" : string.Empty);
        var question = new ConfirmQuestion($"{PlanText} This starts {what}.", "Yes, start")
        {
            ConfirmColor = _op is "delete" or "sync" or "move" ? Color.Warning : Color.Primary,
        };
        if (!await ConfirmDialog.AskAsync(Dialogs, "Start", question))
        {
            return;
        }

        _starting = true;
        _started = [];
        try
        {
            foreach (var job in jobs)
            {
                var validation = JobValidator.Validate(job);
                if (!validation.IsValid)
                {
                    _problem = string.Join(" ", validation.Errors.SelectMany(e => e.Value));
                    return;
                }

                var result = await Api.SubmitJobAsync(job, _disposed.Token);
                if (!result.IsSuccess)
                {
                    _startError = result.Error;
                    return;
                }

                _started.Add((result.Value.Id, job.Type!));
            }

            if (batch is not null)
            {
                var result = await Api.SubmitBatchAsync(batch, _disposed.Token);
                if (!result.IsSuccess)
                {
                    _startError = result.Error;
                    return;
                }

                _started.Add((result.Value.Id, "batch"));
            }

            Snackbar.Add($"Started {what}.", Severity.Success);
        }
        finally
        {
            _starting = false;
            if (_startError is not null)
            {
                Snackbar.Add(_startError.Message, Severity.Error);
            }
        }
    }

    public void Dispose()
    {
        _persisting?.Dispose();
        _disposed.Cancel();
    }
}

using Microsoft.AspNetCore.Components;
using Rcmd.Jobs;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The form that submits a job. Fields are checked with the same <see cref="JobValidator"/> the Api uses, so the
/// messages next to the fields are the Api's; whatever the Api still refuses (a 400) lands next to the same fields.
/// On success the browser goes to the new job's page. Type "batch" turns the form into a batch: a list of file operations
/// pasted one a line, or a directory pair with include/exclude globs; checked with the Api's <see cref="Batches.BatchValidator"/>
/// (messages per line) and sent to <c>POST /api/batches</c>.
/// </summary>
public sealed partial class NewJob : IDisposable
{
    private static readonly IReadOnlyList<string> DirectoryOps = ["copyfile", "movefile"];
    private static readonly IReadOnlyList<KindOption> BatchKinds =
    [
        new(NewJobForm.ItemsKind, "a list of file operations"),
        new(NewJobForm.DirectoryKind, "every file of a directory"),
    ];

    private readonly CancellationTokenSource _disposed = new();
    private readonly NewJobForm _form = new();
    private Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);
    private IReadOnlyList<RemoteOption> _remoteOptions = [];
    private ApiError? _remotesError;
    private ApiError? _submitError;
    private bool _attempted;
    private bool _submitting;

    private enum PathField
    {
        Source,
        Destination,
    }

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private bool HasDestination => !JobTypes.TryParse(_form.Type, out var type) || type.HasDestination();

    private string TypeHint => JobTypes.TryParse(_form.Type, out var type) ? type switch
    {
        JobType.Copy => "Copy a directory tree; files already at the destination are skipped.",
        JobType.Sync => "Make the destination identical to the source — files only at the destination are deleted.",
        JobType.Move => "Move a directory tree: copy, then delete from the source.",
        JobType.CopyFile => "Copy one file; both paths name a file.",
        JobType.MoveFile => "Move one file; both paths name a file.",
        JobType.Delete => "Delete the files under the source path (directories stay).",
        JobType.Batch => "Many file operations run as one job, with a result for every item; resume it or retry its failed items later.",
        _ => string.Empty,
    } : string.Empty;

    protected override async Task OnInitializedAsync()
    {
        // /batches/new is the same form, opened on a batch.
        if (Navigation.ToBaseRelativePath(Navigation.Uri).StartsWith("batches/new", StringComparison.OrdinalIgnoreCase))
        {
            _form.Type = "batch";
        }

        var remotes = await Api.GetRemotesAsync(_disposed.Token);
        if (remotes.IsSuccess)
        {
            _remoteOptions =
            [
                .. remotes.Value.Remotes.Select(r => new RemoteOption(r.Name + ":", $"{r.Name}: ({r.Type ?? "remote"})")),
                .. remotes.Value.InlineBackends.Select(b => new RemoteOption(b, $"{b} (inline)")),
            ];
        }
        else
        {
            _remotesError = remotes.Error;
        }
    }

    private string ItemsPlaceholder => _form.BatchOp == "deletefile"
        ? "/data/tmp/a.tmp\n/data/tmp/b.tmp"
        : "/data/in/a.jpg -> /data/out/a.jpg\n/data/in/b.jpg -> s3prod:bucket/b.jpg";

    private IReadOnlyList<string>? ErrorsFor(string field) => _errors.TryGetValue(field, out var messages) ? messages : null;

    /// <summary>
    /// The messages of <paramref name="field"/> and of its elements (<c>items[3].source</c>), each element's named for
    /// people: "Line 7: …" (the line of the text box it came from).
    /// </summary>
    private List<string>? GroupedErrors(string field, string element)
    {
        var messages = new List<string>();
        foreach (var (key, values) in _errors.OrderBy(e => ElementIndex(e.Key, field) ?? -1).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            if (key == field)
            {
                messages.AddRange(values);
            }
            else if (ElementIndex(key, field) is { } index)
            {
                var line = field == "items" ? _form.LineOfItem(index) : index + 1;
                messages.AddRange(values.Select(v => $"{element} {line}: {v}"));
            }
        }

        return messages.Count == 0 ? null : messages;
    }

    /// <summary>3 for <c>items[3]</c> or <c>items[3].source</c> when <paramref name="field"/> is <c>items</c>; null otherwise.</summary>
    private static int? ElementIndex(string key, string field)
    {
        if (!key.StartsWith(field + "[", StringComparison.Ordinal))
        {
            return null;
        }

        var end = key.IndexOf(']', field.Length);
        return end > 0 && int.TryParse(key.AsSpan(field.Length + 1, end - field.Length - 1), System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? index
            : null;
    }

    /// <summary>After the first submit, every change re-checks the form so messages go away as the user fixes them.</summary>
    private void OnFieldChanged()
    {
        if (_attempted)
        {
            _errors = new Dictionary<string, string[]>(_form.IsBatch ? _form.ValidateBatch().Errors : JobValidator.Validate(_form.ToRequest()).Errors,
                StringComparer.Ordinal);
        }
    }

    private async Task SubmitBatchAsync(NewJobForm form)
    {
        var validator = form.ValidateBatch();
        _errors = new Dictionary<string, string[]>(validator.Errors, StringComparer.Ordinal);
        if (!validator.IsValid)
        {
            return;
        }

        _submitting = true;
        try
        {
            var result = await Api.SubmitBatchAsync(form.ToBatch(), _disposed.Token);
            if (result.IsSuccess)
            {
                Navigation.NavigateTo("jobs/" + Uri.EscapeDataString(result.Value.Id));
                return;
            }

            _errors = new Dictionary<string, string[]>(result.Error.Fields, StringComparer.Ordinal);
            _submitError = result.Error;
        }
        finally
        {
            _submitting = false;
        }
    }

    private async Task SubmitAsync(NewJobForm form)
    {
        _attempted = true;
        _submitError = null;
        if (form.IsBatch)
        {
            await SubmitBatchAsync(form);
            return;
        }

        var request = form.ToRequest();
        var validation = JobValidator.Validate(request);
        _errors = new Dictionary<string, string[]>(validation.Errors, StringComparer.Ordinal);
        if (!validation.IsValid)
        {
            return;
        }

        _submitting = true;
        try
        {
            var result = await Api.SubmitJobAsync(request, _disposed.Token);
            if (result.IsSuccess)
            {
                Navigation.NavigateTo("jobs/" + Uri.EscapeDataString(result.Value.Id));
                return;
            }

            _errors = new Dictionary<string, string[]>(result.Error.Fields, StringComparer.Ordinal);
            _submitError = result.Error;
        }
        finally
        {
            _submitting = false;
        }
    }

    /// <summary>The picker entry whose prefix the path starts with (the longest), or null for a local path.</summary>
    private string? PrefixOf(string? path) => string.IsNullOrEmpty(path)
        ? null
        : _remoteOptions.Where(o => path.StartsWith(o.Prefix, StringComparison.Ordinal))
            .OrderByDescending(o => o.Prefix.Length).Select(o => o.Prefix).FirstOrDefault();

    /// <summary>Puts <paramref name="prefix"/> in front of the path, replacing the remote it named before.</summary>
    private void SetPrefix(PathField field, string? prefix)
    {
        var path = (field == PathField.Source ? _form.Source : _form.Destination) ?? string.Empty;
        var current = PrefixOf(path);
        var rest = current is null ? path : path[current.Length..];
        var updated = (prefix ?? string.Empty) + rest;
        if (field == PathField.Source)
        {
            _form.Source = updated;
        }
        else
        {
            _form.Destination = updated;
        }

        OnFieldChanged();
    }

    public void Dispose() => _disposed.Cancel();

    private sealed record RemoteOption(string Prefix, string Label);

    private sealed record KindOption(string Value, string Label);
}

/// <summary>What the New job form edits.</summary>
public sealed class NewJobForm
{
    public string? Type { get; set; } = "copy";
    public string? Source { get; set; }
    public string? Destination { get; set; }
    public bool DryRun { get; set; }

    public const string ItemsKind = "items";
    public const string DirectoryKind = "directory";

    public string? BatchName { get; set; }

    /// <summary><see cref="ItemsKind"/> (pasted lines) or <see cref="DirectoryKind"/> (a directory pair).</summary>
    public string BatchKind { get; set; } = ItemsKind;

    /// <summary>copyfile, movefile or deletefile (a directory batch: copyfile or movefile).</summary>
    public string? BatchOp { get; set; } = "copyfile";

    /// <summary>One item a line: <c>source -&gt; destination</c>, or the two separated by a tab; deletefile: the source only.</summary>
    public string? BatchItems { get; set; }

    public string? DirectorySource { get; set; }
    public string? DirectoryDestination { get; set; }

    /// <summary>Include globs, one a line.</summary>
    public string? Include { get; set; }

    /// <summary>Exclude globs, one a line.</summary>
    public string? Exclude { get; set; }

    public int Concurrency { get; set; } = Rcmd.Batches.BatchOptions.DefaultConcurrency;

    public bool IsBatch => string.Equals(Type, "batch", StringComparison.OrdinalIgnoreCase);

    public bool IsDirectoryBatch => IsBatch && BatchKind == DirectoryKind;

    private static readonly string[] Arrows = [" -> ", " → ", "\t"];

    /// <summary>The pasted lines that hold an item (not blank, not a <c>#</c> comment), with their line numbers (from 1).</summary>
    private IEnumerable<(int Line, string Text)> ItemLines() =>
        (BatchItems ?? string.Empty).Split('\n')
            .Select((text, i) => (Line: i + 1, Text: text.TrimEnd('\r')))
            .Where(l => !string.IsNullOrWhiteSpace(l.Text) && !l.Text.TrimStart().StartsWith('#'));

    /// <summary>The line of the text box that item <paramref name="index"/> came from.</summary>
    public int LineOfItem(int index) => ItemLines().ElementAtOrDefault(index) is { Line: > 0 } item ? item.Line : index + 1;

    public IReadOnlyList<Rcmd.Batches.BatchItemRequest> ParseItems() => [.. ItemLines().Select(l => ParseItem(l.Text))];

    private Rcmd.Batches.BatchItemRequest ParseItem(string line)
    {
        if (BatchOp == "deletefile")
        {
            return new Rcmd.Batches.BatchItemRequest { Op = BatchOp, Source = line.Trim() };
        }

        foreach (var arrow in Arrows)
        {
            var at = line.IndexOf(arrow, StringComparison.Ordinal);
            if (at >= 0)
            {
                return new Rcmd.Batches.BatchItemRequest { Op = BatchOp, Source = line[..at].Trim(), Destination = line[(at + arrow.Length)..].Trim() };
            }
        }

        return new Rcmd.Batches.BatchItemRequest { Op = BatchOp, Source = line.Trim() };
    }

    private static List<string>? Lines(string? text)
    {
        var lines = (text ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? null : lines;
    }

    public BatchSubmission ToBatch() => new()
    {
        Name = string.IsNullOrWhiteSpace(BatchName) ? null : BatchName.Trim(),
        Items = IsDirectoryBatch ? null : ParseItems(),
        Directory = IsDirectoryBatch
            ? new Rcmd.Batches.BatchDirectory
            {
                Source = DirectorySource?.Trim(),
                Destination = DirectoryDestination?.Trim(),
                Include = Lines(Include),
                Exclude = Lines(Exclude),
            }
            : null,
        Op = IsDirectoryBatch ? BatchOp : null,
        Options = new Rcmd.Batches.BatchOptions { Concurrency = Concurrency, DryRun = DryRun },
    };

    /// <summary>The Api's own checks of the batch the form would send (field names as the Api's: <c>items[3].source</c>).</summary>
    public Rcmd.Batches.BatchValidator ValidateBatch()
    {
        var batch = ToBatch();
        var validator = new Rcmd.Batches.BatchValidator();
        validator.CheckName(batch.Name);
        if (batch.Directory is { } directory)
        {
            validator.CheckDirectory(directory, batch.Op);
        }
        else
        {
            var items = batch.Items ?? [];
            for (var i = 0; i < items.Count && validator.ErrorCount < Rcmd.Batches.BatchValidator.MaxListedErrors; i++)
            {
                validator.CheckItem(i, items[i]);
            }

            validator.CheckCount(items.Count);
        }

        validator.CheckOptions(batch.Options);
        return validator;
    }

    public JobRequest ToRequest()
    {
        var hasDestination = !JobTypes.TryParse(Type, out var type) || type.HasDestination();
        return new JobRequest
        {
            Type = Type,
            Source = Source?.Trim(),
            Destination = hasDestination ? Destination?.Trim() : null,
            Options = new JobOptions { DryRun = DryRun },
        };
    }
}

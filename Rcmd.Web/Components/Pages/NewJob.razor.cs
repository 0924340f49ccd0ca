using Microsoft.AspNetCore.Components;
using Rcmd.Jobs;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The form that submits a job. Fields are checked with the same <see cref="JobValidator"/> the Api uses, so the
/// messages next to the fields are the Api's; whatever the Api still refuses (a 400) lands next to the same fields.
/// On success the browser goes to the new job's page.
/// </summary>
public sealed partial class NewJob : IDisposable
{
    private static readonly Dictionary<string, object> TypeInputAttributes = new() { ["data-testid"] = "type-input" };

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
        _ => string.Empty,
    } : string.Empty;

    protected override async Task OnInitializedAsync()
    {
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

    private IReadOnlyList<string>? ErrorsFor(string field) => _errors.TryGetValue(field, out var messages) ? messages : null;

    /// <summary>After the first submit, every change re-checks the form so messages go away as the user fixes them.</summary>
    private void OnFieldChanged()
    {
        if (_attempted)
        {
            _errors = new Dictionary<string, string[]>(JobValidator.Validate(_form.ToRequest()).Errors, StringComparer.Ordinal);
        }
    }

    private async Task SubmitAsync(NewJobForm form)
    {
        _attempted = true;
        _submitError = null;
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
}

/// <summary>What the New job form edits.</summary>
public sealed class NewJobForm
{
    public string? Type { get; set; } = "copy";
    public string? Source { get; set; }
    public string? Destination { get; set; }
    public bool DryRun { get; set; }

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

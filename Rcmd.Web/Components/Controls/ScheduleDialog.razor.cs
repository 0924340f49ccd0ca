using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rcmd.Schedules;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// The create/edit dialog of a schedule. It saves through the Api itself and stays open on a refusal, showing each
/// field's messages under it (invalid cron, unknown zone, a job the Api would refuse); it closes with the saved
/// <see cref="ScheduleView"/>.
/// </summary>
public sealed partial class ScheduleDialog : IDisposable
{
    private const string CronPlaceholder = "0 2 * * *  or  @daily";
    private const string CronHelp = "5 fields (minute hour day month weekday), 6 with seconds first, or @hourly, @daily…";
    private readonly CancellationTokenSource _disposed = new();
    private ApiError? _error;
    private bool _saving;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    /// <summary>The schedule being edited; null to create one.</summary>
    [Parameter]
    public string? ScheduleId { get; set; }

    [Parameter]
    public ScheduleForm Form { get; set; } = new();

    /// <summary>Editing a schedule that runs a batch: a batch of items is kept as it is (a directory pair is edited in <see cref="Form"/>).</summary>
    [Parameter]
    public ScheduleBatch? Batch { get; set; }

    /// <summary>A batch of items the form cannot show as lines (their ops differ): sent back as it was.</summary>
    private bool KeepsBatch => Form.KeepsItems;

    private string ItemsPlaceholder => Form.ItemsNeedDestination
        ? $"/data/in/a.jpg{ScheduleForm.ItemArrow}remote:bucket/a.jpg"
        : "remote:bucket/old.log";

    private string ItemsHelp => Form.ItemsNeedDestination
        ? $"source{ScheduleForm.ItemArrow}destination (or a tab between them); at most {Rcmd.Schedules.ScheduleConstants.MaxBatchItems}"
        : $"the file to delete; at most {Rcmd.Schedules.ScheduleConstants.MaxBatchItems}";

    private string ZoneName => string.IsNullOrWhiteSpace(Form.TimeZone) ? "UTC" : Form.TimeZone.Trim();

    private IReadOnlyList<string>? ErrorsFor(string field) =>
        _error is { Kind: ApiErrorKind.Invalid } error && error.Fields.TryGetValue(field, out var messages) ? messages : null;

    /// <summary>The items' errors: the list's own, then each item's (<c>batch.items[3].source</c>) by its line number.</summary>
    private List<string>? ItemErrors()
    {
        if (_error is not { Kind: ApiErrorKind.Invalid } error)
        {
            return null;
        }

        var list = new List<string>(ErrorsFor("batch.items") ?? []);
        foreach (var (field, messages) in error.Fields)
        {
            if (ItemField().Match(field) is { Success: true } match)
            {
                var line = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1;
                list.AddRange(messages.Select(m => $"Item {line}: {m}"));
            }
        }

        return list.Count == 0 ? null : list;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^batch\.items\[(\d+)\]")]
    private static partial System.Text.RegularExpressions.Regex ItemField();

    private async Task SaveAsync()
    {
        if (_saving)
        {
            return;
        }

        _saving = true;
        try
        {
            var request = Form.ToRequest(out var formErrors);
            if (formErrors.Count > 0)
            {
                // A date the form cannot read: said under its field, nothing sent.
                _error = new ApiError(ApiErrorKind.Invalid, "The schedule is not valid.") { Fields = formErrors };
                return;
            }

            if (KeepsBatch && Batch is { } batch)
            {
                request = request with { Job = null, Batch = ToRequest(batch) };
            }

            var result = ScheduleId is null
                ? await Api.CreateScheduleAsync(request, _disposed.Token)
                : await Api.ReplaceScheduleAsync(ScheduleId, request, _disposed.Token);
            if (result.IsSuccess)
            {
                Dialog.Close(DialogResult.Ok(result.Value));
                return;
            }

            _error = result.Error;
            if (_error.Kind == ApiErrorKind.Invalid && _error.Fields.Count == 0)
            {
                // A refusal with no field to point at: show it as a banner.
                _error = _error with { Kind = ApiErrorKind.Failed };
            }
        }
        finally
        {
            _saving = false;
        }
    }

    private void Cancel() => Dialog.Cancel();

    /// <summary>A stored batch as the Api takes it back (items keep their ops, paths and options).</summary>
    private static ScheduleBatchRequest ToRequest(ScheduleBatch batch) => new()
    {
        Name = batch.Name,
        Op = batch.Op is { } op ? Rcmd.Batches.BatchOps.ToWire(op) : null,
        Items = batch.Items?.Select(i => new Rcmd.Batches.BatchItemRequest
        {
            Op = Rcmd.Batches.BatchOps.ToWire(i.Op),
            Source = i.Source,
            Destination = i.Destination,
        }).ToList(),
        Directory = batch.Directory,
        Options = batch.Options,
    };

    /// <summary>Opens the dialog; the saved schedule, or null when it was cancelled.</summary>
    public static async Task<ScheduleView?> ShowAsync(IDialogService dialogs, ScheduleView? existing)
    {
        ArgumentNullException.ThrowIfNull(dialogs);
        var parameters = new DialogParameters<ScheduleDialog>
        {
            { d => d.ScheduleId, existing?.Schedule.Id },
            { d => d.Form, existing is null ? new ScheduleForm() : ScheduleForm.From(existing.Schedule) },
            { d => d.Batch, existing?.Schedule.Batch },
        };
        var dialog = await dialogs.ShowAsync<ScheduleDialog>(existing is null ? "New schedule" : $"Edit {existing.Schedule.Name}", parameters,
            new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Medium, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: ScheduleView view } ? view : null;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}

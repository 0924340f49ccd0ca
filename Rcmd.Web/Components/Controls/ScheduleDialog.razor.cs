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

    private bool IsItemsBatch => Batch is { Directory: null };

    private IReadOnlyList<string>? ErrorsFor(string field) =>
        _error is { Kind: ApiErrorKind.Invalid } error && error.Fields.TryGetValue(field, out var messages) ? messages : null;

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

            if (IsItemsBatch && Batch is { } batch)
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

using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rcmd.Web.Components.Controls;
using Rcmd.Jobs;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// One job: parameters, live progress, error (with its suggestion and "explain"), the timeline of attempts, and the
/// actions Cancel, Retry now (a waiting job) and Run again (a failed or canceled job), each confirmed first. For a batch:
/// its partial-success report (<see cref="Controls.BatchReportView"/>) and the actions Resume (a partially failed or
/// canceled batch with work left) and Retry failed items (a finished batch with failed items).
/// </summary>
public sealed partial class JobDetail : IDisposable
{
    internal enum PendingAction
    {
        None,
        RetryNow,
        Rerun,
        Resume,
        RetryFailed,
    }

    private readonly CancellationTokenSource _disposed = new();
    private Job? _job;
    private bool _loading = true;
    private bool _notFound;
    private ApiError? _error;
    private bool _canceling;
    private string? _actionMessage;
    private ApiError? _actionError;
    private bool _acting;
    private string? _newJobId;
    private string? _subscribedId;
    private IDisposable? _jobUpdates;
    private IDisposable? _connection;

    [Parameter]
    public string Id { get; set; } = string.Empty;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private bool CanCancel => _job is { } job && !job.State.IsTerminal() && !job.CancelRequested && !_canceling;

    private bool CanRetryNow => _job is { State: JobState.Waiting } && !_acting;

    private bool CanRerun => _job is { State: JobState.Failed or JobState.Canceled } and not { Type: JobType.Batch } && !_acting;

    private bool IsBatch => _job is { Type: JobType.Batch };

    private bool CanResume => _job is { Type: JobType.Batch, State: JobState.PartiallyFailed or JobState.Canceled, Batch.CanResume: true } && !_acting;

    private bool CanRetryFailed => _job is { Type: JobType.Batch, Batch.Failed: > 0 } job && job.State.IsTerminal() && !_acting;

    private string ResumeTitle => _job switch
    {
        _ when CanResume => "Continue the batch from its checkpoint: pending, retry-queued and retryably failed items run; done items never run again",
        { State: JobState.PartiallyFailed or JobState.Canceled } => "Nothing is left to resume: every item has a final result.",
        { State: var s } => $"The batch is {s.ToWire().Replace('_', ' ')}; only a partially failed or canceled batch can be resumed.",
        _ => string.Empty,
    };

    private string RetryFailedTitle => _job switch
    {
        _ when CanRetryFailed => "Queue a new batch of exactly the failed items",
        { State: var s } when !s.IsTerminal() => "Wait until the batch ends to retry its failed items.",
        _ => "No item failed.",
    };

    private string CancelDisabledReason => _job switch
    {
        { State: var s } when s.IsTerminal() => $"The job has {s.ToWire()}: nothing to cancel.",
        { CancelRequested: true } => "Cancel already requested.",
        _ => "Canceling…",
    };

    protected override void OnInitialized() =>
        _connection = Live.SubscribeConnection(connected => connected ? InvokeAsync(LoadAsync) : Task.CompletedTask);

    protected override async Task OnParametersSetAsync()
    {
        if (_subscribedId == Id)
        {
            return;
        }

        // A new id (navigation from one job to another reuses the component).
        _jobUpdates?.Dispose();
        _subscribedId = Id;
        var id = Id;
        _job = null;
        _loading = true;
        _notFound = false;
        _error = null;
        _actionMessage = null;
        _actionError = null;
        _newJobId = null;
        _jobUpdates = Live.SubscribeJob(id, jobs => InvokeAsync(() => Apply(jobs)));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var id = Id;
        var result = await Api.GetJobAsync(id, _disposed.Token);
        if (id != Id)
        {
            return;
        }

        _loading = false;
        if (result.IsSuccess)
        {
            _error = null;
            _notFound = false;
            Merge(result.Value);
        }
        else
        {
            _notFound = result.Error.Kind == ApiErrorKind.NotFound;
            _error = result.Error;
        }

        StateHasChanged();
    }

    private void Apply(IReadOnlyList<Job> jobs)
    {
        foreach (var job in jobs)
        {
            if (job.Id == Id)
            {
                _loading = false;
                _notFound = false;
                Merge(job);
            }
        }

        StateHasChanged();
    }

    private void Merge(Job job)
    {
        if (_job is null || _job.UpdatedAt <= job.UpdatedAt)
        {
            _job = job;
        }

        if (_job.State.IsTerminal())
        {
            if (_actionMessage is not null && _job.State == JobState.Canceled)
            {
                _actionMessage = "The job was canceled.";
            }
        }
    }

    /// <summary>Asks first (a dialog); cancels when the user says yes and the job can still be canceled.</summary>
    private async Task AskCancelAsync()
    {
        _actionMessage = null;
        _actionError = null;
        if (_job is not { } job || !CanCancel)
        {
            return;
        }

        var question = new ConfirmQuestion(
            $"Cancel this {job.Type.ToWire()} job? " + (job.State == JobState.Running
                ? "rclone stops the transfer; files already copied stay."
                : "It leaves the queue and never runs."),
            "Yes, cancel the job", "No, keep it")
        {
            ConfirmColor = Color.Error,
            TestId = "cancel-confirmation",
            ConfirmTestId = "confirm-cancel",
            DismissTestId = "dismiss-cancel",
        };
        if (await ConfirmDialog.AskAsync(Dialogs, "Cancel job", question))
        {
            await ConfirmCancelAsync();
        }
    }

    /// <summary>Asks first (a dialog), then runs <paramref name="action"/> if it is still allowed.</summary>
    private async Task AskAsync(PendingAction action)
    {
        _actionMessage = null;
        _actionError = null;
        if (_job is not { } job || !IsAllowed(action))
        {
            return;
        }

        var batch = job.Batch;
        var question = action switch
        {
            PendingAction.RetryNow => new ConfirmQuestion("Queue this job now? It runs as soon as a Worker is free, before its planned retry time.", "Yes, retry now"),
            PendingAction.Resume => new ConfirmQuestion(
                $"Resume this batch? Its {Humanize.Number((batch?.Pending ?? 0) + (batch?.RetryQueued ?? 0) + (batch?.RetryableFailed ?? 0))} pending, retry-queued and retryably failed items run; items already done do not run again.",
                "Yes, resume"),
            PendingAction.RetryFailed => new ConfirmQuestion(
                $"Retry the {Humanize.Number(batch?.Failed ?? 0)} failed items? A new batch of exactly those items is queued; this one stays as it is.",
                "Yes, retry the failed items"),
            _ => new ConfirmQuestion($"Run this {job.Type.ToWire()} job again? A new job with the same source, destination and options is queued.", "Yes, run it again"),
        };
        var title = action switch
        {
            PendingAction.RetryNow => "Retry now",
            PendingAction.Resume => "Resume batch",
            PendingAction.RetryFailed => "Retry failed items",
            _ => "Run again",
        };
        if (await ConfirmDialog.AskAsync(Dialogs, title, question))
        {
            await ConfirmActionAsync(action);
        }
    }

    private bool IsAllowed(PendingAction action) => action switch
    {
        PendingAction.RetryNow => CanRetryNow,
        PendingAction.Rerun => CanRerun,
        PendingAction.Resume => CanResume,
        PendingAction.RetryFailed => CanRetryFailed,
        _ => false,
    };

    private async Task ConfirmActionAsync(PendingAction action)
    {
        if (!IsAllowed(action))
        {
            return;
        }

        _acting = true;
        try
        {
            var result = action switch
            {
                PendingAction.RetryNow => await Api.RetryNowAsync(Id, _disposed.Token),
                PendingAction.Resume => await Api.ResumeBatchAsync(Id, _disposed.Token),
                PendingAction.RetryFailed => await Api.RetryFailedItemsAsync(Id, _disposed.Token),
                _ => await Api.RerunAsync(Id, _disposed.Token),
            };
            if (!result.IsSuccess)
            {
                _actionError = result.Error;
                Snackbar.Add(result.Error.Message, Severity.Error);
                if (result.Error.Kind == ApiErrorKind.Conflict)
                {
                    await LoadAsync();
                }
            }
            else if (action == PendingAction.RetryNow)
            {
                Merge(result.Value);
                _actionMessage = "The job is back in the queue: it runs as soon as a Worker is free.";
            }
            else if (action == PendingAction.Resume)
            {
                Merge(result.Value);
                _actionMessage = "The batch is queued again: it continues from its checkpoint, and items already done do not run again.";
            }
            else
            {
                _newJobId = result.Value.Id;
                Snackbar.Add(IsBatch ? "The failed items were queued as a new batch." : "Queued as a new job.", Severity.Success);
            }

            if (result.IsSuccess && _actionMessage is not null)
            {
                Snackbar.Add(_actionMessage, Severity.Success);
            }
        }
        finally
        {
            _acting = false;
        }
    }

    private async Task ConfirmCancelAsync()
    {
        if (!CanCancel)
        {
            return;
        }

        _canceling = true;
        try
        {
            var result = await Api.CancelJobAsync(Id, _disposed.Token);
            if (result.IsSuccess)
            {
                Merge(result.Value);
                _actionMessage = result.Value.State == JobState.Canceled
                    ? "The job was canceled."
                    : "Cancel requested: the Worker is stopping the job.";
                Snackbar.Add(_actionMessage, Severity.Info);
            }
            else
            {
                _actionError = result.Error.Kind == ApiErrorKind.Conflict && result.Error.Code is null
                    ? result.Error with { Message = "The job can no longer be canceled: it has already finished." }
                    : result.Error;
                Snackbar.Add(_actionError.Message, Severity.Error);
                if (result.Error.Kind == ApiErrorKind.Conflict)
                {
                    await LoadAsync();
                }
            }
        }
        finally
        {
            _canceling = false;
        }
    }

    private static string AttemptClass(JobAttempt attempt) => attempt switch
    {
        { FinishedAt: null } => "attempt-running",
        { ErrorCode: null } => "attempt-ok",
        _ => "attempt-failed",
    };

    public void Dispose()
    {
        _jobUpdates?.Dispose();
        _connection?.Dispose();
        _disposed.Cancel();
    }
}

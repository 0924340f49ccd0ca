using Microsoft.AspNetCore.Components;
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
    private bool _confirmingCancel;
    private bool _canceling;
    private string? _actionMessage;
    private ApiError? _actionError;
    private PendingAction _pending;
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
        _confirmingCancel = false;
        _pending = PendingAction.None;
        _newJobId = null;
        _jobUpdates = Live.SubscribeJobs(jobs => InvokeAsync(() => Apply(jobs)), job => job.Id == id);
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
            _confirmingCancel = false;
            if (_actionMessage is not null && _job.State == JobState.Canceled)
            {
                _actionMessage = "The job was canceled.";
            }
        }
    }

    private void AskCancel()
    {
        _actionMessage = null;
        _actionError = null;
        _pending = PendingAction.None;
        _confirmingCancel = CanCancel;
    }

    private void Ask(PendingAction action)
    {
        _actionMessage = null;
        _actionError = null;
        _confirmingCancel = false;
        _pending = action switch
        {
            PendingAction.RetryNow when CanRetryNow => action,
            PendingAction.Rerun when CanRerun => action,
            PendingAction.Resume when CanResume => action,
            PendingAction.RetryFailed when CanRetryFailed => action,
            _ => PendingAction.None,
        };
    }

    private async Task ConfirmActionAsync()
    {
        var action = _pending;
        _pending = PendingAction.None;
        var allowed = action switch
        {
            PendingAction.RetryNow => CanRetryNow,
            PendingAction.Rerun => CanRerun,
            PendingAction.Resume => CanResume,
            PendingAction.RetryFailed => CanRetryFailed,
            _ => false,
        };
        if (!allowed)
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
            }
        }
        finally
        {
            _acting = false;
        }
    }

    private async Task ConfirmCancelAsync()
    {
        _confirmingCancel = false;
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
            }
            else
            {
                _actionError = result.Error.Kind == ApiErrorKind.Conflict && result.Error.Code is null
                    ? result.Error with { Message = "The job can no longer be canceled: it has already finished." }
                    : result.Error;
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

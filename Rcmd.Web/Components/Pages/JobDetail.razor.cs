using Microsoft.AspNetCore.Components;
using Rcmd.Jobs;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// One job: parameters, live progress, error (with its suggestion and "explain"), the timeline of attempts, and the
/// actions Cancel, Retry now (a waiting job) and Run again (a failed or canceled job), each confirmed first.
/// </summary>
public sealed partial class JobDetail : IDisposable
{
    internal enum PendingAction
    {
        None,
        RetryNow,
        Rerun,
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

    private bool CanRerun => _job is { State: JobState.Failed or JobState.Canceled } && !_acting;

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
            _ => PendingAction.None,
        };
    }

    private async Task ConfirmActionAsync()
    {
        var action = _pending;
        _pending = PendingAction.None;
        if (action == PendingAction.None || (action == PendingAction.RetryNow ? !CanRetryNow : !CanRerun))
        {
            return;
        }

        _acting = true;
        try
        {
            var result = action == PendingAction.RetryNow
                ? await Api.RetryNowAsync(Id, _disposed.Token)
                : await Api.RerunAsync(Id, _disposed.Token);
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

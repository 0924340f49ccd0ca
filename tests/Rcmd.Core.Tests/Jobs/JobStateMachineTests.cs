using Rcmd.Failures;
using Rcmd.Jobs;

namespace Rcmd.Core.Tests.Jobs;

public sealed class JobStateMachineTests
{
    private static readonly HashSet<(JobState, JobState)> Allowed =
    [
        (JobState.Queued, JobState.Running),
        (JobState.Queued, JobState.Canceled),
        (JobState.Queued, JobState.Failed),
        (JobState.Running, JobState.Succeeded),
        (JobState.Running, JobState.Failed),
        (JobState.Running, JobState.Canceled),
        (JobState.Running, JobState.Queued),
        (JobState.Running, JobState.Waiting),
        (JobState.Queued, JobState.Waiting),
        (JobState.Waiting, JobState.Queued),
        (JobState.Waiting, JobState.Canceled),
        (JobState.Running, JobState.PartiallyFailed),
        (JobState.PartiallyFailed, JobState.Queued),
        (JobState.Canceled, JobState.Queued),
    ];

    private readonly FakeTimeProvider _time = new();

    public static TheoryData<JobState, JobState> AllPairs()
    {
        var data = new TheoryData<JobState, JobState>();
        foreach (var from in JobStates.All)
        {
            foreach (var to in JobStates.All)
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanTransition_EveryPair_MatchesTheDiagram(JobState from, JobState to)
    {
        Assert.Equal(Allowed.Contains((from, to)), JobStateMachine.CanTransition(from, to));
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void TransitionMethod_EveryPair_SucceedsExactlyWhenAllowed(JobState from, JobState to)
    {
        // A batch: every state (partially_failed included) and every move (resume included) applies to it.
        var job = InState(from, batch: true);

        Func<Job>? move = to switch
        {
            JobState.PartiallyFailed => () => JobStateMachine.PartiallyFail(job, Summary(canResume: true), Error(ErrorCodes.NotFound), _time),
            JobState.Queued when from is JobState.PartiallyFailed or JobState.Canceled => () => JobStateMachine.Resume(job, _time),
            JobState.Running => () => JobStateMachine.Start(job, "w2", _time),
            JobState.Succeeded => () => JobStateMachine.Succeed(job, _time),
            JobState.Failed => () => JobStateMachine.Fail(job, Error(ErrorCodes.AccessDenied), _time),
            JobState.Canceled => () => JobStateMachine.Cancel(job, _time),
            JobState.Queued when from == JobState.Waiting => () => JobStateMachine.Release(job, _time),
            JobState.Queued => () => JobStateMachine.Requeue(job, Error(ErrorCodes.ServerRestarted), _time),
            JobState.Waiting => () => JobStateMachine.Defer(job, RetryWait(), _time),
            _ => null,
        };

        if (Allowed.Contains((from, to)))
        {
            Assert.Equal(to, move!().State);
        }
        else
        {
            var ex = Assert.Throws<InvalidJobTransitionException>(() => move!());
            Assert.Equal(from, ex.From);
            Assert.Equal(to, ex.To);
            Assert.Contains(job.Id, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Create_CopyJob_QueuedAtNowWithoutAttempts()
    {
        var job = JobStateMachine.Create("j1", new JobSubmission(JobType.Copy, "/in", "s3:b/out", new JobOptions { DryRun = true }), _time);

        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(_time.GetUtcNow(), job.CreatedAt);
        Assert.Equal(_time.GetUtcNow(), job.UpdatedAt);
        Assert.Empty(job.Attempts);
        Assert.Equal(0, job.Attempt);
        Assert.True(job.Options.DryRun);
        Assert.Equal("s3:b/out", job.Destination);
        Assert.Null(job.StartedAt);
    }

    [Fact]
    public void Create_DeleteJob_DropsDestination()
    {
        var job = JobStateMachine.Create("j1", new JobSubmission(JobType.Delete, "s3:b/old", "ignored", new JobOptions()), _time);

        Assert.Null(job.Destination);
    }

    [Fact]
    public void Start_OpensAnAttemptAtNow()
    {
        var queued = InState(JobState.Queued);
        _time.Advance(TimeSpan.FromSeconds(5));

        var running = JobStateMachine.Start(queued, "worker-a", _time);

        Assert.Equal("worker-a", running.WorkerId);
        var attempt = Assert.Single(running.Attempts);
        Assert.Equal(1, attempt.Number);
        Assert.Equal(_time.GetUtcNow(), attempt.StartedAt);
        Assert.Null(attempt.FinishedAt);
        Assert.Equal("worker-a", attempt.WorkerId);
        Assert.Equal(_time.GetUtcNow(), running.StartedAt);
        Assert.Equal(_time.GetUtcNow(), running.UpdatedAt);
    }

    [Fact]
    public void Succeed_ClosesTheAttemptWithoutError()
    {
        var running = InState(JobState.Running);
        _time.Advance(TimeSpan.FromMinutes(2));

        var done = JobStateMachine.Succeed(running, _time);

        var attempt = Assert.Single(done.Attempts);
        Assert.Equal(_time.GetUtcNow(), attempt.FinishedAt);
        Assert.Null(attempt.ErrorCode);
        Assert.Equal(_time.GetUtcNow(), done.FinishedAt);
        Assert.Null(done.Error);
    }

    [Fact]
    public void Fail_ClosesTheAttemptWithTheError()
    {
        var running = InState(JobState.Running);
        _time.Advance(TimeSpan.FromSeconds(30));

        var failed = JobStateMachine.Fail(running, Error(ErrorCodes.NotFound), _time);

        var attempt = Assert.Single(failed.Attempts);
        Assert.Equal(_time.GetUtcNow(), attempt.FinishedAt);
        Assert.Equal(ErrorCodes.NotFound, attempt.ErrorCode);
        Assert.Equal("boom", attempt.ErrorMessage);
        Assert.Equal(ErrorCodes.NotFound, failed.Error!.Code);
        Assert.Equal(_time.GetUtcNow(), failed.FinishedAt);
    }

    [Fact]
    public void Fail_QueuedJob_HasNoAttemptToClose()
    {
        var failed = JobStateMachine.Fail(InState(JobState.Queued), Error(ErrorCodes.ValidationError), _time);

        Assert.Empty(failed.Attempts);
        Assert.Equal(ErrorCodes.ValidationError, failed.Error!.Code);
    }

    [Fact]
    public void Cancel_RunningJob_ClosesTheAttemptAsCanceled()
    {
        var canceled = JobStateMachine.Cancel(InState(JobState.Running), _time);

        Assert.Equal(ErrorCodes.Canceled, canceled.Error!.Code);
        Assert.Equal(ErrorCodes.Canceled, Assert.Single(canceled.Attempts).ErrorCode);
    }

    [Fact]
    public void Requeue_ThenStart_SecondAttemptKeepsTheFirstStartedAt()
    {
        var running = InState(JobState.Running);
        var firstStart = running.StartedAt;
        running = JobStateMachine.Launched(running, 17, _time);
        running = JobStateMachine.ReportProgress(running, new JobProgress { Bytes = 10, TotalBytes = 100 }, _time);
        _time.Advance(TimeSpan.FromMinutes(1));

        var requeued = JobStateMachine.Requeue(running, Error(ErrorCodes.ServerRestarted), _time);
        Assert.Null(requeued.WorkerId);
        Assert.Null(requeued.RcloneJobId);
        Assert.Null(requeued.Progress);
        Assert.Equal(ErrorCodes.ServerRestarted, requeued.Attempts[0].ErrorCode);
        Assert.Equal(_time.GetUtcNow(), requeued.Attempts[0].FinishedAt);

        _time.Advance(TimeSpan.FromSeconds(1));
        var again = JobStateMachine.Start(requeued, "worker-b", _time);

        Assert.Equal(2, again.Attempt);
        Assert.Equal(2, again.Attempts[1].Number);
        Assert.Equal("worker-b", again.Attempts[1].WorkerId);
        Assert.Null(again.Attempts[1].FinishedAt);
        Assert.NotNull(again.Attempts[0].FinishedAt);
        Assert.Equal(firstStart, again.StartedAt);
    }

    [Fact]
    public void LaunchedProgressRequestCancel_OnRunning_UpdateOnlyTheirField()
    {
        var running = InState(JobState.Running);
        _time.Advance(TimeSpan.FromSeconds(3));

        var launched = JobStateMachine.Launched(running, 42, _time);
        var progressed = JobStateMachine.ReportProgress(launched, new JobProgress { Transfers = 1, TotalTransfers = 4 }, _time);
        var cancelRequested = JobStateMachine.RequestCancel(progressed, _time);

        Assert.Equal(42, cancelRequested.RcloneJobId);
        Assert.Equal(25, cancelRequested.Progress!.Percent);
        Assert.True(cancelRequested.CancelRequested);
        Assert.Equal(JobState.Running, cancelRequested.State);
        Assert.Equal(_time.GetUtcNow(), cancelRequested.UpdatedAt);
        Assert.Equal(running.Attempts, cancelRequested.Attempts);
    }

    [Fact]
    public void Defer_RunningJob_ClosesTheAttemptWithTheWaitsCodeAndDropsTheRun()
    {
        var running = JobStateMachine.Launched(InState(JobState.Running), 17, _time, rclonePid: 4242);
        running = JobStateMachine.ReportProgress(running, new JobProgress { Bytes = 5, TotalBytes = 10 }, _time);
        _time.Advance(TimeSpan.FromSeconds(7));
        var wait = RetryWait();

        var waiting = JobStateMachine.Defer(running, wait, _time);

        Assert.Equal(JobState.Waiting, waiting.State);
        Assert.Equal(wait, waiting.Wait);
        var attempt = Assert.Single(waiting.Attempts);
        Assert.Equal(_time.GetUtcNow(), attempt.FinishedAt);
        Assert.Equal(ErrorCodes.EndpointUnreachable, attempt.ErrorCode);
        Assert.Equal("503 Service Unavailable", attempt.ErrorMessage);
        Assert.Null(waiting.WorkerId);
        Assert.Null(waiting.RcloneJobId);
        Assert.Null(waiting.RclonePid);
        Assert.Null(waiting.Error);
        Assert.Null(waiting.FinishedAt);
        Assert.Equal(_time.GetUtcNow(), waiting.UpdatedAt);
        Assert.False(waiting.State.IsTerminal());
    }

    [Fact]
    public void Defer_QueuedJob_ForABreakerWithoutAnAttempt()
    {
        var queued = InState(JobState.Queued);
        var wait = new JobWait { Reason = JobWait.BreakerReason, DueAt = _time.GetUtcNow().AddSeconds(60), Code = ErrorCodes.EndpointUnreachable };

        var waiting = JobStateMachine.Defer(queued, wait, _time);

        Assert.Equal(JobState.Waiting, waiting.State);
        Assert.Equal(JobWait.BreakerReason, waiting.Wait!.Reason);
        Assert.Empty(waiting.Attempts);
    }

    [Fact]
    public void Release_ThenStart_ClearsTheWaitAndOpensTheSecondAttempt()
    {
        var waiting = JobStateMachine.Defer(InState(JobState.Running), RetryWait(), _time);
        _time.Advance(TimeSpan.FromSeconds(2));

        var queued = JobStateMachine.Release(waiting, _time);
        var again = JobStateMachine.Start(queued, "worker-b", _time);

        Assert.Equal(JobState.Queued, queued.State);
        Assert.Null(queued.Wait);
        Assert.Equal(_time.GetUtcNow(), queued.UpdatedAt);
        Assert.Equal(2, again.Attempt);
        Assert.Equal(ErrorCodes.EndpointUnreachable, again.Attempts[0].ErrorCode);
        Assert.Null(again.Attempts[1].FinishedAt);
    }

    [Fact]
    public void Cancel_WaitingJob_CanceledWithoutTheWaitAndTheClosedAttemptKept()
    {
        var waiting = JobStateMachine.Defer(InState(JobState.Running), RetryWait(), _time);
        _time.Advance(TimeSpan.FromSeconds(1));

        var canceled = JobStateMachine.Cancel(waiting, _time);

        Assert.Equal(JobState.Canceled, canceled.State);
        Assert.Null(canceled.Wait);
        Assert.Equal(ErrorCodes.Canceled, canceled.Error!.Code);
        // The attempt ended with its own failure, not with the cancel.
        Assert.Equal(ErrorCodes.EndpointUnreachable, Assert.Single(canceled.Attempts).ErrorCode);
    }

    [Fact]
    public void RequeueAndRelease_EachOnlyFromItsOwnState()
    {
        var waiting = JobStateMachine.Defer(InState(JobState.Running), RetryWait(), _time);

        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Requeue(waiting, Error(ErrorCodes.ServerRestarted), _time));
        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Release(InState(JobState.Running), _time));
        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Fail(waiting, Error(ErrorCodes.Unknown), _time));
        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Start(waiting, "w", _time));
        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Defer(waiting, RetryWait(), _time));
    }

    [Fact]
    public void JobStates_Waiting_HasItsWireName()
    {
        Assert.Equal("waiting", JobState.Waiting.ToWire());
        Assert.True(JobStates.TryParse("WAITING", out var parsed));
        Assert.Equal(JobState.Waiting, parsed);
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Waiting)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Canceled)]
    public void LaunchedProgressRequestCancel_NotRunning_Throw(JobState state)
    {
        var job = InState(state);

        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Launched(job, 1, _time));
        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.ReportProgress(job, new JobProgress(), _time));
        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.RequestCancel(job, _time));
    }

    [Theory]
    [InlineData(JobState.Succeeded, true)]
    [InlineData(JobState.Failed, true)]
    [InlineData(JobState.Canceled, true)]
    [InlineData(JobState.Queued, false)]
    [InlineData(JobState.Running, false)]
    [InlineData(JobState.Waiting, false)]
    [InlineData(JobState.PartiallyFailed, true)]
    public void IsTerminal_TerminalStates(JobState state, bool terminal)
    {
        Assert.Equal(terminal, state.IsTerminal());
    }

    private Job InState(JobState state, bool batch = false)
    {
        var job = JobStateMachine.Create("job-1", new JobSubmission(JobType.Sync, "/in", "s3:b/out", new JobOptions()), _time);
        if (batch)
        {
            job = job with { Type = JobType.Batch, Batch = Summary(canResume: false) };
        }

        return state switch
        {
            JobState.PartiallyFailed => JobStateMachine.PartiallyFail(JobStateMachine.Start(job, "worker-a", _time), Summary(canResume: true),
                Error(ErrorCodes.NotFound), _time),
            JobState.Queued => job,
            JobState.Running => JobStateMachine.Start(job, "worker-a", _time),
            JobState.Succeeded => JobStateMachine.Succeed(JobStateMachine.Start(job, "worker-a", _time), _time),
            JobState.Failed => JobStateMachine.Fail(JobStateMachine.Start(job, "worker-a", _time), Error(ErrorCodes.Unknown), _time),
            JobState.Canceled => JobStateMachine.Cancel(job, _time),
            JobState.Waiting => JobStateMachine.Defer(JobStateMachine.Start(job, "worker-a", _time), RetryWait(), _time),
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
    }

    private JobWait RetryWait() => new()
    {
        Reason = JobWait.RetryReason,
        DueAt = _time.GetUtcNow().AddSeconds(2),
        Code = ErrorCodes.EndpointUnreachable,
        Message = "503 Service Unavailable",
    };

    private static JobError Error(string code) => new() { Code = code, Message = "boom" };

    private static Rcmd.Batches.BatchSummary Summary(bool canResume) => new()
    {
        Kind = Rcmd.Batches.BatchSummary.ItemsKind,
        Total = 10,
        Succeeded = 4,
        Failed = 2,
        Pending = 4,
        CanResume = canResume,
    };

    [Fact]
    public void PartiallyFail_RunningBatch_TerminalWithSummaryAndClosedAttempt()
    {
        var running = InState(JobState.Running, batch: true);
        _time.Advance(TimeSpan.FromSeconds(3));

        var ended = JobStateMachine.PartiallyFail(running, Summary(canResume: true) with { Running = 3 }, Error(ErrorCodes.NotFound), _time);

        Assert.Equal(JobState.PartiallyFailed, ended.State);
        Assert.True(ended.State.IsTerminal());
        Assert.Equal("partially_failed", ended.State.ToWire());
        Assert.Equal(_time.GetUtcNow(), ended.FinishedAt);
        Assert.Equal(ErrorCodes.NotFound, ended.Error!.Code);
        Assert.Equal(0, ended.Batch!.Running);
        Assert.True(ended.Batch.CanResume);
        Assert.Equal(ErrorCodes.NotFound, Assert.Single(ended.Attempts).ErrorCode);
    }

    [Fact]
    public void PartiallyFail_NotABatch_Throws()
    {
        var running = InState(JobState.Running);

        Assert.Throws<InvalidOperationException>(() =>
            JobStateMachine.PartiallyFail(running, Summary(canResume: true), Error(ErrorCodes.NotFound), _time));
    }

    [Fact]
    public void Resume_PartiallyFailedBatch_QueuedAgainWithoutEndOrError()
    {
        var ended = InState(JobState.PartiallyFailed, batch: true);
        _time.Advance(TimeSpan.FromMinutes(1));

        var resumed = JobStateMachine.Resume(ended, _time);

        Assert.Equal(JobState.Queued, resumed.State);
        Assert.Null(resumed.FinishedAt);
        Assert.Null(resumed.Error);
        Assert.Null(resumed.WorkerId);
        Assert.False(resumed.Batch!.CanResume);
        Assert.Single(resumed.Attempts); // the next run opens attempt 2
        Assert.Equal(2, JobStateMachine.Start(resumed, "w", _time).Attempt);
    }

    [Fact]
    public void Resume_NothingLeftToDo_Throws()
    {
        var ended = JobStateMachine.PartiallyFail(InState(JobState.Running, batch: true), Summary(canResume: false),
            Error(ErrorCodes.NotFound), _time);

        Assert.Throws<InvalidJobTransitionException>(() => JobStateMachine.Resume(ended, _time));
    }

    [Fact]
    public void Cancel_BatchWithItemsLeft_CanResume()
    {
        var canceled = JobStateMachine.Cancel(InState(JobState.Running, batch: true), _time);

        Assert.True(canceled.Batch!.CanResume);
        Assert.Equal(JobState.Queued, JobStateMachine.Resume(canceled, _time).State);
    }

    [Fact]
    public void Resume_CanceledSingleJob_Throws()
    {
        var canceled = InState(JobState.Canceled);

        Assert.Throws<InvalidOperationException>(() => JobStateMachine.Resume(canceled, _time));
    }
}

using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Notifications;

namespace Rcmd.Core.Tests.Breakers;

/// <summary>The pure breaker with a fake clock: every transition, the failure window, the half-open probe limit.</summary>
public sealed class BreakerStateMachineTests
{
    private const string Remote = "s3prod";
    private readonly FakeTimeProvider _time = new();
    private readonly BreakerSettings _settings = BreakerSettings.Default;

    [Theory]
    [InlineData(ErrorCodes.EndpointUnreachable, true)]
    [InlineData(ErrorCodes.UpstreamTimeout, true)]
    [InlineData(ErrorCodes.NetworkError, true)]
    [InlineData(ErrorCodes.RateLimited, true)]
    [InlineData(ErrorCodes.NotFound, false)]
    [InlineData(ErrorCodes.ValidationError, false)]
    [InlineData(ErrorCodes.AccessDenied, false)]
    [InlineData(ErrorCodes.InvalidCredentials, false)]
    [InlineData(ErrorCodes.Unknown, false)]
    [InlineData(ErrorCodes.Canceled, false)]
    [InlineData(ErrorCodes.ServerRestarted, false)]
    [InlineData(null, false)]
    public void Counts_OnlyCodesThatSayTheRemoteIsUnhealthy(string? code, bool expected)
    {
        Assert.Equal(expected, BreakerStateMachine.Counts(code));
    }

    [Fact]
    public void Acquire_ClosedWithoutFailures_AdmitsAndChangesNothing()
    {
        var step = BreakerStateMachine.Acquire(New(), _settings, "p1", _time);

        Assert.True(step.Decision!.Admitted);
        Assert.Null(step.Decision.ProbeId);
        Assert.False(step.Changed);
        Assert.Null(step.Transition);
    }

    [Fact]
    public void RecordFailure_FourCountedFailures_StaysClosedAndCounts()
    {
        var breaker = Fail(New(), 4);

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(4, breaker.ConsecutiveFailures);
        Assert.Equal(ErrorCodes.EndpointUnreachable, breaker.LastErrorCode);
        Assert.True(BreakerStateMachine.Acquire(breaker, _settings, "p", _time).Decision!.Admitted);
    }

    [Fact]
    public void RecordFailure_FifthConsecutiveFailure_OpensWithOfflineNotification()
    {
        var breaker = Fail(New(), 4);

        var step = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.UpstreamTimeout, "i/o timeout", null, _time);

        Assert.Equal(BreakerState.Open, step.Next.State);
        Assert.Equal(new BreakerTransition(Remote, BreakerState.Closed, BreakerState.Open, _time.GetUtcNow()), step.Transition);
        Assert.Equal(NotificationTypes.RemoteOffline, step.Transition!.Notification);
        Assert.Equal(_time.GetUtcNow(), step.Next.OpenedAt);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(60), step.Next.RetryAt);
        Assert.Equal(5, step.Next.ConsecutiveFailures);
        Assert.Equal(ErrorCodes.UpstreamTimeout, step.Next.LastErrorCode);
    }

    [Fact]
    public void RecordFailure_NonCountedCode_NeitherCountsNorResets()
    {
        var breaker = Fail(New(), 4);

        var neutral = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.NotFound, "directory not found", null, _time);
        var fifth = BreakerStateMachine.RecordFailure(neutral.Next, _settings, ErrorCodes.NetworkError, "connection reset by peer", null, _time);

        Assert.False(neutral.Changed);
        Assert.Equal(4, neutral.Next.ConsecutiveFailures);
        Assert.Equal(BreakerState.Open, fifth.Next.State);
    }

    [Fact]
    public void RecordSuccess_BetweenFailures_ResetsTheCount()
    {
        var breaker = Fail(New(), 4);

        var success = BreakerStateMachine.RecordSuccess(breaker, _settings, null, _time).Next;
        var after = Fail(success, 4);

        Assert.Equal(0, success.ConsecutiveFailures);
        Assert.Equal(BreakerState.Closed, after.State);
        Assert.Equal(4, after.ConsecutiveFailures);
    }

    [Fact]
    public void RecordFailure_WithinFailureWindowOfTheLast_KeepsCounting()
    {
        var breaker = Fail(New(), 4);
        _time.Advance(TimeSpan.FromSeconds(119));

        var step = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.EndpointUnreachable, "refused", null, _time);

        Assert.Equal(BreakerState.Open, step.Next.State);
    }

    [Fact]
    public void RecordFailure_AfterFailureWindowWithoutFailure_CountStartsAgain()
    {
        var breaker = Fail(New(), 4);
        _time.Advance(TimeSpan.FromSeconds(120));

        var step = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.EndpointUnreachable, "refused", null, _time);

        Assert.Equal(BreakerState.Closed, step.Next.State);
        Assert.Equal(1, step.Next.ConsecutiveFailures);
    }

    [Fact]
    public void Observe_ClosedAfterFailureWindow_ShowsNoFailures()
    {
        var breaker = Fail(New(), 3);

        _time.Advance(TimeSpan.FromSeconds(120));

        Assert.Equal(0, BreakerStateMachine.Observe(breaker, _settings, _time.GetUtcNow()).ConsecutiveFailures);
        Assert.Equal(3, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void Acquire_OpenBeforeBreakDuration_RefusesWithRetryAt()
    {
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(59));

        var step = BreakerStateMachine.Acquire(open, _settings, "p", _time);

        Assert.False(step.Decision!.Admitted);
        Assert.Equal(BreakerState.Open, step.Decision.State);
        Assert.Equal(open.RetryAt, step.Decision.RetryAt);
        Assert.Equal(1, step.Decision.RetryInSeconds(_time.GetUtcNow()));
        Assert.False(step.Changed);
    }

    [Fact]
    public void Acquire_OpenAfterBreakDuration_HalfOpensAndAdmitsOneProbe()
    {
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(60));

        var step = BreakerStateMachine.Acquire(open, _settings, "probe-1", _time);

        Assert.True(step.Decision!.Admitted);
        Assert.Equal("probe-1", step.Decision.ProbeId);
        Assert.Equal(BreakerState.HalfOpen, step.Next.State);
        Assert.Equal(new BreakerTransition(Remote, BreakerState.Open, BreakerState.HalfOpen, _time.GetUtcNow()), step.Transition);
        Assert.Null(step.Transition!.Notification);
        Assert.Equal(["probe-1"], step.Next.Probes.Keys);
    }

    [Fact]
    public void Acquire_HalfOpenWithProbeInFlight_RefusesUntilTheProbeReports()
    {
        var halfOpen = HalfOpenWithProbe("probe-1");

        var second = BreakerStateMachine.Acquire(halfOpen, _settings, "probe-2", _time);
        var reported = BreakerStateMachine.RecordSuccess(halfOpen, _settings, "probe-1", _time).Next;
        var third = BreakerStateMachine.Acquire(reported, _settings, "probe-3", _time);

        Assert.False(second.Decision!.Admitted);
        Assert.Equal(BreakerState.HalfOpen, second.Decision.State);
        Assert.Equal(_time.GetUtcNow() + _settings.HalfOpenRetryInterval, second.Decision.RetryAt);
        Assert.True(third.Decision!.Admitted);
        Assert.Equal("probe-3", third.Decision.ProbeId);
    }

    [Fact]
    public void Acquire_HalfOpenMaxProbesTwo_AdmitsTwoAtATime()
    {
        var settings = _settings with { HalfOpenMaxProbes = 2 };
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(60));

        var first = BreakerStateMachine.Acquire(open, settings, "a", _time);
        var second = BreakerStateMachine.Acquire(first.Next, settings, "b", _time);
        var third = BreakerStateMachine.Acquire(second.Next, settings, "c", _time);

        Assert.True(first.Decision!.Admitted);
        Assert.True(second.Decision!.Admitted);
        Assert.Null(second.Transition);
        Assert.False(third.Decision!.Admitted);
        Assert.Equal(["a", "b"], third.Next.Probes.Keys);
    }

    [Fact]
    public void Acquire_HalfOpenProbeSilentPastProbeTimeout_FreesItsSlot()
    {
        var halfOpen = HalfOpenWithProbe("lost");

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(BreakerStateMachine.Acquire(halfOpen, _settings, "early", _time).Decision!.Admitted);

        _time.Advance(TimeSpan.FromSeconds(1));
        var step = BreakerStateMachine.Acquire(halfOpen, _settings, "next", _time);

        Assert.True(step.Decision!.Admitted);
        Assert.Equal(["next"], step.Next.Probes.Keys);
    }

    [Fact]
    public void RecordSuccess_HalfOpenThreeSuccesses_ClosesWithOnlineNotification()
    {
        var breaker = HalfOpenWithProbe("p1");

        breaker = BreakerStateMachine.RecordSuccess(breaker, _settings, "p1", _time).Next;
        breaker = Probe(breaker, "p2");
        var second = BreakerStateMachine.RecordSuccess(breaker, _settings, "p2", _time);
        breaker = Probe(second.Next, "p3");
        var third = BreakerStateMachine.RecordSuccess(breaker, _settings, "p3", _time);

        Assert.Equal(BreakerState.HalfOpen, second.Next.State);
        Assert.Equal(2, second.Next.HalfOpenSuccesses);
        Assert.Null(second.Transition);
        Assert.Equal(BreakerState.Closed, third.Next.State);
        Assert.Equal(new BreakerTransition(Remote, BreakerState.HalfOpen, BreakerState.Closed, _time.GetUtcNow()), third.Transition);
        Assert.Equal(NotificationTypes.RemoteOnline, third.Transition!.Notification);
        Assert.Equal(0, third.Next.ConsecutiveFailures);
        Assert.Empty(third.Next.Probes);
        Assert.Null(third.Next.RetryAt);
    }

    [Fact]
    public void RecordFailure_HalfOpen_OpensAgainForAnotherBreakWithoutNotification()
    {
        var breaker = HalfOpenWithProbe("p1");
        breaker = BreakerStateMachine.RecordSuccess(breaker, _settings, "p1", _time).Next;
        breaker = Probe(breaker, "p2");
        _time.Advance(TimeSpan.FromSeconds(2));

        var step = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.RateLimited, "429 Too Many Requests", "p2", _time);

        Assert.Equal(BreakerState.Open, step.Next.State);
        Assert.Equal(new BreakerTransition(Remote, BreakerState.HalfOpen, BreakerState.Open, _time.GetUtcNow()), step.Transition);
        Assert.Null(step.Transition!.Notification);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(60), step.Next.RetryAt);
        Assert.Equal(0, step.Next.HalfOpenSuccesses);
        Assert.Empty(step.Next.Probes);
    }

    [Fact]
    public void RecordFailure_HalfOpenNonCountedCode_OnlyFreesTheProbeSlot()
    {
        var breaker = HalfOpenWithProbe("p1");

        var step = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.AccessDenied, "403 Forbidden", "p1", _time);

        Assert.Equal(BreakerState.HalfOpen, step.Next.State);
        Assert.Empty(step.Next.Probes);
        Assert.Equal(0, step.Next.HalfOpenSuccesses);
        Assert.Null(step.Transition);
    }

    [Fact]
    public void RecordFailure_WhileOpen_CountsButKeepsTheBreak()
    {
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(10));

        var step = BreakerStateMachine.RecordFailure(open, _settings, ErrorCodes.NetworkError, "connection reset", null, _time);

        Assert.Equal(BreakerState.Open, step.Next.State);
        Assert.Equal(6, step.Next.ConsecutiveFailures);
        Assert.Equal(open.RetryAt, step.Next.RetryAt);
        Assert.Null(step.Transition);
    }

    [Fact]
    public void RecordSuccess_WhileOpen_ChangesNoState()
    {
        var open = Opened();

        var step = BreakerStateMachine.RecordSuccess(open, _settings, null, _time);

        Assert.Equal(BreakerState.Open, step.Next.State);
        Assert.Null(step.Transition);
    }

    [Fact]
    public void Isolate_FromClosed_RefusesUntilResetThenOfflineAndOnlineOnce()
    {
        var isolate = BreakerStateMachine.Isolate(Fail(New(), 2), _time);
        _time.Advance(TimeSpan.FromHours(2));
        var refused = BreakerStateMachine.Acquire(isolate.Next, _settings, "p", _time);
        var again = BreakerStateMachine.Isolate(isolate.Next, _time);
        var reset = BreakerStateMachine.Reset(isolate.Next, _time);

        Assert.Equal(BreakerState.Isolated, isolate.Next.State);
        Assert.Equal(NotificationTypes.RemoteOffline, isolate.Transition!.Notification);
        Assert.False(refused.Decision!.Admitted);
        Assert.Equal(BreakerState.Isolated, refused.Decision.State);
        Assert.Equal(_time.GetUtcNow() + _settings.BreakDuration, refused.Decision.RetryAt);
        Assert.False(again.Changed);
        Assert.Null(again.Transition);
        Assert.Equal(BreakerState.Closed, reset.Next.State);
        Assert.Equal(NotificationTypes.RemoteOnline, reset.Transition!.Notification);
    }

    [Fact]
    public void Isolate_FromOpen_NoSecondOfflineNotification()
    {
        var step = BreakerStateMachine.Isolate(Opened(), _time);

        Assert.Equal(BreakerState.Isolated, step.Next.State);
        Assert.NotNull(step.Transition);
        Assert.Null(step.Transition.Notification);
    }

    [Fact]
    public void Reset_FromOpen_ClosesAndClearsCounters()
    {
        var step = BreakerStateMachine.Reset(Opened(), _time);

        Assert.Equal(BreakerState.Closed, step.Next.State);
        Assert.Equal(0, step.Next.ConsecutiveFailures);
        Assert.Null(step.Next.OpenedAt);
        Assert.Null(step.Next.LastErrorCode);
        Assert.Equal(BreakerState.Open, step.Transition!.From);
    }

    [Fact]
    public void Reset_ClosedWithFailures_ClearsWithoutTransition()
    {
        var step = BreakerStateMachine.Reset(Fail(New(), 2), _time);

        Assert.True(step.Changed);
        Assert.Null(step.Transition);
        Assert.Equal(0, step.Next.ConsecutiveFailures);
    }

    [Fact]
    public void Observe_OpenPastRetryAt_ShowsHalfOpenWithoutChangingTheSnapshot()
    {
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(61));

        var seen = BreakerStateMachine.Observe(open, _settings, _time.GetUtcNow());

        Assert.Equal(BreakerState.HalfOpen, seen.State);
        Assert.Equal(BreakerState.Open, open.State);
    }

    [Fact]
    public void RecordFailure_MessageWithSecret_StoredRedactedAndShort()
    {
        var message = "Propfind \"https://backup:hunter2secret@dav.example/\": dial tcp: connection refused " + new string('x', 2000);

        var step = BreakerStateMachine.RecordFailure(New(), _settings, ErrorCodes.EndpointUnreachable, message, null, _time);

        Assert.DoesNotContain("hunter2secret", step.Next.LastErrorMessage, StringComparison.Ordinal);
        Assert.True(step.Next.LastErrorMessage!.Length <= 501);
    }

    [Fact]
    public void Settings_CustomThresholds_AreHonoured()
    {
        var settings = _settings with { FailureThreshold = 2, SuccessThreshold = 1, BreakDuration = TimeSpan.FromSeconds(3) };
        var breaker = New();
        breaker = BreakerStateMachine.RecordFailure(breaker, settings, ErrorCodes.EndpointUnreachable, "x", null, _time).Next;
        var open = BreakerStateMachine.RecordFailure(breaker, settings, ErrorCodes.EndpointUnreachable, "x", null, _time).Next;
        _time.Advance(TimeSpan.FromSeconds(3));
        var probe = BreakerStateMachine.Acquire(open, settings, "p", _time);
        var closed = BreakerStateMachine.RecordSuccess(probe.Next, settings, "p", _time);

        Assert.Equal(BreakerState.Open, open.State);
        Assert.Equal(_time.GetUtcNow(), open.RetryAt);
        Assert.True(probe.Decision!.Admitted);
        Assert.Equal(BreakerState.Closed, closed.Next.State);
    }

    [Fact]
    public void Acquire_ClosedWithoutFailures_AdmitsWhateverIsInFlight()
    {
        var step = BreakerStateMachine.Acquire(New(), _settings, "p", 1000, _time);

        Assert.True(step.Decision!.Admitted);
        Assert.False(step.Changed);
    }

    [Theory]
    [InlineData(1, 3, true)]
    [InlineData(1, 4, false)]
    [InlineData(2, 2, true)]
    [InlineData(2, 3, false)]
    [InlineData(4, 0, true)]
    [InlineData(4, 1, false)]
    public void Acquire_ClosedWithFailures_AdmitsOnlyWhileRunsInFlightPlusFailuresStayUnderTheThreshold(int failures, int inFlight, bool admitted)
    {
        var breaker = Fail(New(), failures);

        var step = BreakerStateMachine.Acquire(breaker, _settings, "p", inFlight, _time);

        Assert.Equal(admitted, step.Decision!.Admitted);
        Assert.Equal(BreakerState.Closed, step.Decision.State);
        Assert.False(step.Changed);
        Assert.Null(step.Transition);
        Assert.Null(step.Decision.ProbeId);
        if (!admitted)
        {
            Assert.Equal(inFlight, step.Decision.RunsInFlight);
            Assert.Equal(_time.GetUtcNow() + _settings.HalfOpenRetryInterval, step.Decision.RetryAt);
        }
        else
        {
            Assert.Null(step.Decision.RunsInFlight);
        }
    }

    [Fact]
    public void Acquire_ClosedWithFailures_RunsInFlightFailingOpenTheBreakerAndNoMoreWereLetThrough()
    {
        // One failure with 4 runs in flight: nobody else goes; the 4 fail in turn and the last one opens the breaker.
        var breaker = Fail(New(), 1);
        var inFlight = 4;
        while (inFlight > 0)
        {
            Assert.False(BreakerStateMachine.Acquire(breaker, _settings, "late", inFlight, _time).Decision!.Admitted);
            breaker = Fail(breaker, 1);
            inFlight--;
        }

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(5, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void Acquire_SuccessAfterFailures_NoLimitAgain()
    {
        var breaker = Fail(New(), 4);
        Assert.False(BreakerStateMachine.Acquire(breaker, _settings, "p", 1, _time).Decision!.Admitted);

        var healthy = BreakerStateMachine.RecordSuccess(breaker, _settings, null, _time).Next;

        Assert.True(BreakerStateMachine.Acquire(healthy, _settings, "p", 100, _time).Decision!.Admitted);
    }

    [Fact]
    public void Acquire_FailuresOlderThanTheWindow_NoLimit()
    {
        var breaker = Fail(New(), 4);
        _time.Advance(_settings.FailureWindow);

        var step = BreakerStateMachine.Acquire(breaker, _settings, "p", 100, _time);

        Assert.True(step.Decision!.Admitted);
        Assert.Equal(0, step.Next.ConsecutiveFailures);
    }

    [Fact]
    public void Acquire_HalfOpen_ProbesNotRunsInFlightDecide()
    {
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(60));

        var step = BreakerStateMachine.Acquire(open, _settings, "probe", 10, _time);

        Assert.True(step.Decision!.Admitted);
        Assert.Equal(BreakerState.HalfOpen, step.Decision.State);
    }

    [Fact]
    public void Acquire_NegativeRunsInFlight_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BreakerStateMachine.Acquire(New(), _settings, "p", -1, _time));
    }

    [Fact]
    public void AdmissionLimit_ByStateAndFailures()
    {
        Assert.Null(BreakerStateMachine.AdmissionLimit(New(), _settings));
        Assert.Equal(4, BreakerStateMachine.AdmissionLimit(Fail(New(), 1), _settings));
        Assert.Equal(1, BreakerStateMachine.AdmissionLimit(Fail(New(), 4), _settings));
        Assert.Equal(9, BreakerStateMachine.AdmissionLimit(Fail(New(), 1), _settings with { FailureThreshold = 10 }));
        // Failures at or past a threshold lowered since: one run at a time, which opens the breaker if it fails.
        Assert.Equal(1, BreakerStateMachine.AdmissionLimit(Fail(New(), 3), _settings with { FailureThreshold = 2 }));
        Assert.Null(BreakerStateMachine.AdmissionLimit(Opened(), _settings));
        Assert.Null(BreakerStateMachine.AdmissionLimit(BreakerStateMachine.Isolate(Fail(New(), 1), _time).Next, _settings));
    }

    [Fact]
    public void Refusal_ClosedWithRunsInFlight_SaysTheyDecide()
    {
        var breaker = Fail(New(), 1);
        var many = BreakerStateMachine.Acquire(breaker, _settings, "p", 4, _time);
        var one = BreakerStateMachine.Acquire(Fail(New(), 4), _settings, "p", 1, _time);
        var now = _time.GetUtcNow();

        Assert.Equal($"Remote {Remote} is failing: 4 runs in flight decide whether its circuit opens. Retry in 5 seconds.",
            new BreakerRefusal(Remote, many.Decision!, many.Next).Message(now));
        Assert.Equal($"Remote {Remote} is failing: 1 run in flight decides whether its circuit opens. Retry in 5 seconds.",
            new BreakerRefusal(Remote, one.Decision!, one.Next).Message(now));
    }

    private static BreakerSnapshot New() => BreakerSnapshot.New(Remote);

    private BreakerSnapshot Fail(BreakerSnapshot breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            breaker = BreakerStateMachine.RecordFailure(breaker, _settings, ErrorCodes.EndpointUnreachable,
                "dial tcp 127.0.0.1:9: connect: connection refused", null, _time).Next;
        }

        return breaker;
    }

    private BreakerSnapshot Opened()
    {
        var open = Fail(New(), 5);
        Assert.Equal(BreakerState.Open, open.State);
        return open;
    }

    private BreakerSnapshot HalfOpenWithProbe(string probeId)
    {
        var open = Opened();
        _time.Advance(TimeSpan.FromSeconds(60));
        return Probe(open, probeId);
    }

    private BreakerSnapshot Probe(BreakerSnapshot breaker, string probeId)
    {
        var step = BreakerStateMachine.Acquire(breaker, _settings, probeId, _time);
        Assert.True(step.Decision!.Admitted);
        return step.Next;
    }
}

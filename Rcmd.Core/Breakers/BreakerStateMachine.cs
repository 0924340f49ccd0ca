using Rcmd.Failures;

namespace Rcmd.Breakers;

/// <summary>
/// The circuit breaker of one remote as pure functions (resilience-patterns.md; Polly's <c>CircuitStateController</c>
/// in shape): each takes the stored <see cref="BreakerSnapshot"/>, the remote's <see cref="BreakerSettings"/> and the
/// clock, and returns a <see cref="BreakerStep"/>. Nothing here does I/O; <see cref="BreakerStore"/> applies the
/// steps to Redis atomically, so every Worker and the Api share one breaker per remote.
/// <code>
///   Closed ──FailureThreshold consecutive failures──▶ Open ──BreakDuration over, next Acquire──▶ HalfOpen
///     ▲                                               ▲                                            │ │
///     │                                               └──────────────── a failure ─────────────────┘ │
///     └───────────────────────── SuccessThreshold successes ─────────────────────────────────────────┘
///   any ──Isolate──▶ Isolated (refuses until Reset);   any ──Reset──▶ Closed
/// </code>
/// Only failures whose code says the remote is unhealthy count (<see cref="Counts"/>); any other failure is neutral
/// (it neither counts nor resets, and frees its probe slot). A success resets the failure count; half-open it counts
/// towards closing. The count also starts again after <see cref="BreakerSettings.FailureWindow"/> without a failure.
/// Outcomes that arrive while open or isolated (runs that started before) update the counters and the last error but
/// change no state and do not extend the break.
/// <para>
/// Closed, a remote that failed since its last success is suspect: it admits a new run only while the runs in flight
/// on it (across all Workers, counted by the store) plus its consecutive failures stay under
/// <see cref="BreakerSettings.FailureThreshold"/> (<see cref="AdmissionLimit"/>) — the runs already in flight decide
/// whether the breaker opens, more runs cannot help. A healthy remote (no failure since the last success) admits
/// without limit.
/// </para>
/// </summary>
public static class BreakerStateMachine
{
    /// <summary>The codes that count against a remote: it could not be reached, timed out, broke the connection or throttled.</summary>
    public static IReadOnlySet<string> CountedCodes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ErrorCodes.EndpointUnreachable, ErrorCodes.UpstreamTimeout, ErrorCodes.NetworkError, ErrorCodes.RateLimited,
    };

    /// <summary>Whether a failure with <paramref name="code"/> counts towards opening the breaker.</summary>
    public static bool Counts(string? code) => code is not null && CountedCodes.Contains(code);

    /// <summary><see cref="Acquire(BreakerSnapshot, BreakerSettings, string, int, TimeProvider)"/> with no runs in flight.</summary>
    public static BreakerStep Acquire(BreakerSnapshot snapshot, BreakerSettings settings, string probeId, TimeProvider time) =>
        Acquire(snapshot, settings, probeId, 0, time);

    /// <summary>
    /// A caller asks to go through. Closed admits — a suspect remote only while <paramref name="runsInFlight"/> (the
    /// admitted runs on the remote that have not ended) is under its <see cref="AdmissionLimit"/>; refused, the caller
    /// asks again after <see cref="BreakerSettings.HalfOpenRetryInterval"/>. Open refuses until
    /// <see cref="BreakerSnapshot.RetryAt"/>, then half-opens. Half-open admits while fewer than
    /// <see cref="BreakerSettings.HalfOpenMaxProbes"/> probes are in flight (the admission holds probe slot
    /// <paramref name="probeId"/>), else refuses. Isolated refuses.
    /// </summary>
    public static BreakerStep Acquire(BreakerSnapshot snapshot, BreakerSettings settings, string probeId, int runsInFlight, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(probeId);
        ArgumentOutOfRangeException.ThrowIfNegative(runsInFlight);
        var now = time.GetUtcNow();
        var current = Normalize(snapshot, settings, now);
        BreakerTransition? transition = null;

        switch (current.State)
        {
            case BreakerState.Closed when AdmissionLimit(current, settings) is { } limit && runsInFlight >= limit:
                return Step(snapshot, current, now, null,
                    new BreakerDecision(false, BreakerState.Closed, now + settings.HalfOpenRetryInterval, RunsInFlight: runsInFlight));

            case BreakerState.Closed:
                return Step(snapshot, current, now, null, new BreakerDecision(true, BreakerState.Closed));

            case BreakerState.Open when current.RetryAt is { } retryAt && now < retryAt:
                return Step(snapshot, current, now, null, new BreakerDecision(false, BreakerState.Open, retryAt));

            case BreakerState.Open:
                current = current with { State = BreakerState.HalfOpen, HalfOpenSuccesses = 0, Probes = current.Probes.Clear() };
                transition = new BreakerTransition(current.Remote, BreakerState.Open, BreakerState.HalfOpen, now);
                break;

            case BreakerState.Isolated:
                return Step(snapshot, current, now, null, new BreakerDecision(false, BreakerState.Isolated, now + settings.BreakDuration));
        }

        if (current.Probes.Count >= settings.HalfOpenMaxProbes)
        {
            var freeAt = current.Probes.Values.Min();
            var retry = now + settings.HalfOpenRetryInterval;
            return Step(snapshot, current, now, transition, new BreakerDecision(false, BreakerState.HalfOpen, freeAt < retry ? freeAt : retry));
        }

        current = current with { Probes = current.Probes.SetItem(probeId, now + settings.ProbeTimeout) };
        return Step(snapshot, current, now, transition, new BreakerDecision(true, BreakerState.HalfOpen, null, probeId));
    }

    /// <summary>
    /// How many runs may be in flight on the remote, as a new one asks to go through: null (no limit) unless the breaker
    /// is closed with consecutive failures, then <see cref="BreakerSettings.FailureThreshold"/> minus those failures (at
    /// least 1) — enough runs to open it if they all fail too. <paramref name="snapshot"/> is taken as it is (callers
    /// pass it normalized, as <see cref="Acquire(BreakerSnapshot, BreakerSettings, string, int, TimeProvider)"/> does).
    /// </summary>
    public static int? AdmissionLimit(BreakerSnapshot snapshot, BreakerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(settings);
        return snapshot is { State: BreakerState.Closed, ConsecutiveFailures: > 0 }
            ? Math.Max(1, settings.FailureThreshold - snapshot.ConsecutiveFailures)
            : null;
    }

    /// <summary>A call or run on the remote succeeded (frees <paramref name="probeId"/> when it was a probe).</summary>
    public static BreakerStep RecordSuccess(BreakerSnapshot snapshot, BreakerSettings settings, string? probeId, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var current = WithoutProbe(Normalize(snapshot, settings, now), probeId);
        switch (current.State)
        {
            case BreakerState.Closed:
                return Step(snapshot, current with { ConsecutiveFailures = 0 }, now);

            case BreakerState.HalfOpen when current.HalfOpenSuccesses + 1 >= settings.SuccessThreshold:
                var closed = Closed(current) with { LastErrorCode = current.LastErrorCode, LastErrorMessage = current.LastErrorMessage, LastFailureAt = current.LastFailureAt };
                return Step(snapshot, closed, now, new BreakerTransition(current.Remote, BreakerState.HalfOpen, BreakerState.Closed, now));

            case BreakerState.HalfOpen:
                return Step(snapshot, current with { HalfOpenSuccesses = current.HalfOpenSuccesses + 1 }, now);

            default:
                return Step(snapshot, current, now);
        }
    }

    /// <summary>
    /// A call or run on the remote failed with <paramref name="code"/>. A code that does not count is neutral (see
    /// <see cref="Release"/>). One that counts: closed, the count goes up and opens the breaker at the threshold;
    /// half-open, the breaker opens again at once.
    /// </summary>
    public static BreakerStep RecordFailure(BreakerSnapshot snapshot, BreakerSettings settings, string code, string? message, string? probeId,
        TimeProvider time)
    {
        if (!Counts(code))
        {
            return Release(snapshot, settings, probeId, time);
        }

        var now = time.GetUtcNow();
        var normalized = WithoutProbe(Normalize(snapshot, settings, now), probeId);
        var current = normalized with
        {
            ConsecutiveFailures = normalized.ConsecutiveFailures + 1,
            LastFailureAt = now,
            LastErrorCode = code,
            LastErrorMessage = CleanMessage(message),
        };

        var opens = current.State switch
        {
            BreakerState.Closed => current.ConsecutiveFailures >= settings.FailureThreshold,
            BreakerState.HalfOpen => true,
            _ => false,
        };
        if (!opens)
        {
            return Step(snapshot, current, now);
        }

        var open = current with
        {
            State = BreakerState.Open,
            OpenedAt = now,
            RetryAt = now + settings.BreakDuration,
            HalfOpenSuccesses = 0,
            Probes = current.Probes.Clear(),
        };
        return Step(snapshot, open, now, new BreakerTransition(current.Remote, current.State, BreakerState.Open, now));
    }

    /// <summary>
    /// An admitted call ended without saying anything about the remote's health (a failure that does not count, a
    /// cancel, a run this caller lost track of): only its probe slot, if it held one, is freed.
    /// </summary>
    public static BreakerStep Release(BreakerSnapshot snapshot, BreakerSettings settings, string? probeId, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return Step(snapshot, WithoutProbe(Normalize(snapshot, settings, now), probeId), now);
    }

    /// <summary>An operator closes the breaker and clears its counters, whatever its state.</summary>
    public static BreakerStep Reset(BreakerSnapshot snapshot, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var closed = Closed(snapshot);
        return Step(snapshot, closed, now,
            snapshot.State == BreakerState.Closed ? null : new BreakerTransition(snapshot.Remote, snapshot.State, BreakerState.Closed, now));
    }

    /// <summary>An operator holds the breaker open until <see cref="Reset"/>: jobs wait, reads use their fallback.</summary>
    public static BreakerStep Isolate(BreakerSnapshot snapshot, TimeProvider time)
    {
        var now = time.GetUtcNow();
        if (snapshot.State == BreakerState.Isolated)
        {
            return new BreakerStep(snapshot, snapshot);
        }

        var isolated = snapshot with
        {
            State = BreakerState.Isolated,
            OpenedAt = snapshot.State == BreakerState.Closed ? now : snapshot.OpenedAt ?? now,
            RetryAt = null,
            HalfOpenSuccesses = 0,
            Probes = snapshot.Probes.Clear(),
        };
        return Step(snapshot, isolated, now, new BreakerTransition(snapshot.Remote, snapshot.State, BreakerState.Isolated, now));
    }

    /// <summary>
    /// The breaker as it is in effect at <paramref name="now"/>, without changing anything: an open breaker whose break
    /// is over shows half-open (the next caller half-opens it), a closed one whose failures are older than the window
    /// shows none, and expired probes are gone.
    /// </summary>
    public static BreakerSnapshot Observe(BreakerSnapshot snapshot, BreakerSettings settings, DateTimeOffset now)
    {
        var current = Normalize(snapshot, settings, now);
        return current is { State: BreakerState.Open, RetryAt: { } retryAt } && now >= retryAt
            ? current with { State = BreakerState.HalfOpen, RetryAt = null, HalfOpenSuccesses = 0, Probes = current.Probes.Clear() }
            : current;
    }

    /// <summary>Expired probe slots freed; a closed breaker's count forgotten after the failure window.</summary>
    private static BreakerSnapshot Normalize(BreakerSnapshot snapshot, BreakerSettings settings, DateTimeOffset now)
    {
        var current = snapshot;
        if (current.State == BreakerState.Closed && current.ConsecutiveFailures > 0 && IsStale(current, settings, now))
        {
            current = current with { ConsecutiveFailures = 0 };
        }

        if (current.Probes.Values.Any(expiry => expiry <= now))
        {
            current = current with { Probes = current.Probes.RemoveRange(current.Probes.Where(p => p.Value <= now).Select(p => p.Key)) };
        }

        return current;
    }

    private static bool IsStale(BreakerSnapshot snapshot, BreakerSettings settings, DateTimeOffset now) =>
        snapshot.LastFailureAt is not { } last || now - last >= settings.FailureWindow;

    private static BreakerSnapshot WithoutProbe(BreakerSnapshot snapshot, string? probeId) =>
        probeId is not null && snapshot.Probes.ContainsKey(probeId) ? snapshot with { Probes = snapshot.Probes.Remove(probeId) } : snapshot;

    private static BreakerSnapshot Closed(BreakerSnapshot snapshot) => BreakerSnapshot.New(snapshot.Remote) with
    {
        Version = snapshot.Version,
        UpdatedAt = snapshot.UpdatedAt,
    };

    /// <summary>A step; the next snapshot gets <c>UpdatedAt = now</c> only when something else changed.</summary>
    private static BreakerStep Step(BreakerSnapshot previous, BreakerSnapshot next, DateTimeOffset now, BreakerTransition? transition = null,
        BreakerDecision? decision = null)
    {
        if (!previous.SameAs(next) || transition is not null)
        {
            next = next with { UpdatedAt = now };
        }

        return new BreakerStep(previous, next, transition, decision);
    }

    private static string? CleanMessage(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        var redacted = SecretRedactor.Redact(message.Trim());
        return redacted.Length <= BreakerConstants.MaxErrorMessageLength ? redacted : redacted[..BreakerConstants.MaxErrorMessageLength] + "…";
    }
}

using System.Collections.Immutable;

namespace Rcmd.Breakers;

/// <summary>
/// One remote's breaker as it is stored (Redis hash <c>rcmd:breaker:{remote}</c>, see <see cref="BreakerStore"/>).
/// Immutable: <see cref="BreakerStateMachine"/> returns changed copies.
/// </summary>
public sealed record BreakerSnapshot
{
    public required string Remote { get; init; }

    public BreakerState State { get; init; } = BreakerState.Closed;

    /// <summary>Breaker-relevant failures since the last success (or reset, or the failure window running out).</summary>
    public int ConsecutiveFailures { get; init; }

    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>The code of the last breaker-relevant failure (see <see cref="Failures.ErrorCodes"/>).</summary>
    public string? LastErrorCode { get; init; }

    /// <summary>Its message, redacted of secrets and shortened.</summary>
    public string? LastErrorMessage { get; init; }

    /// <summary>When the breaker last opened (or was isolated); null while closed.</summary>
    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>When an open breaker half-opens; null unless <see cref="BreakerState.Open"/>.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Successes counted while half-open.</summary>
    public int HalfOpenSuccesses { get; init; }

    /// <summary>Half-open probes in flight: probe id → when its slot frees by itself.</summary>
    public ImmutableSortedDictionary<string, DateTimeOffset> Probes { get; init; } = ImmutableSortedDictionary<string, DateTimeOffset>.Empty;

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The store's version of this record (0 = never stored); each stored change adds one. Not part of the logic.</summary>
    public long Version { get; init; }

    /// <summary>A remote nobody has recorded anything for: closed, no failures.</summary>
    public static BreakerSnapshot New(string remote) => new() { Remote = remote };

    /// <summary>Whether two snapshots say the same thing (the <see cref="Version"/> aside).</summary>
    public bool SameAs(BreakerSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Remote == other.Remote && State == other.State && ConsecutiveFailures == other.ConsecutiveFailures
            && LastFailureAt == other.LastFailureAt && LastErrorCode == other.LastErrorCode && LastErrorMessage == other.LastErrorMessage
            && OpenedAt == other.OpenedAt && RetryAt == other.RetryAt && HalfOpenSuccesses == other.HalfOpenSuccesses
            && UpdatedAt == other.UpdatedAt && Probes.Count == other.Probes.Count
            && Probes.All(p => other.Probes.TryGetValue(p.Key, out var expiry) && expiry == p.Value);
    }

    /// <summary>What events, notifications and the Api show of it.</summary>
    public RemoteStatus ToStatus() => new()
    {
        Name = Remote,
        State = State,
        ConsecutiveFailures = ConsecutiveFailures,
        LastErrorCode = LastErrorCode,
        LastErrorMessage = LastErrorMessage,
        OpenedAt = OpenedAt,
        RetryAt = RetryAt,
    };
}

/// <summary>
/// A remote's breaker as Rcmd shows it: the payload of <c>remote-status</c> events (<see cref="Events.RcmdEvent.Remote"/>)
/// and of <c>REMOTE_OFFLINE</c>/<c>REMOTE_ONLINE</c> notifications. Nothing in it is secret: messages are redacted.
/// </summary>
public sealed record RemoteStatus
{
    /// <summary>The remote: a configured name (<c>s3prod</c>) or an inline backend (<c>:s3</c>).</summary>
    public required string Name { get; init; }

    public required BreakerState State { get; init; }

    public int ConsecutiveFailures { get; init; }

    public string? LastErrorCode { get; init; }

    public string? LastErrorMessage { get; init; }

    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>When an open breaker lets a probe through again.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>What a breaker says to one caller asking to go through (<see cref="BreakerStateMachine.Acquire(BreakerSnapshot, BreakerSettings, string, int, TimeProvider)"/>).</summary>
/// <param name="Admitted">Whether the call or job may go to the remote.</param>
/// <param name="State">The breaker's state after the decision.</param>
/// <param name="RetryAt">For a refusal: when asking again may succeed.</param>
/// <param name="ProbeId">For a half-open admission: the probe slot it holds; report its outcome with this id.</param>
/// <param name="RunsInFlight">
/// For a refusal while closed (the remote failed since its last success): the runs in flight on it, which decide whether
/// its breaker opens (<see cref="BreakerStateMachine.AdmissionLimit"/>). Null otherwise.
/// </param>
public sealed record BreakerDecision(bool Admitted, BreakerState State, DateTimeOffset? RetryAt = null, string? ProbeId = null,
    int? RunsInFlight = null)
{
    /// <summary>Whole seconds until <see cref="RetryAt"/>, at least 1 (for messages and <c>Retry-After</c>).</summary>
    public int RetryInSeconds(DateTimeOffset now) => RetryAt is { } at ? Math.Max(1, (int)Math.Ceiling((at - now).TotalSeconds)) : 1;
}

/// <summary>A change of state. Only the store's winning writer publishes it, so each transition is announced once.</summary>
public sealed record BreakerTransition(string Remote, BreakerState From, BreakerState To, DateTimeOffset At)
{
    /// <summary>
    /// The notification it raises, if any: <c>REMOTE_OFFLINE</c> when the remote stops being usable (closed → open or
    /// isolated), <c>REMOTE_ONLINE</c> when it is usable again (→ closed). Open ⇄ half-open raises none: the remote is
    /// offline throughout, so every OFFLINE is followed by exactly one ONLINE.
    /// </summary>
    public string? Notification => (From.IsOnline(), To.IsOnline()) switch
    {
        (true, false) => Notifications.NotificationTypes.RemoteOffline,
        (false, true) => Notifications.NotificationTypes.RemoteOnline,
        _ => null,
    };
}

/// <summary>The result of one breaker operation: the snapshot before and after, the transition and the decision if any.</summary>
public sealed record BreakerStep(BreakerSnapshot Previous, BreakerSnapshot Next, BreakerTransition? Transition = null, BreakerDecision? Decision = null)
{
    /// <summary>Whether the stored snapshot must be written.</summary>
    public bool Changed => !Previous.SameAs(Next);
}

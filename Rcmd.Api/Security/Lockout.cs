namespace Rcmd.Api.Security;

/// <summary>The lockout of one account, as stored: failed checks in a row and the end of a lock (if any).</summary>
public readonly record struct LockoutState(int Failures, DateTimeOffset? LockedUntil);

/// <summary>
/// The lockout rule, pure: <see cref="AuthOptions.LockoutThreshold"/> failed password checks in a row lock the account for
/// <see cref="AuthOptions.LockoutDuration"/>; a success clears the count; while locked even the right password is refused
/// (so guessing on gains nothing). The store applies the result; time comes from a <see cref="TimeProvider"/>.
/// </summary>
public static class Lockout
{
    public static bool IsLocked(LockoutState state, DateTimeOffset now) => state.LockedUntil is { } until && until > now;

    /// <summary>The state after one more failed check: the count grows, and at the threshold the account locks and the count restarts.</summary>
    public static LockoutState AfterFailure(LockoutState state, DateTimeOffset now, int threshold, TimeSpan duration)
    {
        var failures = state.Failures + 1;
        return failures >= threshold
            ? new LockoutState(0, now + duration)
            : new LockoutState(failures, IsLocked(state, now) ? state.LockedUntil : null);
    }

    public static LockoutState AfterSuccess() => default;
}

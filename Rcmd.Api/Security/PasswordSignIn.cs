namespace Rcmd.Api.Security;

/// <summary>How one password sign-in ended (HTTP Basic or <c>POST /api/auth/sessions</c>, the same rules).</summary>
public abstract record SignInOutcome
{
    public sealed record Admitted(Account Account) : SignInOutcome;

    /// <summary>The address made too many failed sign-ins: wait <paramref name="RetryAfter"/>.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : SignInOutcome;

    /// <summary>The account is locked until <paramref name="Until"/> (even the right password is refused meanwhile).</summary>
    public sealed record Locked(DateTimeOffset? Until) : SignInOutcome;

    public sealed record Refused : SignInOutcome;
}

/// <summary>
/// One password sign-in, for every way a password reaches the Api: the per-address limit first
/// (<see cref="SignInThrottle"/>), then the account's check with lockout (<see cref="AccountStore"/>), a decoy hash for
/// unknown names (same timing), and the one-minute memory of a verified password. Failures count toward both limits.
/// </summary>
public sealed class PasswordSignIn(AccountStore accounts, SignInThrottle throttle, TimeProvider time)
{
    public async Task<SignInOutcome> SignInAsync(string user, string password, string address, CancellationToken cancellationToken)
    {
        if (await throttle.BlockedForAsync(address, cancellationToken).ConfigureAwait(false) is { } wait)
        {
            return new SignInOutcome.Throttled(wait);
        }

        var account = await accounts.GetAsync(user, cancellationToken).ConfigureAwait(false);
        if (account is not null && throttle.WasVerified(account, password))
        {
            return new SignInOutcome.Admitted(account);
        }

        if (account is null)
        {
            AccountStore.VerifyAgainstDecoy(password);
        }

        var check = account is null ? PasswordCheck.Invalid : await accounts.CheckPasswordAsync(account, password, cancellationToken).ConfigureAwait(false);
        if (check == PasswordCheck.Valid)
        {
            throttle.RememberVerified(account!, password);
            return new SignInOutcome.Admitted(account!);
        }

        await throttle.RecordFailureAsync(address, cancellationToken).ConfigureAwait(false);
        if (check != PasswordCheck.Locked)
        {
            return new SignInOutcome.Refused();
        }

        var lockedUntil = (await accounts.GetAsync(account!.Name, cancellationToken).ConfigureAwait(false))?.Lockout.LockedUntil;
        return new SignInOutcome.Locked(lockedUntil is { } until && until > time.GetUtcNow() ? until : null);
    }
}

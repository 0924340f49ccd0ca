using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rcmd.Storage;
using StackExchange.Redis;
using Role = Rcmd.Security.Role;

namespace Rcmd.Api.Security;

/// <summary>A local account as stored (the password hash never leaves the store's callers).</summary>
public sealed record Account(string Name, Role Role, string PasswordHash, DateTimeOffset Created, LockoutState Lockout);

/// <summary>An account as the API shows it: no hash.</summary>
public sealed record AccountInfo(string Name, string Role, DateTimeOffset Created, DateTimeOffset? LockedUntil);

/// <summary>What a password check found.</summary>
public enum PasswordCheck
{
    Valid,
    Invalid,
    Locked,
}

/// <summary>
/// Local accounts in Redis (<see cref="RedisKeys.Account"/>, indexed by <see cref="RedisKeys.Accounts"/>): a name, one
/// role, and the password hashed by ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2). Repeated failed
/// checks lock the account (<see cref="Security.Lockout"/>).
/// </summary>
public sealed partial class AccountStore(RedisConnection redis, IOptions<AuthOptions> options, TimeProvider time)
{
    private static readonly PasswordHasher<string> Hasher = new();

    private IDatabase Db => redis.Database;
    private RedisKeys Keys => redis.Keys;

    /// <summary>Lower-case letters, digits and <c>. _ @ -</c>, 1–64 characters, starting with a letter or digit.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,63}$")]
    private static partial Regex NamePattern();

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public async Task<Account?> GetAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var normalized = Normalize(name);
        if (!IsValidName(normalized))
        {
            return null;
        }

        var fields = await Db.HashGetAllAsync(Keys.Account(normalized)).ConfigureAwait(false);
        return Read(normalized, fields);
    }

    /// <summary>Creates the account; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(string name, string password, Role role, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var normalized = Normalize(name);
        var key = Keys.Account(normalized);
        var transaction = Db.CreateTransaction();
        transaction.AddCondition(Condition.KeyNotExists(key));
        _ = transaction.HashSetAsync(key,
        [
            new HashEntry("role", Roles.ToWire(role)),
            new HashEntry("hash", Hasher.HashPassword(normalized, password)),
            new HashEntry("created", time.GetUtcNow().ToUnixTimeMilliseconds()),
        ]);
        _ = transaction.SetAddAsync(Keys.Accounts, normalized);
        return await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var normalized = Normalize(name);
        var transaction = Db.CreateTransaction();
        var deleted = transaction.KeyDeleteAsync(Keys.Account(normalized));
        _ = transaction.SetRemoveAsync(Keys.Accounts, normalized);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        return await deleted.ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = (await Db.SetMembersAsync(Keys.Accounts).ConfigureAwait(false)).Select(n => n.ToString()).Order(StringComparer.Ordinal).ToList();
        var batch = Db.CreateBatch();
        var reads = names.Select(n => batch.HashGetAllAsync(Keys.Account(n))).ToList();
        batch.Execute();
        var accounts = new List<Account>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            if (Read(names[i], await reads[i].ConfigureAwait(false)) is { } account)
            {
                accounts.Add(account);
            }
        }

        return accounts;
    }

    /// <summary>
    /// Runs one hash verification against a fixed hash, so a sign-in as an unknown user takes as long as one with a wrong
    /// password (the timing does not tell which names exist).
    /// </summary>
    public static void VerifyAgainstDecoy(string password) =>
        _ = Hasher.VerifyHashedPassword(string.Empty, Decoy.Value, password);

    private static readonly Lazy<string> Decoy = new(() => Hasher.HashPassword(string.Empty, Guid.NewGuid().ToString()));

    public async Task<bool> AnyAdminAsync(CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Any(a => a.Role == Role.Admin);

    /// <summary>
    /// Checks a password against the stored hash, counting failures toward the lockout. A locked account is refused
    /// without looking at the password.
    /// </summary>
    public async Task<PasswordCheck> CheckPasswordAsync(Account account, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var now = time.GetUtcNow();
        if (Lockout.IsLocked(account.Lockout, now))
        {
            return PasswordCheck.Locked;
        }

        var valid = Hasher.VerifyHashedPassword(account.Name, account.PasswordHash, password) != PasswordVerificationResult.Failed;
        if (valid)
        {
            if (account.Lockout != default)
            {
                await SaveLockoutAsync(account.Name, Lockout.AfterSuccess(), cancellationToken).ConfigureAwait(false);
            }

            return PasswordCheck.Valid;
        }

        var after = await RecordFailureAsync(account.Name, cancellationToken).ConfigureAwait(false);
        return Lockout.IsLocked(after, now) ? PasswordCheck.Locked : PasswordCheck.Invalid;
    }

    /// <summary>
    /// One more failed check: re-reads the count (another replica may have counted too) and saves the next state; returns
    /// it (locked when this failure reached the threshold).
    /// </summary>
    public async Task<LockoutState> RecordFailureAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = Keys.Account(name);
        var failures = await Db.HashIncrementAsync(key, "failures").ConfigureAwait(false);
        var next = Lockout.AfterFailure(new LockoutState((int)failures - 1, null), time.GetUtcNow(),
            options.Value.LockoutThreshold, options.Value.LockoutDuration);
        if (next.LockedUntil is not null)
        {
            await SaveLockoutAsync(name, next, cancellationToken).ConfigureAwait(false);
        }

        return next;
    }

    private Task SaveLockoutAsync(string name, LockoutState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Db.HashSetAsync(Keys.Account(name),
        [
            new HashEntry("failures", state.Failures),
            new HashEntry("lockedUntil", state.LockedUntil?.ToUnixTimeMilliseconds() ?? 0),
        ]);
    }

    private static Account? Read(string name, HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var values = fields.ToDictionary(f => f.Name.ToString(), f => f.Value, StringComparer.Ordinal);
        if (!values.TryGetValue("hash", out var hash) || !values.TryGetValue("role", out var role) || !Roles.TryParse(role, out var parsed))
        {
            return null;
        }

        var lockedUntil = values.TryGetValue("lockedUntil", out var until) && (long)until > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)until)
            : (DateTimeOffset?)null;
        var failures = values.TryGetValue("failures", out var count) ? (int)count : 0;
        var created = values.TryGetValue("created", out var c) ? DateTimeOffset.FromUnixTimeMilliseconds((long)c) : DateTimeOffset.UnixEpoch;
        return new Account(name, parsed, hash.ToString(), created, new LockoutState(failures, lockedUntil));
    }
}

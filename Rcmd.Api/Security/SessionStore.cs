using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Rcmd.Storage;
using StackExchange.Redis;
using Role = Rcmd.Security.Role;

namespace Rcmd.Api.Security;

/// <summary>A dashboard session as stored: whose it is, their role when it began, and how they signed in.</summary>
public sealed record Session(string Id, string User, Role Role, string Via, DateTimeOffset Created, DateTimeOffset AccountCreated);

/// <summary>What <c>POST /api/auth/sessions</c> answers: the token (shown this once) and who it is for.</summary>
public sealed record CreatedSession(string Token, string User, string Role, DateTimeOffset ExpiresAt);

/// <summary>
/// Sessions of the dashboard's users (<see cref="RedisKeys.Session"/>): an opaque token <c>rcmds_</c> + 256 random bits,
/// of which only the SHA-256 is stored, with the user, role and how they signed in. A session expires after
/// <see cref="AuthOptions.SessionIdleTimeout"/> unused (sliding: each use renews it, at most once a minute) and after
/// <see cref="AuthOptions.SessionMaxLifetime"/> in any case; sign-out deletes it. A session of a local account ends at
/// once when the account is deleted, re-created, or its role is no longer the one the session began with. A session of
/// an OpenID Connect user (<c>via</c> <c>oidc</c>) keeps the role mapped at sign-in until it ends.
/// </summary>
public sealed class SessionStore(RedisConnection redis, AccountStore accounts, IOptions<AuthOptions> options, TimeProvider time)
{
    public const string TokenPrefix = "rcmds_";

    /// <summary>The claim with the session's id (a prefix of its hash: names it in logs and audit, cannot be used to sign in).</summary>
    public const string ClaimType = "rcmd:session";

    public const string LocalAccount = "password";

    private IDatabase Db => redis.Database;

    public static bool IsSessionToken(string value) => value.StartsWith(TokenPrefix, StringComparison.Ordinal);

    /// <summary>A session of a local account (signed in with its password).</summary>
    public Task<CreatedSession> CreateAsync(Account account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return CreateAsync(account.Name, account.Role, LocalAccount, account.Created, cancellationToken);
    }

    /// <summary>A session of a user the OpenID Connect provider vouched for, with the role the Api mapped (<see cref="OidcSignIn"/>).</summary>
    public Task<CreatedSession> CreateOidcAsync(string user, Role role, CancellationToken cancellationToken) =>
        CreateAsync(user, role, OidcConstants.Via, DateTimeOffset.UnixEpoch, cancellationToken);

    private async Task<CreatedSession> CreateAsync(string user, Role role, string via, DateTimeOffset accountCreated, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var key = redis.Keys.Session(ApiKeyStore.Hash(token));
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(key,
        [
            new HashEntry("user", user),
            new HashEntry("role", Roles.ToWire(role)),
            new HashEntry("via", via),
            new HashEntry("created", now.ToUnixTimeMilliseconds()),
            new HashEntry("renewed", now.ToUnixTimeMilliseconds()),
            new HashEntry("accountCreated", accountCreated.ToUnixTimeMilliseconds()),
        ]);
        _ = transaction.KeyExpireAsync(key, options.Value.SessionIdleTimeout);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        return new CreatedSession(token, user, Roles.ToWire(role), now + options.Value.SessionIdleTimeout);
    }

    /// <summary>The session of <paramref name="token"/> when it is valid (renewing it); null otherwise.</summary>
    public async Task<Session?> FindAsync(string token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsSessionToken(token) || token.Length > 128)
        {
            return null;
        }

        var hash = ApiKeyStore.Hash(token);
        var key = redis.Keys.Session(hash);
        var fields = (await Db.HashGetAllAsync(key).ConfigureAwait(false)).ToDictionary(f => f.Name.ToString(), f => f.Value, StringComparer.Ordinal);
        if (!fields.TryGetValue("user", out var user) || !fields.TryGetValue("role", out var wire) || !Roles.TryParse(wire, out var role))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var session = new Session(hash[..16], user.ToString(), role, fields.GetValueOrDefault("via").ToString(), Ms(fields, "created"),
            Ms(fields, "accountCreated"));
        if (now - session.Created >= options.Value.SessionMaxLifetime || !await AccountStillMatchesAsync(session, cancellationToken).ConfigureAwait(false))
        {
            await Db.KeyDeleteAsync(key).ConfigureAwait(false);
            return null;
        }

        if (now - Ms(fields, "renewed") >= AuthConstants.SessionRenewResolution)
        {
            var batch = Db.CreateBatch();
            _ = batch.HashSetAsync(key, "renewed", now.ToUnixTimeMilliseconds(), When.Always, CommandFlags.FireAndForget);
            _ = batch.KeyExpireAsync(key, options.Value.SessionIdleTimeout, CommandFlags.FireAndForget);
            batch.Execute();
        }

        return session;
    }

    /// <summary>Ends the session of <paramref name="token"/> (sign-out); false when there was none.</summary>
    public async Task<bool> DeleteAsync(string token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return IsSessionToken(token) && await Db.KeyDeleteAsync(redis.Keys.Session(ApiKeyStore.Hash(token))).ConfigureAwait(false);
    }

    private async Task<bool> AccountStillMatchesAsync(Session session, CancellationToken cancellationToken)
    {
        if (session.Via != LocalAccount)
        {
            return true;
        }

        var account = await accounts.GetAsync(session.User, cancellationToken).ConfigureAwait(false);
        return account is not null && account.Role == session.Role && account.Created == session.AccountCreated;
    }

    private static DateTimeOffset Ms(Dictionary<string, RedisValue> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Security.Cryptography;
using System.Text;
using Rcmd.Storage;
using StackExchange.Redis;
using Role = Rcmd.Security.Role;

namespace Rcmd.Api.Security;

/// <summary>An API key as stored and listed: never the key itself, only its SHA-256.</summary>
public sealed record ApiKeyInfo(string Id, string Name, string Role, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? ExpiresAt);

/// <summary>What <c>POST /api/auth/keys</c> answers: the key, shown this once.</summary>
public sealed record CreatedApiKey(string Id, string Name, string Role, DateTimeOffset Created, DateTimeOffset? ExpiresAt, string Key);

/// <summary>
/// API keys in Redis (<see cref="RedisKeys.ApiKey"/>, indexed by <see cref="RedisKeys.ApiKeys"/>). A key is
/// <c>rcmd_</c> + 256 random bits (base64url); only its SHA-256 is stored, with a reverse index
/// (<see cref="RedisKeys.ApiKeysByHash"/>) to find it, and the stored hash is compared again in constant time.
/// A plain hash suffices (not PBKDF2): the key has 256 bits of entropy, nothing to guess.
/// </summary>
public sealed class ApiKeyStore(RedisConnection redis, TimeProvider time)
{
    public const string KeyPrefix = "rcmd_";

    private IDatabase Db => redis.Database;
    private RedisKeys Keys => redis.Keys;

    public async Task<CreatedApiKey> CreateAsync(string name, Role role, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var key = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(key);
        var created = time.GetUtcNow();

        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(Keys.ApiKey(id),
        [
            new HashEntry("name", name),
            new HashEntry("role", Roles.ToWire(role)),
            new HashEntry("hash", hash),
            new HashEntry("created", created.ToUnixTimeMilliseconds()),
            new HashEntry("expires", expiresAt?.ToUnixTimeMilliseconds() ?? 0),
        ]);
        _ = transaction.SetAddAsync(Keys.ApiKeys, id);
        _ = transaction.HashSetAsync(Keys.ApiKeysByHash, hash, id);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        return new CreatedApiKey(id, name, Roles.ToWire(role), created, expiresAt, key);
    }

    /// <summary>The key <paramref name="presented"/> is, when it exists and has not expired; null otherwise.</summary>
    public async Task<(ApiKeyInfo Info, Role Role)?> FindAsync(string presented, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!presented.StartsWith(KeyPrefix, StringComparison.Ordinal) || presented.Length > 128)
        {
            return null;
        }

        var hash = Hash(presented);
        var id = await Db.HashGetAsync(Keys.ApiKeysByHash, hash).ConfigureAwait(false);
        if (id.IsNullOrEmpty)
        {
            return null;
        }

        var fields = await Db.HashGetAllAsync(Keys.ApiKey(id.ToString())).ConfigureAwait(false);
        if (Read(id.ToString(), fields) is not { } found || !SameHash(found.Hash, hash))
        {
            return null;
        }

        return found.Info.ExpiresAt is { } expires && expires <= time.GetUtcNow() ? null : (found.Info, found.Role);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ids = (await Db.SetMembersAsync(Keys.ApiKeys).ConfigureAwait(false)).Select(i => i.ToString()).ToList();
        var batch = Db.CreateBatch();
        var reads = ids.Select(i => batch.HashGetAllAsync(Keys.ApiKey(i))).ToList();
        batch.Execute();
        var keys = new List<ApiKeyInfo>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            if (Read(ids[i], await reads[i].ConfigureAwait(false)) is { } found)
            {
                keys.Add(found.Info);
            }
        }

        return keys.OrderBy(k => k.Created).ToList();
    }

    /// <summary>Revokes a key: it stops working at once, on every replica.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var hash = await Db.HashGetAsync(Keys.ApiKey(id), "hash").ConfigureAwait(false);
        if (hash.IsNullOrEmpty)
        {
            return false;
        }

        var transaction = Db.CreateTransaction();
        _ = transaction.KeyDeleteAsync(Keys.ApiKey(id));
        _ = transaction.SetRemoveAsync(Keys.ApiKeys, id);
        _ = transaction.HashDeleteAsync(Keys.ApiKeysByHash, hash);
        return await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>Records a use, fire-and-forget; the caller throttles it (<see cref="AuthConstants.LastUsedResolution"/>).</summary>
    public void Touch(string id) =>
        _ = Db.HashSetAsync(Keys.ApiKey(id), "lastUsed", time.GetUtcNow().ToUnixTimeMilliseconds(), When.Always, CommandFlags.FireAndForget);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static bool SameHash(string stored, string computed) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(computed));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (ApiKeyInfo Info, Role Role, string Hash)? Read(string id, HashEntry[] fields)
    {
        var values = fields.ToDictionary(f => f.Name.ToString(), f => f.Value, StringComparer.Ordinal);
        if (!values.TryGetValue("hash", out var hash) || !values.TryGetValue("role", out var role) || !Roles.TryParse(role, out var parsed))
        {
            return null;
        }

        static DateTimeOffset? Time(Dictionary<string, RedisValue> values, string field) =>
            values.TryGetValue(field, out var ms) && (long)ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null;

        var info = new ApiKeyInfo(id, values.TryGetValue("name", out var name) ? name.ToString() : string.Empty, Roles.ToWire(parsed),
            Time(values, "created") ?? DateTimeOffset.UnixEpoch, Time(values, "lastUsed"), Time(values, "expires"));
        return (info, parsed, hash.ToString());
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Services;

/// <summary>
/// The last good result of each remote read (<c>list</c>, <c>about</c>, <c>size</c>) per path, in Redis under
/// <see cref="RedisKeys.Cache"/>: what a read answers, marked stale, while the remote's breaker is open. Bounded three
/// ways: each entry lives <see cref="TimeToLive"/>, results larger than <see cref="MaxEntryBytes"/> are not kept, and
/// past <see cref="MaxEntries"/> entries the oldest are dropped (index <see cref="RedisKeys.CacheIndex"/>).
/// </summary>
public sealed class RemoteReadCache(RedisConnection redis, TimeProvider time)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromHours(24);

    public const int MaxEntryBytes = 1024 * 1024;

    public const int MaxEntries = 10_000;

    // KEYS: entry, index. ARGV: value, ttl ms, now ms, max entries, oldest score to keep.
    // The trimmed keys are not in KEYS: Rcmd runs one Redis, not a cluster.
    private const string SetScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
        local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
        if excess > 0 then
          for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do redis.call('DEL', key) end
          redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
        end
        return 1
        """;

    /// <summary>Keeps <paramref name="json"/> as the last good result; false when it is too large to keep.</summary>
    public async Task<bool> SetAsync(string remote, string operation, string path, string json, CancellationToken cancellationToken)
    {
        if (Encoding.UTF8.GetByteCount(json) > MaxEntryBytes)
        {
            return false;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var value = now.ToString(CultureInfo.InvariantCulture) + "\n" + json;
        await redis.Database.ScriptEvaluateAsync(SetScript, [Key(remote, operation, path), redis.Keys.CacheIndex],
            [value, (long)TimeToLive.TotalMilliseconds, now, MaxEntries, now - (long)TimeToLive.TotalMilliseconds])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The last good result and when it was read; null when there is none (or it expired).</summary>
    public async Task<CachedRead?> GetAsync(string remote, string operation, string path, CancellationToken cancellationToken)
    {
        var value = await redis.Database.StringGetAsync(Key(remote, operation, path)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var text = (string)value!;
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline > 0 && long.TryParse(text.AsSpan(0, newline), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? new CachedRead(text[(newline + 1)..], DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : null;
    }

    private RedisKey Key(string remote, string operation, string path) => redis.Keys.Cache(remote, operation, Hash(path));

    /// <summary>A short, key-safe digest of a path (the path itself may hold anything).</summary>
    internal static string Hash(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)).AsSpan(0, 12));
}

/// <summary>A cached read: the result's JSON as rcd answered it, and when it was read.</summary>
public sealed record CachedRead(string Json, DateTimeOffset ReadAt);

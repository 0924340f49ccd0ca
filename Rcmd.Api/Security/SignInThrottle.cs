using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Rcmd.Storage;

namespace Rcmd.Api.Security;

/// <summary>
/// Failed sign-ins per remote address, counted in Redis (<see cref="RedisKeys.SignInFailures"/>, one fixed window with
/// PX) so every Api replica sees them: past <see cref="AuthOptions.FailuresPerWindow"/> the address is answered 429
/// until the window ends — for any account, so spraying many accounts is slowed too. Also remembers verified Basic
/// passwords for a minute (keyed by an HMAC with a per-process secret), so a client sending Basic on every request
/// does not cost a PBKDF2 each time; a changed or deleted account misses the cache.
/// </summary>
public sealed class SignInThrottle(RedisConnection redis, IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (byte[] Mac, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

    /// <summary>How long the address must wait, or null when it may try.</summary>
    public async Task<TimeSpan?> BlockedForAsync(string address, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = redis.Keys.SignInFailures(address);
        var count = await redis.Database.StringGetAsync(key).ConfigureAwait(false);
        if (!count.HasValue || (long)count < options.Value.FailuresPerWindow)
        {
            return null;
        }

        var ttl = await redis.Database.KeyTimeToLiveAsync(key).ConfigureAwait(false);
        return ttl is { } left && left > TimeSpan.Zero ? left : options.Value.FailureWindow;
    }

    public async Task RecordFailureAsync(string address, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = redis.Keys.SignInFailures(address);
        var count = await redis.Database.StringIncrementAsync(key).ConfigureAwait(false);
        if (count == 1)
        {
            await redis.Database.KeyExpireAsync(key, options.Value.FailureWindow).ConfigureAwait(false);
        }
    }

    public bool WasVerified(Account account, string password)
    {
        ArgumentNullException.ThrowIfNull(account);
        return _verified.TryGetValue(account.Name, out var entry)
            && entry.Until > time.GetUtcNow()
            && CryptographicOperations.FixedTimeEquals(entry.Mac, Mac(account, password));
    }

    public void RememberVerified(Account account, string password)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (_verified.Count > 10_000)
        {
            _verified.Clear();
        }

        _verified[account.Name] = (Mac(account, password), time.GetUtcNow() + AuthConstants.VerifiedPasswordLifetime);
    }

    private byte[] Mac(Account account, string password) =>
        HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes($"{account.Name}\0{account.PasswordHash}\0{account.Role}\0{password}"));
}

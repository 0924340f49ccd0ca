using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Batches;

/// <summary>
/// A counting semaphore per remote, shared by every Worker through Redis (<see cref="RedisKeys.RemoteSemaphore"/>: a
/// sorted set of holder → lease expiry). A permit is a lease: its holder renews it while the operation runs, and a
/// Worker that dies simply stops renewing, so its permits come back once they expire. An operation on two remotes takes
/// a permit on each, all or none, in one script (no deadlock between two Workers taking them in different orders).
/// </summary>
public sealed class RemoteSemaphore(RedisConnection redis, TimeProvider time)
{
    // KEYS: one semaphore per remote. ARGV: holder, now ms, expiry ms, then the limit of each key in order.
    // Expired permits are dropped first; 1 = every permit taken, 0 = one remote is full (nothing taken).
    private const string AcquireScript = """
        for i = 1, #KEYS do
          redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[2])
          if not redis.call('ZSCORE', KEYS[i], ARGV[1]) and redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[3 + i]) then
            return 0
          end
        end
        for i = 1, #KEYS do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[1]) end
        return 1
        """;

    // Extends the permits the holder still has (never re-creates one that expired and was given to someone else).
    private const string RenewScript = """
        for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', ARGV[2], ARGV[1]) end
        return 1
        """;

    private RedisKeys Keys => redis.Keys;

    /// <summary>Tries once to take a permit on every remote in <paramref name="limits"/> for <paramref name="holder"/>.</summary>
    public async Task<bool> TryAcquireAsync(IReadOnlyList<(string Remote, int Limit)> limits, string holder, TimeSpan lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.Count == 0)
        {
            return true;
        }

        var now = time.GetUtcNow();
        var result = await redis.Database.ScriptEvaluateAsync(AcquireScript,
            [.. limits.Select(l => (RedisKey)Keys.RemoteSemaphore(l.Remote))],
            [holder, now.ToUnixTimeMilliseconds(), (now + lease).ToUnixTimeMilliseconds(), .. limits.Select(l => (RedisValue)l.Limit)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>Takes the permits, waiting (20 ms, doubling to 500 ms between tries) while a remote is full.</summary>
    public async Task AcquireAsync(IReadOnlyList<(string Remote, int Limit)> limits, string holder, TimeSpan lease,
        CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(20);
        while (!await TryAcquireAsync(limits, holder, lease, cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
        }
    }

    public Task RenewAsync(IReadOnlyList<string> remotes, string holder, TimeSpan lease, CancellationToken cancellationToken) =>
        remotes.Count == 0
            ? Task.CompletedTask
            : redis.Database.ScriptEvaluateAsync(RenewScript, [.. remotes.Select(r => (RedisKey)Keys.RemoteSemaphore(r))],
                [holder, (time.GetUtcNow() + lease).ToUnixTimeMilliseconds()]).WaitAsync(cancellationToken);

    public Task ReleaseAsync(IReadOnlyList<string> remotes, string holder, CancellationToken cancellationToken) =>
        Task.WhenAll(remotes.Select(r => redis.Database.SortedSetRemoveAsync(Keys.RemoteSemaphore(r), holder))).WaitAsync(cancellationToken);

    /// <summary>Permits held now (expired ones not counted).</summary>
    public async Task<long> HeldAsync(string remote, CancellationToken cancellationToken) =>
        await redis.Database.SortedSetLengthAsync(Keys.RemoteSemaphore(remote), time.GetUtcNow().ToUnixTimeMilliseconds(), double.PositiveInfinity)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
}

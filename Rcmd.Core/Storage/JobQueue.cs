using System.Text.Json;
using Rcmd.Jobs;
using Rcmd.Serialization;
using StackExchange.Redis;

namespace Rcmd.Storage;

/// <summary>
/// The queue Workers claim jobs from. A claim pops an id and records a lease (expiry + owner) in one script, so
/// two Workers never get the same job; the owner renews the lease while it works; a lease that expires marks
/// a job whose Worker died, and exactly one caller of <see cref="TryTakeOverAsync(string, string, TimeSpan, CancellationToken)"/> gets to recover it.
/// </summary>
public sealed class JobQueue(RedisConnection redis, TimeProvider time)
{
    private const string ClaimScript = """
        local id = redis.call('RPOP', KEYS[1])
        if not id then return false end
        redis.call('ZADD', KEYS[2], ARGV[1], id)
        redis.call('HSET', KEYS[3], id, ARGV[2])
        return id
        """;

    // ClaimScript, then the claimed job's record and whether a cancel waits for it, in the same step: the Worker's first
    // round trip brings everything it needs to start. KEYS: queue, leases, owners; ARGV: expiry ms, worker, job key
    // prefix, cancel key suffix. Returns false or { id, record (false when missing), 1|0 }.
    private const string ClaimAndReadScript = """
        local id = redis.call('RPOP', KEYS[1])
        if not id then return false end
        redis.call('ZADD', KEYS[2], ARGV[1], id)
        redis.call('HSET', KEYS[3], id, ARGV[2])
        local key = ARGV[3] .. id
        return { id, redis.call('GET', key), redis.call('EXISTS', key .. ARGV[4]) }
        """;

    private const string RenewScript = """
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return 1
        """;

    private const string TakeOverScript = """
        local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not expiry or tonumber(expiry) > tonumber(ARGV[2]) then return false end
        local owner = redis.call('HGET', KEYS[2], ARGV[1]) or ''
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return owner
        """;

    // Like TakeOverScript, but the winner holds the lease at once: there is no moment when a running job has no lease
    // (a reaper that died between "take over" and "lease it" would otherwise orphan the job for good).
    private const string TakeOverAndHoldScript = """
        local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not expiry or tonumber(expiry) > tonumber(ARGV[2]) then return false end
        local owner = redis.call('HGET', KEYS[2], ARGV[1]) or ''
        redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        return owner
        """;

    private RedisKeys Keys => redis.Keys;

    /// <summary>Pops the oldest queued job id and leases it to <paramref name="workerId"/>; null when the queue is empty.</summary>
    public async Task<string?> TryClaimAsync(string workerId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(ClaimScript,
            [Keys.Queue, Keys.Leases, Keys.LeaseOwners], [ExpiryMs(lease), workerId])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : (string?)result;
    }

    /// <summary>
    /// Like <see cref="TryClaimAsync"/>, and reads the claimed job's record and its cancel request in the same round trip.
    /// Null when the queue is empty; <see cref="ClaimedJob.Job"/> is null when the id names no record.
    /// </summary>
    public async Task<ClaimedJob?> TryClaimJobAsync(string workerId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(ClaimAndReadScript,
            [Keys.Queue, Keys.Leases, Keys.LeaseOwners], [ExpiryMs(lease), workerId, Keys.JobPrefix, RedisKeys.CancelSuffix])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        var record = (RedisValue)parts[1];
        var job = record.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)record!, RcmdJsonContext.Default.Job);
        return new ClaimedJob((string)parts[0]!, job, (int)parts[2] == 1);
    }

    /// <summary>Extends the lease; false when the Worker no longer holds it (it was taken over).</summary>
    public async Task<bool> RenewAsync(string id, string workerId, TimeSpan lease, CancellationToken cancellationToken) =>
        (int)await redis.Database.ScriptEvaluateAsync(RenewScript, [Keys.Leases, Keys.LeaseOwners], [id, workerId, ExpiryMs(lease)])
            .WaitAsync(cancellationToken).ConfigureAwait(false) == 1;

    public async Task<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken) =>
        (int)await redis.Database.ScriptEvaluateAsync(ReleaseScript, [Keys.Leases, Keys.LeaseOwners], [id, workerId])
            .WaitAsync(cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>Ids whose lease has expired (their Worker stopped renewing), oldest expiry first.</summary>
    public async Task<IReadOnlyList<string>> ExpiredAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await redis.Database.SortedSetRangeByScoreAsync(Keys.Leases, double.NegativeInfinity, now, Exclude.None, Order.Ascending, 0, max)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return ids.Select(id => (string)id!).ToList();
    }

    /// <summary>
    /// Removes an expired lease. Returns the Worker that held it when this caller won the take-over, null when the
    /// lease was renewed or someone else took it over first.
    /// </summary>
    public async Task<string?> TryTakeOverAsync(string id, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(TakeOverScript, [Keys.Leases, Keys.LeaseOwners],
            [id, time.GetUtcNow().ToUnixTimeMilliseconds()]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : (string?)result;
    }

    /// <summary>
    /// Takes over an expired lease and leases the job to <paramref name="workerId"/> in the same step. Returns the
    /// Worker that held it when this caller won ("" when no owner was recorded), null when the lease was renewed or
    /// someone else took it over first.
    /// </summary>
    public async Task<string?> TryTakeOverAsync(string id, string workerId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(TakeOverAndHoldScript, [Keys.Leases, Keys.LeaseOwners],
            [id, time.GetUtcNow().ToUnixTimeMilliseconds(), workerId, ExpiryMs(lease)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : (string?)result;
    }

    public async Task<long> LengthAsync(CancellationToken cancellationToken) =>
        await redis.Database.ListLengthAsync(Keys.Queue).WaitAsync(cancellationToken).ConfigureAwait(false);

    private long ExpiryMs(TimeSpan lease) => (time.GetUtcNow() + lease).ToUnixTimeMilliseconds();
}

/// <summary>A job a Worker has just claimed (it holds the lease): its record as claimed and whether a cancel waits for it.</summary>
public sealed record ClaimedJob(string Id, Job? Job, bool CancelRequested);

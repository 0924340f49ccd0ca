using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Rc;

/// <summary>
/// The numeric job ids RC clients use, kept in Redis (<see cref="RedisKeys.RcNextJobId"/>, <see cref="RedisKeys.RcJobs"/>):
/// they never repeat, across restarts of rcd, the Api or Redis (AOF) — unlike rcd's own, which restart at 1 (rclone#7095).
/// </summary>
internal sealed class RcJobIds(RedisConnection redis)
{
    private RedisKeys Keys => redis.Keys;

    /// <summary>The next id (1, 2, …).</summary>
    public async Task<long> NextAsync(CancellationToken cancellationToken) =>
        await redis.Database.StringIncrementAsync(Keys.RcNextJobId).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Indexes <paramref name="jobId"/> under <paramref name="rcJobId"/> (before the job is queued).</summary>
    public Task AddAsync(long rcJobId, string jobId, CancellationToken cancellationToken) =>
        redis.Database.SortedSetAddAsync(Keys.RcJobs, jobId, rcJobId).WaitAsync(cancellationToken);

    /// <summary>The Rcmd job id of an RC job id; null when unknown (never given, or archived and gone).</summary>
    public async Task<string?> FindAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var found = await redis.Database.SortedSetRangeByScoreAsync(Keys.RcJobs, rcJobId, rcJobId, take: 1)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return found.Length == 0 ? null : (string?)found[0];
    }

    /// <summary>Every RC job still in Redis: (RC id, Rcmd id), by RC id.</summary>
    public async Task<IReadOnlyList<(long RcJobId, string JobId)>> AllAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.Database.SortedSetRangeByRankWithScoresAsync(Keys.RcJobs).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. entries.Select(e => ((long)e.Score, (string)e.Element!))];
    }

    /// <summary>The <c>executeId</c> RC clients see: one per installation (set once, kept), as rcd gives one per process.</summary>
    public async Task<string> ExecuteIdAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        await database.StringSetAsync(Keys.RcExecuteId, Guid.NewGuid().ToString(), when: When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (string)(await database.StringGetAsync(Keys.RcExecuteId).WaitAsync(cancellationToken).ConfigureAwait(false))!;
    }
}

using Rcmd.Jobs;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Rc;

/// <summary>
/// The numeric job ids RC clients use, kept in Redis (<see cref="RedisKeys.RcNextJobId"/>, <see cref="RedisKeys.RcJobs"/>,
/// <see cref="RedisKeys.RcGroup"/>): they never repeat, across restarts of rcd, the Api or Redis (AOF) — unlike rcd's own,
/// which restart at 1 (rclone#7095). The indexes answer job/list, job/stopgroup and core/stats?group= without reading
/// every RC job; the retention sweep removes a job from them when it archives it (its summary stays in
/// <see cref="RedisKeys.RcArchived"/>).
/// </summary>
internal sealed class RcJobIds(RedisConnection redis)
{
    private static readonly JobState[] Unfinished = [.. JobStates.All.Where(s => !s.IsTerminal())];

    private RedisKeys Keys => redis.Keys;

    /// <summary>The next id (1, 2, …).</summary>
    public async Task<long> NextAsync(CancellationToken cancellationToken) =>
        await redis.Database.StringIncrementAsync(Keys.RcNextJobId).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Indexes <paramref name="jobId"/> under <paramref name="rcJobId"/> and its group (before the job is queued).</summary>
    public async Task AddAsync(long rcJobId, string jobId, string group, CancellationToken cancellationToken)
    {
        var transaction = redis.Database.CreateTransaction();
        var all = transaction.SortedSetAddAsync(Keys.RcJobs, jobId, rcJobId);
        var inGroup = transaction.SortedSetAddAsync(Keys.RcGroup(group), jobId, rcJobId);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(all, inGroup).ConfigureAwait(false);
    }

    /// <summary>The Rcmd job id of an RC job id; null when unknown (never given, or archived).</summary>
    public async Task<string?> FindAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var found = await redis.Database.SortedSetRangeByScoreAsync(Keys.RcJobs, rcJobId, rcJobId, take: 1)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return found.Length == 0 ? null : (string?)found[0];
    }

    /// <summary>
    /// <c>job/list</c>'s ids: every RC id a client can still ask <c>job/status</c> about — live RC jobs, RC jobs the
    /// retention sweep archived, async <c>job/batch</c> calls — the newest <paramref name="limit"/> of them, ascending;
    /// and which of those are not finished. Bounded by <paramref name="limit"/> whatever Redis holds: each index is read
    /// newest first at most <paramref name="limit"/> deep, and only the ids kept are looked up in the unfinished states'
    /// indexes and the running batches' (ZMSCORE), never a whole set.
    /// </summary>
    public async Task<(IReadOnlyList<long> Ids, IReadOnlySet<long> Running)> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var live = database.SortedSetRangeByRankWithScoresAsync(Keys.RcJobs, 0, limit - 1, Order.Descending);
        var archived = database.SortedSetRangeByRankWithScoresAsync(Keys.RcArchived, 0, limit - 1, Order.Descending);
        var batches = database.SortedSetRangeByRankAsync(Keys.RcBatches, 0, limit - 1, Order.Descending);
        await Task.WhenAll(live, archived, batches).WaitAsync(cancellationToken).ConfigureAwait(false);
        var liveIds = (await live.ConfigureAwait(false)).Select(e => (RcJobId: (long)e.Score, JobId: e.Element)).ToList();
        var batchIds = (await batches.ConfigureAwait(false)).Select(e => (long)e).ToList();
        var ids = liveIds.Select(e => e.RcJobId)
            .Concat((await archived.ConfigureAwait(false)).Select(e => (long)e.Score))
            .Concat(batchIds)
            .Distinct().OrderDescending().Take(limit).Order().ToList();
        var oldest = ids.Count == 0 ? long.MaxValue : ids[0];
        var liveKept = liveIds.Where(e => e.RcJobId >= oldest).ToList();
        var batchesKept = batchIds.Where(id => id >= oldest).Select(id => (RedisValue)id).ToArray();

        // Which of the kept ids are not finished: their Rcmd job in an unfinished state's index, or their batch leased.
        var members = liveKept.Select(e => e.JobId).ToArray();
        var inStates = members.Length == 0
            ? []
            : Unfinished.Select(state => database.SortedSetScoresAsync(Keys.JobsInState(state), members)).ToArray();
        var leased = batchesKept.Length == 0 ? Task.FromResult(Array.Empty<double?>()) : database.SortedSetScoresAsync(Keys.RcBatchesRunning, batchesKept);
        await Task.WhenAll([.. inStates, leased]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var running = new HashSet<long>();
        foreach (var scores in inStates)
        {
            var found = await scores.ConfigureAwait(false);
            running.UnionWith(liveKept.Where((_, i) => found[i] is not null).Select(e => e.RcJobId));
        }

        var leases = await leased.ConfigureAwait(false);
        running.UnionWith(batchesKept.Where((_, i) => leases[i] is not null).Select(id => (long)id));
        return (ids, running);
    }

    /// <summary>The RC jobs of one stats group: (RC id, Rcmd id), by RC id.</summary>
    public Task<IReadOnlyList<(long RcJobId, string JobId)>> InGroupAsync(string group, CancellationToken cancellationToken) =>
        RangeAsync(Keys.RcGroup(group), cancellationToken);

    private async Task<IReadOnlyList<(long RcJobId, string JobId)>> RangeAsync(RedisKey key, CancellationToken cancellationToken)
    {
        var entries = await redis.Database.SortedSetRangeByRankWithScoresAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
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

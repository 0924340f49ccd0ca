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
    /// and which of those are not finished. Each index is read newest first and at most <paramref name="limit"/> deep.
    /// </summary>
    public async Task<(IReadOnlyList<long> Ids, IReadOnlySet<long> Running)> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var live = database.SortedSetRangeByRankWithScoresAsync(Keys.RcJobs, 0, limit - 1, Order.Descending);
        var archived = database.SortedSetRangeByRankWithScoresAsync(Keys.RcArchived, 0, limit - 1, Order.Descending);
        var batches = database.SortedSetRangeByRankAsync(Keys.RcBatches, 0, limit - 1, Order.Descending);
        var runningBatches = database.SortedSetRangeByRankAsync(Keys.RcBatchesRunning, 0, limit - 1);
        var unfinished = UnfinishedAsync(cancellationToken);
        await Task.WhenAll(live, archived, batches, runningBatches).WaitAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await live.ConfigureAwait(false)).Select(e => (long)e.Score)
            .Concat((await archived.ConfigureAwait(false)).Select(e => (long)e.Score))
            .Concat((await batches.ConfigureAwait(false)).Select(e => (long)e))
            .Distinct().OrderDescending().Take(limit).Order().ToList();
        var running = (await unfinished.ConfigureAwait(false)).Concat((await runningBatches.ConfigureAwait(false)).Select(e => (long)e)).ToHashSet();
        running.IntersectWith(ids);
        return (ids, running);
    }

    /// <summary>The RC jobs of one stats group: (RC id, Rcmd id), by RC id.</summary>
    public Task<IReadOnlyList<(long RcJobId, string JobId)>> InGroupAsync(string group, CancellationToken cancellationToken) =>
        RangeAsync(Keys.RcGroup(group), cancellationToken);

    /// <summary>The RC ids of the jobs not finished: the RC index met with each unfinished state's index (no record read).</summary>
    public async Task<IReadOnlySet<long>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var reads = Unfinished.Select(state => database.SortedSetCombineWithScoresAsync(SetOperation.Intersect,
            [Keys.RcJobs, Keys.JobsInState(state)], [1, 0], Aggregate.Sum));
        var found = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        return found.SelectMany(entries => entries.Select(e => (long)e.Score)).ToHashSet();
    }

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

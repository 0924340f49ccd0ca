using System.Text.Json;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Serialization;
using StackExchange.Redis;

namespace Rcmd.Storage;

/// <summary>
/// Jobs in Redis. Every write that moves a job between states is one Lua script that checks the state it expects,
/// moves the id between the state indexes and publishes the job's event, so readers never see half a change and
/// an out-of-date writer (a Worker whose lease was taken over) changes nothing.
/// </summary>
public sealed class JobStore(RedisConnection redis)
{
    private const string EnqueueScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
        redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
        redis.call('LPUSH', KEYS[4], ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        redis.call('PUBLISH', ARGV[6], ARGV[3])
        return 1
        """;

    // ARGV: json, expected state, expected worker ('' = any), score, id, channel, event ('' = none)
    private const string SaveScript = """
        local current = redis.call('GET', KEYS[1])
        if not current then return -1 end
        local doc = cjson.decode(current)
        if doc.state ~= ARGV[2] then return 0 end
        if ARGV[3] ~= '' and doc.workerId ~= ARGV[3] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        if KEYS[2] ~= KEYS[3] then
          redis.call('ZREM', KEYS[2], ARGV[5])
          redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
        end
        if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
        return 1
        """;

    private const string CancelQueuedScript = """
        if redis.call('LREM', KEYS[1], 0, ARGV[1]) == 0 then return 0 end
        redis.call('SET', KEYS[2], ARGV[2])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    private const string RequeueScript = """
        redis.call('LREM', KEYS[1], 0, ARGV[1])
        redis.call('RPUSH', KEYS[1], ARGV[1])
        redis.call('PUBLISH', ARGV[2], ARGV[1])
        return 1
        """;

    private static readonly TimeSpan CancelRequestTtl = TimeSpan.FromDays(1);

    private RedisKeys Keys => redis.Keys;

    /// <summary>Stores a new job and queues it. Returns false when a job with that id exists already.</summary>
    public async Task<bool> EnqueueAsync(Job job, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(EnqueueScript,
            [Keys.Job(job.Id), Keys.AllJobs, Keys.JobsInState(JobState.Queued), Keys.Queue],
            [Serialize(job), Score(job), job.Id, Keys.EventsChannel, SerializeEvent(job), Keys.WakeChannel])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    public async Task<Job?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var value = await redis.Database.StringGetAsync(Keys.Job(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Deserialize(value);
    }

    /// <summary>
    /// Writes a changed job if the stored one is still in <paramref name="expected"/> state (and, when given, still
    /// held by <paramref name="expectedWorker"/>). Publishes the job's event unless <paramref name="publish"/> is false.
    /// </summary>
    public async Task<SaveResult> SaveAsync(Job job, JobState expected, string? expectedWorker, CancellationToken cancellationToken,
        bool publish = true)
    {
        var result = await redis.Database.ScriptEvaluateAsync(SaveScript,
            [Keys.Job(job.Id), Keys.JobsInState(expected), Keys.JobsInState(job.State)],
            [Serialize(job), expected.ToWire(), expectedWorker ?? string.Empty, Score(job), job.Id,
             Keys.EventsChannel, publish ? SerializeEvent(job) : string.Empty])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result switch
        {
            1 => SaveResult.Saved,
            0 => SaveResult.Conflict,
            _ => SaveResult.NotFound,
        };
    }

    /// <summary>Cancels a job that is still in the queue. False when a Worker claimed it first.</summary>
    public async Task<bool> TryCancelQueuedAsync(Job canceled, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(CancelQueuedScript,
            [Keys.Queue, Keys.Job(canceled.Id), Keys.JobsInState(JobState.Queued), Keys.JobsInState(JobState.Canceled)],
            [canceled.Id, Serialize(canceled), Score(canceled), Keys.EventsChannel, SerializeEvent(canceled)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>Asks the Worker running a job to stop it; the Worker sees the request on its next poll.</summary>
    public Task RequestCancelAsync(string id, CancellationToken cancellationToken) =>
        redis.Database.StringSetAsync(Keys.CancelRequest(id), "1", CancelRequestTtl).WaitAsync(cancellationToken);

    public async Task<bool> IsCancelRequestedAsync(string id, CancellationToken cancellationToken) =>
        await redis.Database.KeyExistsAsync(Keys.CancelRequest(id)).WaitAsync(cancellationToken).ConfigureAwait(false);

    public Task ClearCancelRequestAsync(string id, CancellationToken cancellationToken) =>
        redis.Database.KeyDeleteAsync(Keys.CancelRequest(id)).WaitAsync(cancellationToken);

    /// <summary>Puts a job id (whose record is already Queued) back at the head of the queue, once.</summary>
    public Task RequeueIdAsync(string id, CancellationToken cancellationToken) =>
        redis.Database.ScriptEvaluateAsync(RequeueScript, [Keys.Queue], [id, Keys.WakeChannel]).WaitAsync(cancellationToken);

    /// <summary>A page of jobs, newest first, from the index of all jobs or of one state.</summary>
    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, JobQuery.MaxPageSize);
        var index = query.State is { } state ? Keys.JobsInState(state) : Keys.AllJobs;
        var database = redis.Database;
        var start = (long)(page - 1) * size;

        var idsTask = database.SortedSetRangeByRankAsync(index, start, start + size - 1, Order.Descending);
        var totalTask = database.SortedSetLengthAsync(index);
        var ids = await idsTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        var total = await totalTask.WaitAsync(cancellationToken).ConfigureAwait(false);

        var items = await GetManyAsync(ids.Select(id => (string)id!), cancellationToken).ConfigureAwait(false);
        return new JobPage(items, total, page, size);
    }

    public async Task<IReadOnlyList<Job>> GetManyAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var keys = ids.Select(id => (RedisKey)Keys.Job(id)).ToArray();
        if (keys.Length == 0)
        {
            return [];
        }

        var values = await redis.Database.StringGetAsync(keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        return values.Select(Deserialize).OfType<Job>().ToList();
    }

    public async Task<JobCounts> CountAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var byState = JobStates.All.ToDictionary(s => s, s => database.SortedSetLengthAsync(Keys.JobsInState(s)));
        var total = database.SortedSetLengthAsync(Keys.AllJobs);
        var queue = database.ListLengthAsync(Keys.Queue);
        await Task.WhenAll([.. byState.Values, total, queue]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new JobCounts(byState.ToDictionary(p => p.Key.ToWire(), p => p.Value.Result), total.Result, queue.Result);
    }

    internal static string Serialize(Job job) => JsonSerializer.Serialize(job, RcmdJsonContext.Default.Job);

    private static string SerializeEvent(Job job) => JsonSerializer.Serialize(RcmdEvent.ForJob(job), RcmdJsonContext.Default.RcmdEvent);

    private static Job? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, RcmdJsonContext.Default.Job);

    private static double Score(Job job) => job.CreatedAt.ToUnixTimeMilliseconds();
}

public enum SaveResult
{
    /// <summary>The job was written.</summary>
    Saved,

    /// <summary>The stored job was no longer in the expected state or held by the expected Worker: nothing written.</summary>
    Conflict,

    /// <summary>No such job.</summary>
    NotFound,
}

using System.Globalization;
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
public sealed class JobStore(RedisConnection redis, IEnumerable<IJobTransitionObserver>? observers = null)
{
    private readonly IJobTransitionObserver[] _observers = observers?.ToArray() ?? [];

    // Appended to the guarded saves: once a write has won, what else it records in the same step — the notification
    // entry (XADD rcmd:notifications, when the change raises one: JobNotificationData.EventFor) and the job-outcome
    // counters of the minute (HINCRBY rcmd:stats:{minute}: JobStatsStore). One winner per change, so each is written
    // exactly once whatever the number of Workers. ARGV from a: event ('' = none), maxlen, at, data, stats ttl (s),
    // then field/increment pairs.
    private const string RecordFunction = """
        local function record(stream, stats, a)
          if ARGV[a] ~= '' then
            redis.call('XADD', stream, 'MAXLEN', '~', ARGV[a + 1], '*', 'event', ARGV[a], 'at', ARGV[a + 2], 'data', ARGV[a + 3])
          end
          if #ARGV > a + 4 then
            for i = a + 5, #ARGV, 2 do redis.call('HINCRBY', stats, ARGV[i], ARGV[i + 1]) end
            redis.call('EXPIRE', stats, ARGV[a + 4])
          end
        end

        """;

    private const string EnqueueScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
        redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
        for i = 5, #KEYS do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3]) end
        redis.call('LPUSH', KEYS[4], ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        redis.call('PUBLISH', ARGV[6], ARGV[3])
        return 1
        """;

    // KEYS: job, state:{expected}, state:{new}, notifications, stats:{minute}, leases, owners, cancel request
    //       [, error:{code} when the job becomes failed]
    // ARGV: json, expected state, expected worker ('' = any), score, id, channel, event ('' = none),
    //       lease holder whose lease ends with this write ('' = none), '1' = the cancel request is done with, then RecordArgs
    private const string SaveScript = RecordFunction + """
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
        if KEYS[9] then redis.call('ZADD', KEYS[9], ARGV[4], ARGV[5]) end
        if ARGV[8] ~= '' and redis.call('HGET', KEYS[7], ARGV[5]) == ARGV[8] then
          redis.call('ZREM', KEYS[6], ARGV[5])
          redis.call('HDEL', KEYS[7], ARGV[5])
        end
        if ARGV[9] == '1' then redis.call('DEL', KEYS[8]) end
        if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
        record(KEYS[4], KEYS[5], 10)
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

    // KEYS: queue, leases, owners; ARGV: id, wake channel, lease holder whose lease ends in the same step ('' = none)
    private const string RequeueScript = """
        redis.call('LREM', KEYS[1], 0, ARGV[1])
        redis.call('RPUSH', KEYS[1], ARGV[1])
        if ARGV[3] ~= '' and redis.call('HGET', KEYS[3], ARGV[1]) == ARGV[3] then
          redis.call('ZREM', KEYS[2], ARGV[1])
          redis.call('HDEL', KEYS[3], ARGV[1])
        end
        redis.call('PUBLISH', ARGV[2], ARGV[1])
        return 1
        """;

    // Guarded save (as SaveScript) of a Waiting job + its entry in the waiting set, scored by due time. From Queued the id
    // also leaves the queue list (never claimed twice); with a lease holder its lease is dropped in the same step.
    // KEYS: job, state:{expected}, state:waiting, waiting, queue, leases, owners, notifications, stats:{minute}
    // ARGV: json, expected state, expected worker ('' = any), created score, id, channel, event, due ms, lease holder ('' = none),
    //       then RecordArgs
    private const string DeferScript = RecordFunction + """
        local current = redis.call('GET', KEYS[1])
        if not current then return -1 end
        local doc = cjson.decode(current)
        if doc.state ~= ARGV[2] then return 0 end
        if ARGV[3] ~= '' and doc.workerId ~= ARGV[3] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[5])
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
        redis.call('ZADD', KEYS[4], ARGV[8], ARGV[5])
        if ARGV[2] == 'queued' then redis.call('LREM', KEYS[5], 0, ARGV[5]) end
        if ARGV[9] ~= '' and redis.call('HGET', KEYS[7], ARGV[5]) == ARGV[9] then
          redis.call('ZREM', KEYS[6], ARGV[5])
          redis.call('HDEL', KEYS[7], ARGV[5])
        end
        redis.call('PUBLISH', ARGV[6], ARGV[7])
        record(KEYS[8], KEYS[9], 10)
        return 1
        """;

    // Moves one due job from the waiting set to the queue. Atomic, so when several schedulers race for the same id only
    // the one whose script runs first finds it due and waiting: it alone saves Queued, LPUSHes and publishes.
    // 1 = released; 0 = not (or no longer) due; -1 = the id named no waiting job (entry dropped); -2 = the record
    // changed since the caller read it (read again).
    // KEYS: waiting, job, state:waiting, state:queued, queue
    // ARGV: id, expected json (as read), released json, created score, now ms, channel, event, wake channel
    private const string ReleaseDueScript = """
        local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not due or tonumber(due) > tonumber(ARGV[5]) then return 0 end
        local current = redis.call('GET', KEYS[2])
        if not current or cjson.decode(current).state ~= 'waiting' then
          redis.call('ZREM', KEYS[1], ARGV[1])
          return -1
        end
        if current ~= ARGV[2] then return -2 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], ARGV[3])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
        redis.call('LREM', KEYS[5], 0, ARGV[1])
        redis.call('LPUSH', KEYS[5], ARGV[1])
        redis.call('PUBLISH', ARGV[6], ARGV[7])
        redis.call('PUBLISH', ARGV[8], ARGV[1])
        return 1
        """;

    // Cancels a Waiting job: out of the waiting set and Canceled in one step, unless the scheduler released it first.
    // 1 = canceled; 0 = not in the waiting set; -2 = the record changed since the caller read it.
    // KEYS: waiting, job, state:waiting, state:canceled
    // ARGV: id, expected json (as read), canceled json, created score, channel, event
    private const string CancelWaitingScript = """
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        if redis.call('GET', KEYS[2]) ~= ARGV[2] then return -2 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], ARGV[3])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
        redis.call('PUBLISH', ARGV[5], ARGV[6])
        return 1
        """;

    // One page of a job query. KEYS[1] is the set to range: the one index itself, or the intersection of KEYS[2..n]
    // (built when missing, kept ARGV[6] ms so the next pages reuse it). Scores are creation times (ms), equal in every
    // index, so AGGREGATE MAX keeps them. ARGV: min, max ('-inf'/'+inf' or ms), offset, count, '1' = newest first, ttl ms.
    // Returns { total in [min, max], ids }.
    private const string QueryScript = """
        local source = KEYS[1]
        if #KEYS > 2 and redis.call('EXISTS', source) == 0 then
          local args = { source, #KEYS - 1 }
          for i = 2, #KEYS do args[#args + 1] = KEYS[i] end
          args[#args + 1] = 'AGGREGATE'
          args[#args + 1] = 'MAX'
          redis.call('ZINTERSTORE', unpack(args))
          redis.call('PEXPIRE', source, ARGV[6])
        end
        local total = redis.call('ZCOUNT', source, ARGV[1], ARGV[2])
        local ids
        if ARGV[5] == '1' then
          ids = redis.call('ZREVRANGEBYSCORE', source, ARGV[2], ARGV[1], 'LIMIT', ARGV[3], ARGV[4])
        else
          ids = redis.call('ZRANGEBYSCORE', source, ARGV[1], ARGV[2], 'LIMIT', ARGV[3], ARGV[4])
        end
        return { total, ids }
        """;

    // One page of a job query ordered by a partition of the jobs (the states, or the types): the parts one after the other in
    // the order given, newest first within each. KEYS[1..p]: the sets to range, one per part — the part's index itself, or
    // its intersection with the filter indexes KEYS[2p+1..n] (built when missing, kept ARGV[6] ms, like QueryScript's);
    // KEYS[p+1..2p]: the parts' indexes. ARGV: min, max ('-inf'/'+inf' or ms), offset, count, p, ttl ms.
    // Returns { total in [min, max], ids }. Costs O(p log N + offset + page) once the intersections exist.
    private const string PartitionQueryScript = """
        local p = tonumber(ARGV[5])
        local filters = #KEYS - 2 * p
        local counts = {}
        local total = 0
        for i = 1, p do
          local source = KEYS[i]
          if filters > 0 and redis.call('EXISTS', source) == 0 then
            local args = { source, filters + 1, KEYS[p + i] }
            for j = 2 * p + 1, #KEYS do args[#args + 1] = KEYS[j] end
            args[#args + 1] = 'AGGREGATE'
            args[#args + 1] = 'MAX'
            redis.call('ZINTERSTORE', unpack(args))
            redis.call('PEXPIRE', source, ARGV[6])
          end
          counts[i] = redis.call('ZCOUNT', source, ARGV[1], ARGV[2])
          total = total + counts[i]
        end
        local offset = tonumber(ARGV[3])
        local need = tonumber(ARGV[4])
        local ids = {}
        for i = 1, p do
          if need <= 0 then break end
          if offset >= counts[i] then
            offset = offset - counts[i]
          else
            local part = redis.call('ZREVRANGEBYSCORE', KEYS[i], ARGV[2], ARGV[1], 'LIMIT', offset, need)
            for _, id in ipairs(part) do ids[#ids + 1] = id end
            need = need - #part
            offset = 0
          end
        end
        return { total, ids }
        """;

    /// <summary>How long an intersection of filter indexes is reused: the grid's pages see new jobs after at most this.</summary>
    public static readonly TimeSpan QueryTtl = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan CancelRequestTtl = TimeSpan.FromDays(1);

    private RedisKeys Keys => redis.Keys;

    /// <summary>Stores a new job and queues it. Returns false when a job with that id exists already.</summary>
    public async Task<bool> EnqueueAsync(Job job, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(EnqueueScript,
            [Keys.Job(job.Id), Keys.AllJobs, Keys.JobsInState(JobState.Queued), Keys.Queue, .. FilterIndexes(job)],
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
    public Task<SaveResult> SaveAsync(Job job, JobState expected, string? expectedWorker, CancellationToken cancellationToken,
        bool publish = true) =>
        SaveCoreAsync(job, expected, expectedWorker, releaseLeaseOf: null, clearCancelRequest: false, publish, cancellationToken);

    /// <summary>
    /// A Worker's last write of a run (as <see cref="SaveAsync"/>, expected Running and held by
    /// <paramref name="workerId"/>): in the same step its lease ends and, when <paramref name="clearCancelRequest"/>, a
    /// user's cancel request is done with — one round trip where three were.
    /// </summary>
    public Task<SaveResult> SaveFinalAsync(Job job, string workerId, bool clearCancelRequest, CancellationToken cancellationToken) =>
        SaveAndReleaseAsync(job, JobState.Running, workerId, workerId, clearCancelRequest, cancellationToken);

    /// <summary>
    /// <see cref="SaveAsync"/>, and in the same step <paramref name="leaseHolder"/>'s lease on the job ends (and, when
    /// <paramref name="clearCancelRequest"/>, the cancel request). A Worker's last write of a job must be this, never a save
    /// then a release: between the two a user may resume or retry the job and this Worker claim it again, and the late
    /// release would then take the new run's lease.
    /// </summary>
    public Task<SaveResult> SaveAndReleaseAsync(Job job, JobState expected, string? expectedWorker, string leaseHolder,
        bool clearCancelRequest, CancellationToken cancellationToken) =>
        SaveCoreAsync(job, expected, expectedWorker, releaseLeaseOf: leaseHolder, clearCancelRequest, publish: true, cancellationToken);

    private async Task<SaveResult> SaveCoreAsync(Job job, JobState expected, string? expectedWorker, string? releaseLeaseOf,
        bool clearCancelRequest, bool publish, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(SaveScript,
            [Keys.Job(job.Id), Keys.JobsInState(expected), Keys.JobsInState(job.State), Keys.Notifications, Keys.Stats(job.UpdatedAt),
             Keys.Leases, Keys.LeaseOwners, Keys.CancelRequest(job.Id), .. ErrorIndex(expected, job)],
            [Serialize(job), expected.ToWire(), expectedWorker ?? string.Empty, Score(job), job.Id,
             Keys.EventsChannel, publish ? SerializeEvent(job) : string.Empty, releaseLeaseOf ?? string.Empty,
             clearCancelRequest ? "1" : "0", .. RecordArgs(expected, job)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return Observed(expected, job, (int)result switch
        {
            1 => SaveResult.Saved,
            0 => SaveResult.Conflict,
            _ => SaveResult.NotFound,
        });
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

    /// <summary>
    /// Saves a <see cref="JobState.Waiting"/> job (made by <see cref="JobStateMachine.Defer"/>) if the stored one is
    /// still in <paramref name="expected"/> state (and held by <paramref name="expectedWorker"/> when given), and enters
    /// it in the waiting set due at <see cref="JobWait.DueAt"/> — one script, so a waiting job is never lost between the
    /// two. From Queued the id also leaves the queue. When <paramref name="leaseHolder"/> is given and still holds the
    /// job's lease, the lease is released in the same step. Publishes the job's event.
    /// </summary>
    public async Task<SaveResult> DeferAsync(Job waiting, JobState expected, string? expectedWorker, CancellationToken cancellationToken,
        string? leaseHolder = null)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        if (waiting.State != JobState.Waiting || waiting.Wait is not { } wait)
        {
            throw new ArgumentException($"Job {waiting.Id} is {waiting.State.ToWire()} without a wait; defer it with JobStateMachine.Defer.", nameof(waiting));
        }

        var result = await redis.Database.ScriptEvaluateAsync(DeferScript,
            [Keys.Job(waiting.Id), Keys.JobsInState(expected), Keys.JobsInState(JobState.Waiting), Keys.Waiting, Keys.Queue,
             Keys.Leases, Keys.LeaseOwners, Keys.Notifications, Keys.Stats(waiting.UpdatedAt)],
            [Serialize(waiting), expected.ToWire(), expectedWorker ?? string.Empty, Score(waiting), waiting.Id,
             Keys.EventsChannel, SerializeEvent(waiting), wait.DueAt.ToUnixTimeMilliseconds(), leaseHolder ?? string.Empty,
             .. RecordArgs(expected, waiting)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return Observed(expected, waiting, (int)result switch
        {
            1 => SaveResult.Saved,
            0 => SaveResult.Conflict,
            _ => SaveResult.NotFound,
        });
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> waiting jobs that are due now (<paramref name="time"/>) back to the queue
    /// (<see cref="JobStateMachine.Release"/>), each in one script; safe with any number of callers at once — each job
    /// is released exactly once. Returns the jobs this caller released and the due time of the next waiting job.
    /// </summary>
    public async Task<WaitingRelease> ReleaseDueAsync(TimeProvider time, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var database = redis.Database;
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = await database.SortedSetRangeByScoreAsync(Keys.Waiting, double.NegativeInfinity, nowMs, Exclude.None, Order.Ascending, 0, max)
            .WaitAsync(cancellationToken).ConfigureAwait(false);

        var released = new List<Job>();
        foreach (var id in due.Select(v => (string)v!))
        {
            var raw = await database.StringGetAsync(Keys.Job(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
            var current = Deserialize(raw);
            var next = current is { State: JobState.Waiting } ? JobStateMachine.Release(current, time) : null;
            var result = await database.ScriptEvaluateAsync(ReleaseDueScript,
                [Keys.Waiting, Keys.Job(id), Keys.JobsInState(JobState.Waiting), Keys.JobsInState(JobState.Queued), Keys.Queue],
                [id, raw.IsNull ? string.Empty : raw, next is null ? string.Empty : Serialize(next), next is null ? 0 : Score(next), nowMs,
                 Keys.EventsChannel, next is null ? string.Empty : SerializeEvent(next), Keys.WakeChannel])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if ((int)result == 1 && next is not null)
            {
                released.Add(next);
            }
        }

        var first = await database.SortedSetRangeByRankWithScoresAsync(Keys.Waiting, 0, 0).WaitAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset? nextDue = first.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)first[0].Score);
        return new WaitingRelease(released, nextDue);
    }

    /// <summary>
    /// Cancels a job that waits (<paramref name="current"/> as read, <paramref name="canceled"/> from
    /// <see cref="JobStateMachine.Cancel"/>): it leaves the waiting set and is saved Canceled in one step, so it never
    /// runs again. False when the scheduler released it first or it changed since it was read: read it again.
    /// </summary>
    public async Task<bool> TryCancelWaitingAsync(Job current, Job canceled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(canceled);
        var raw = await redis.Database.StringGetAsync(Keys.Job(current.Id)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (raw.IsNull || Deserialize(raw) is not { State: JobState.Waiting } stored || stored.UpdatedAt != current.UpdatedAt)
        {
            return false;
        }

        var result = await redis.Database.ScriptEvaluateAsync(CancelWaitingScript,
            [Keys.Waiting, Keys.Job(canceled.Id), Keys.JobsInState(JobState.Waiting), Keys.JobsInState(JobState.Canceled)],
            [canceled.Id, raw, Serialize(canceled), Score(canceled), Keys.EventsChannel, SerializeEvent(canceled)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>How many jobs wait, and the due time of the first.</summary>
    public async Task<(long Count, DateTimeOffset? NextDueAt)> WaitingAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var count = database.SortedSetLengthAsync(Keys.Waiting);
        var first = database.SortedSetRangeByRankWithScoresAsync(Keys.Waiting, 0, 0);
        await Task.WhenAll(count, first).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (count.Result, first.Result.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)first.Result[0].Score));
    }

    /// <summary>Asks the Worker running a job to stop it; the Worker sees the request on its next poll.</summary>
    public Task RequestCancelAsync(string id, CancellationToken cancellationToken) =>
        redis.Database.StringSetAsync(Keys.CancelRequest(id), "1", CancelRequestTtl).WaitAsync(cancellationToken);

    public async Task<bool> IsCancelRequestedAsync(string id, CancellationToken cancellationToken) =>
        await redis.Database.KeyExistsAsync(Keys.CancelRequest(id)).WaitAsync(cancellationToken).ConfigureAwait(false);

    public Task ClearCancelRequestAsync(string id, CancellationToken cancellationToken) =>
        redis.Database.KeyDeleteAsync(Keys.CancelRequest(id)).WaitAsync(cancellationToken);

    /// <summary>
    /// Puts a job id (whose record is already Queued) back at the head of the queue, once — and ends
    /// <paramref name="leaseHolder"/>'s lease on it in the same step: were the two apart, a Worker could claim the id
    /// between them and then lose its fresh lease to the release (the job would sit claimed, unleased, forever), or
    /// a crash between them could leave it neither queued nor leased.
    /// </summary>
    public Task RequeueIdAsync(string id, CancellationToken cancellationToken, string? leaseHolder = null) =>
        redis.Database.ScriptEvaluateAsync(RequeueScript, [Keys.Queue, Keys.Leases, Keys.LeaseOwners],
            [id, Keys.WakeChannel, leaseHolder ?? string.Empty]).WaitAsync(cancellationToken);

    /// <summary>
    /// A page of jobs matching <paramref name="query"/>, by creation time (newest first unless ascending), or by state or
    /// type (<see cref="JobQuery.SortBy"/>: their indexes one after the other, see <c>PartitionQueryScript</c>). Each filter is
    /// an index sorted set; one is ranged directly, several are intersected once into a short-lived key
    /// (<see cref="RedisKeys.JobQuery"/>) that the following pages and sorts reuse. The time range bounds the scores, so
    /// a page costs O(log N + offset + page) whatever the number of jobs; nothing is scanned.
    /// </summary>
    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, JobQuery.MaxPageSize);
        var indexes = QueryIndexes(query);
        var min = query.From is { } from ? from.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "-inf";
        var max = query.To is { } to ? to.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "+inf";
        RedisResult[] result;
        if (SortParts(query) is { } parts)
        {
            // Ordered by state or type: the parts' indexes one after the other, each intersected with the filters.
            var filters = indexes is [var only] && only == Keys.AllJobs ? [] : indexes;
            RedisKey[] partKeys =
            [
                .. parts.Select(part => (RedisKey)(filters.Length == 0 ? part : Keys.JobQuery([.. filters, part]))),
                .. parts.Select(part => (RedisKey)part),
                .. filters.Select(i => (RedisKey)i),
            ];
            result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(PartitionQueryScript, partKeys,
                [min, max, (long)(page - 1) * size, size, parts.Length, (long)QueryTtl.TotalMilliseconds])
                .WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        else
        {
            RedisKey[] keys = [indexes.Length > 1 ? Keys.JobQuery(indexes) : indexes[0], .. indexes.Select(i => (RedisKey)i)];
            result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(QueryScript, keys,
                [min, max, (long)(page - 1) * size, size, query.SortBy == JobSort.Created && query.Ascending ? "0" : "1",
                 (long)QueryTtl.TotalMilliseconds])
                .WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var total = (long)result[0];
        var ids = (string[])result[1]!;
        var items = await GetManyAsync(ids, cancellationToken).ConfigureAwait(false);
        return new JobPage(items, total, page, size);
    }

    /// <summary>
    /// "Retry now": moves a waiting job to the queue at once, whatever its due time, in the same atomic step as the
    /// scheduler's release (out of the waiting set, saved Queued, queued, published) — a job is released once. Null when
    /// the job is not (or no longer) waiting.
    /// </summary>
    public async Task<Job?> TryReleaseNowAsync(string id, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var database = redis.Database;
        for (var tries = 0; tries < 3; tries++)
        {
            var raw = await database.StringGetAsync(Keys.Job(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Deserialize(raw) is not { State: JobState.Waiting } current)
            {
                return null;
            }

            var next = JobStateMachine.Release(current, time);
            var result = await database.ScriptEvaluateAsync(ReleaseDueScript,
                [Keys.Waiting, Keys.Job(id), Keys.JobsInState(JobState.Waiting), Keys.JobsInState(JobState.Queued), Keys.Queue],
                [id, raw, Serialize(next), Score(next), long.MaxValue, Keys.EventsChannel, SerializeEvent(next), Keys.WakeChannel])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            switch ((int)result)
            {
                case 1:
                    return next;
                case -2:
                    continue;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The indexes whose concatenation orders a query sorted by state or type (by wire name, reversed unless ascending);
    /// null when it is sorted by creation time, or filtered to one state (type) so that the order is creation time anyway.
    /// </summary>
    private string[]? SortParts(JobQuery query)
    {
        IEnumerable<(string Name, string Key)>? parts = query.SortBy switch
        {
            JobSort.State when query.State is null => JobStates.All.Select(s => (s.ToWire(), Keys.JobsInState(s))),
            JobSort.Type when query.Type is null => Enum.GetValues<JobType>().Select(t => (t.ToWire(), Keys.JobsOfType(t))),
            _ => null,
        };
        if (parts is null)
        {
            return null;
        }

        var ordered = parts.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Key);
        return [.. query.Ascending ? ordered : ordered.Reverse()];
    }

    /// <summary>The index sets a query intersects: all jobs when it has no filter.</summary>
    private string[] QueryIndexes(JobQuery query)
    {
        var indexes = new List<string>(4);
        if (query.State is { } state)
        {
            indexes.Add(Keys.JobsInState(state));
        }

        if (query.Type is { } type)
        {
            indexes.Add(Keys.JobsOfType(type));
        }

        if (!string.IsNullOrEmpty(query.Remote))
        {
            indexes.Add(Keys.JobsOnRemote(query.Remote));
        }

        if (!string.IsNullOrEmpty(query.ErrorCode))
        {
            indexes.Add(Keys.JobsWithError(query.ErrorCode));
        }

        return indexes.Count == 0 ? [Keys.AllJobs] : [.. indexes];
    }

    /// <summary>The filter indexes a new job enters (type, and the remotes of its source and destination).</summary>
    private RedisKey[] FilterIndexes(Job job)
    {
        var source = RclonePath.RemoteName(job.Source);
        var destination = job.Destination is { } d ? RclonePath.RemoteName(d) : source;
        return source == destination
            ? [Keys.JobsOfType(job.Type), Keys.JobsOnRemote(source)]
            : [Keys.JobsOfType(job.Type), Keys.JobsOnRemote(source), Keys.JobsOnRemote(destination)];
    }

    /// <summary>The error-code index a save enters when it makes the job failed; none otherwise.</summary>
    private RedisKey[] ErrorIndex(JobState previous, Job job) =>
        job is { State: JobState.Failed, Error.Code: { Length: > 0 } code } && previous != JobState.Failed
            ? [Keys.JobsWithError(code)]
            : [];

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

    /// <summary>
    /// What the guarded scripts record if the write wins (see <c>RecordFunction</c>): the notification entry of the
    /// change, if it raises one (canceled jobs raise none: a person asked for it), and the stats increments.
    /// </summary>
    private static RedisValue[] RecordArgs(JobState previous, Job next)
    {
        var notification = Notifications.JobNotificationData.EventFor(previous, next);
        var increments = JobStatsStore.Increments(previous, next).ToArray();
        var args = new RedisValue[5 + 2 * increments.Length];
        args[0] = notification ?? string.Empty;
        args[1] = NotificationStreamLength;
        args[2] = next.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        args[3] = notification is null ? string.Empty : Notifications.JobNotificationData.From(next).ToJson();
        args[4] = JobStatsStore.RetentionSeconds;
        for (var i = 0; i < increments.Length; i++)
        {
            args[5 + 2 * i] = increments[i].Field;
            args[6 + 2 * i] = increments[i].By;
        }

        return args;
    }

    /// <summary>Tells the observers about a change this process won; an observer's failure never fails the save.</summary>
    private SaveResult Observed(JobState previous, Job job, SaveResult result)
    {
        if (result == SaveResult.Saved && previous != job.State)
        {
            foreach (var observer in _observers)
            {
                try
                {
                    observer.OnTransition(previous, job);
                }
                catch (Exception)
                {
                    // Metrics and the like must not turn a saved change into an error.
                }
            }
        }

        return result;
    }

    /// <summary>Entries kept in the notifications stream (<c>XADD … MAXLEN ~</c>).</summary>
    private const int NotificationStreamLength = 10_000;

    internal static string Serialize(Job job) => JsonSerializer.Serialize(job, RcmdJsonContext.Default.Job);

    private static string SerializeEvent(Job job) => JsonSerializer.Serialize(RcmdEvent.ForJob(job), RcmdJsonContext.Default.RcmdEvent);

    private static Job? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, RcmdJsonContext.Default.Job);

    private static double Score(Job job) => job.CreatedAt.ToUnixTimeMilliseconds();
}

/// <summary>What one pass of <see cref="JobStore.ReleaseDueAsync"/> did: the jobs it queued, and when the next one is due.</summary>
public sealed record WaitingRelease(IReadOnlyList<Job> Released, DateTimeOffset? NextDueAt);

public enum SaveResult
{
    /// <summary>The job was written.</summary>
    Saved,

    /// <summary>The stored job was no longer in the expected state or held by the expected Worker: nothing written.</summary>
    Conflict,

    /// <summary>No such job.</summary>
    NotFound,
}

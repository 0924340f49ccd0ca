using System.Globalization;
using System.Text.Json;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Schedules;

/// <summary>What a scheduler knows of a schedule between fire times (<c>rcmd:schedule:{id}:state</c>).</summary>
/// <param name="Cursor">The last fire time dealt with (fired, skipped, queued or dropped): nothing at or before it fires again.</param>
/// <param name="ActiveJobId">The job of the schedule's latest run; the overlap policy looks at it.</param>
/// <param name="ActiveAt">When that run was claimed (its job may not exist yet).</param>
/// <param name="Queued">The fire time held by queue_one until the active run ends.</param>
public sealed record ScheduleState(DateTimeOffset Cursor, string? ActiveJobId, DateTimeOffset? ActiveAt, DateTimeOffset? Queued);

/// <summary>What a claim does besides moving the cursor.</summary>
public enum ClaimAction
{
    /// <summary>Start a run for the fire time (a job is created next).</summary>
    Fire,

    /// <summary>Record the fire time as skipped by the overlap policy.</summary>
    Skip,

    /// <summary>Hold the fire time until the active run ends (queue_one).</summary>
    Queue,

    /// <summary>Drop missed fire times up to this one (missed policy skip).</summary>
    Missed,

    /// <summary>A run-now: a run outside the cron, the cursor stays.</summary>
    Now,

    /// <summary>Start the run of the held fire time (queue_one, once the active run ended).</summary>
    Release,
}

public enum ClaimResult
{
    /// <summary>This caller won the fire time: it must now create the job (or the run is recorded, for skip/queue/missed).</summary>
    Claimed,

    /// <summary>Another scheduler dealt with the fire time first.</summary>
    Taken,

    /// <summary>The active run changed since it was read: read again and decide again.</summary>
    Changed,

    /// <summary>The schedule was deleted, or paused (a pause wins over a scheduler that read the schedule before it).</summary>
    Gone,
}

/// <summary>A claimed fire time whose job was not yet confirmed created (<c>rcmd:schedules:firing</c>).</summary>
public readonly record struct FiringEntry(string ScheduleId, string RunKey, string JobId)
{
    public override string ToString() => $"{ScheduleId} {RunKey} {JobId}";

    public static FiringEntry? Parse(string? member) =>
        member?.Split(' ') is [var id, var run, var job] ? new FiringEntry(id, run, job) : null;
}

/// <summary>
/// Schedules in Redis. Each fire time is claimed by one Lua script that moves the schedule's cursor only forward
/// (compare-and-set): however many schedulers race, one wins each fire time, and the winner's claim also leaves a
/// "firing" entry with a lease so that, if it dies before the job exists, another scheduler creates that same job (its
/// id is derived from the schedule and the fire time, so creating it twice is a no-op).
/// </summary>
public sealed class ScheduleStore(RedisConnection redis)
{
    // KEYS: schedule, state, all, due. ARGV: json, id, created ms, cursor ms, due ms ('' = none).
    private const string CreateScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
        redis.call('HSET', KEYS[2], 'cursor', ARGV[4])
        if ARGV[5] ~= '' then redis.call('ZADD', KEYS[4], ARGV[5], ARGV[2]) end
        return 1
        """;

    // KEYS: schedule, state, due, queued. ARGV: json, id, cursor ms (moves only forward), due ms ('' = none), '1' = drop a held fire time.
    private const string ReplaceScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        local cursor = tonumber(redis.call('HGET', KEYS[2], 'cursor') or '0')
        if tonumber(ARGV[3]) > cursor then redis.call('HSET', KEYS[2], 'cursor', ARGV[3]) end
        if ARGV[4] == '' then redis.call('ZREM', KEYS[3], ARGV[2]) else redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2]) end
        if ARGV[5] == '1' then
          redis.call('HDEL', KEYS[2], 'queued')
          redis.call('ZREM', KEYS[4], ARGV[2])
        end
        return 1
        """;

    // KEYS: schedule, state, due, firing, runs, run log, queued
    // ARGV: id, fire time ms, action, expected active job ('' = none), job id, lease until ms, run key, run json,
    //       next due ms ('' = none: leaves the due set, '-' = unchanged), runs kept, now ms
    private const string ClaimScript = """
        local def = redis.call('GET', KEYS[1])
        if not def then return -1 end
        local action = ARGV[3]
        if action ~= 'now' and cjson.decode(def).paused == true then
          redis.call('ZREM', KEYS[3], ARGV[1])
          return -1
        end
        local st = redis.call('HMGET', KEYS[2], 'cursor', 'active', 'queued')
        local moves = action ~= 'now' and action ~= 'release'
        if moves and st[1] and tonumber(st[1]) >= tonumber(ARGV[2]) then return 0 end
        if action == 'release' and st[3] ~= ARGV[2] then return 0 end
        if action ~= 'now' and (st[2] or '') ~= ARGV[4] then return -2 end
        if moves then redis.call('HSET', KEYS[2], 'cursor', ARGV[2]) end
        if ARGV[9] == '' then redis.call('ZREM', KEYS[3], ARGV[1]) elseif ARGV[9] ~= '-' then redis.call('ZADD', KEYS[3], ARGV[9], ARGV[1]) end
        if action == 'fire' or action == 'now' or action == 'release' then
          redis.call('HSET', KEYS[2], 'active', ARGV[5], 'activeAt', ARGV[11])
          redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1] .. ' ' .. ARGV[7] .. ' ' .. ARGV[5])
        end
        if action == 'queue' then
          redis.call('HSET', KEYS[2], 'queued', ARGV[2])
          redis.call('ZADD', KEYS[7], ARGV[11], ARGV[1])
        elseif action == 'release' then
          redis.call('HDEL', KEYS[2], 'queued')
          redis.call('ZREM', KEYS[7], ARGV[1])
        end
        if action == 'now' then redis.call('ZADD', KEYS[5], ARGV[11], ARGV[7])
        elseif action ~= 'release' then redis.call('ZADD', KEYS[5], ARGV[2], ARGV[7]) end
        redis.call('HSET', KEYS[6], ARGV[7], ARGV[8])
        local extra = redis.call('ZCARD', KEYS[5]) - tonumber(ARGV[10])
        if extra > 0 then
          local old = redis.call('ZRANGE', KEYS[5], 0, extra - 1)
          redis.call('ZREMRANGEBYRANK', KEYS[5], 0, extra - 1)
          redis.call('HDEL', KEYS[6], unpack(old))
        end
        return 1
        """;

    // KEYS: firing, run log. ARGV: member, run key, run json.
    private const string CompleteScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
        return 1
        """;

    // KEYS: firing. ARGV: now ms, new lease ms, max. Takes over claims whose claimant did not finish in time.
    private const string TakeOverScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
        for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], m) end
        return due
        """;

    private RedisKeys Keys => redis.Keys;

    /// <summary>Stores a new schedule starting at <paramref name="cursor"/>; false when the id exists.</summary>
    public async Task<bool> CreateAsync(Schedule schedule, DateTimeOffset cursor, DateTimeOffset? dueAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var result = await redis.Database.ScriptEvaluateAsync(CreateScript,
            [Keys.Schedule(schedule.Id), Keys.ScheduleState(schedule.Id), Keys.AllSchedules, Keys.DueSchedules],
            [Serialize(schedule), schedule.Id, Ms(schedule.CreatedAt), Ms(cursor), dueAt is { } d ? Ms(d) : string.Empty])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>
    /// Replaces a schedule (edit, pause, resume). The cursor moves to <paramref name="cursor"/> only if that is later, so
    /// no fire time already dealt with fires again. False when the schedule does not exist.
    /// </summary>
    public async Task<bool> ReplaceAsync(Schedule schedule, DateTimeOffset cursor, DateTimeOffset? dueAt, bool dropQueued,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var result = await redis.Database.ScriptEvaluateAsync(ReplaceScript,
            [Keys.Schedule(schedule.Id), Keys.ScheduleState(schedule.Id), Keys.DueSchedules, Keys.QueuedSchedules],
            [Serialize(schedule), schedule.Id, Ms(cursor), dueAt is { } d ? Ms(d) : string.Empty, dropQueued ? "1" : "0"])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var transaction = database.CreateTransaction();
        var deleted = transaction.KeyDeleteAsync([Keys.Schedule(id), Keys.ScheduleState(id), Keys.ScheduleRuns(id), Keys.ScheduleRunLog(id)]);
        _ = transaction.SortedSetRemoveAsync(Keys.AllSchedules, id);
        _ = transaction.SortedSetRemoveAsync(Keys.DueSchedules, id);
        _ = transaction.SortedSetRemoveAsync(Keys.QueuedSchedules, id);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await deleted.ConfigureAwait(false) > 0;
    }

    public async Task<Schedule?> GetAsync(string id, CancellationToken cancellationToken) =>
        Deserialize(await redis.Database.StringGetAsync(Keys.Schedule(id)).WaitAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Each schedule with its state (null for one deleted meanwhile), in one round trip.</summary>
    public async Task<IReadOnlyList<(Schedule Schedule, ScheduleState State)?>> LoadAsync(IReadOnlyList<string> ids,
        CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var batch = redis.Database.CreateBatch();
        var definitions = batch.StringGetAsync([.. ids.Select(id => (RedisKey)Keys.Schedule(id))]);
        var states = ids.Select(id => batch.HashGetAsync(Keys.ScheduleState(id), ["cursor", "active", "activeAt", "queued"])).ToArray();
        batch.Execute();
        var values = await definitions.WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<(Schedule, ScheduleState)?>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            var fields = await states[i].WaitAsync(cancellationToken).ConfigureAwait(false);
            var schedule = Deserialize(values[i]);
            result.Add(schedule is null ? null : (schedule, new ScheduleState(
                FromMs(fields[0]) ?? schedule.CreatedAt,
                fields[1].IsNullOrEmpty ? null : (string?)fields[1],
                FromMs(fields[2]),
                FromMs(fields[3]))));
        }

        return result;
    }

    /// <summary>Ids of schedules due at <paramref name="now"/> (at most <paramref name="max"/>).</summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var ids = await redis.Database.SortedSetRangeByScoreAsync(Keys.DueSchedules, double.NegativeInfinity, now.ToUnixTimeMilliseconds(),
            take: max).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. ids.Select(v => (string)v!)];
    }

    /// <summary>The earliest due time of any schedule; null when none is active.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var first = await redis.Database.SortedSetRangeByRankWithScoresAsync(Keys.DueSchedules, 0, 0).WaitAsync(cancellationToken).ConfigureAwait(false);
        return first.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)first[0].Score);
    }

    /// <summary>Sets when a schedule is next due (or takes it out of the due set), without claiming anything.</summary>
    public Task SetDueAsync(string id, DateTimeOffset? dueAt, CancellationToken cancellationToken) =>
        (dueAt is { } d
            ? redis.Database.SortedSetAddAsync(Keys.DueSchedules, id, d.ToUnixTimeMilliseconds(), SortedSetWhen.Exists)
            : redis.Database.SortedSetRemoveAsync(Keys.DueSchedules, id)).WaitAsync(cancellationToken);

    /// <summary>Ids of queue_one schedules that hold a fire time.</summary>
    public async Task<IReadOnlyList<string>> QueuedAsync(int max, CancellationToken cancellationToken)
    {
        var ids = await redis.Database.SortedSetRangeByRankAsync(Keys.QueuedSchedules, 0, max - 1).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. ids.Select(v => (string)v!)];
    }

    /// <summary>
    /// Claims fire time <paramref name="planned"/> of a schedule for <paramref name="action"/>, if no one has (the cursor
    /// is before it) and its active run is still <paramref name="expectedActive"/>. A claimed <see cref="ClaimAction.Fire"/>,
    /// <see cref="ClaimAction.Now"/> or <see cref="ClaimAction.Release"/> leaves a firing entry leased until
    /// <paramref name="leaseUntil"/>; <see cref="CompleteAsync"/> removes it once the job exists.
    /// </summary>
    public async Task<ClaimResult> ClaimAsync(string id, DateTimeOffset planned, ClaimAction action, string? expectedActive, string runKey,
        ScheduleRun run, string? jobId, DateTimeOffset leaseUntil, DateTimeOffset? nextDue, bool keepDue, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var result = (int)await redis.Database.ScriptEvaluateAsync(ClaimScript,
            [Keys.Schedule(id), Keys.ScheduleState(id), Keys.DueSchedules, Keys.FiringSchedules, Keys.ScheduleRuns(id),
             Keys.ScheduleRunLog(id), Keys.QueuedSchedules],
            [id, Ms(planned), ActionName(action), expectedActive ?? string.Empty, jobId ?? string.Empty, Ms(leaseUntil), runKey,
             JsonSerializer.Serialize(run, ScheduleJsonContext.Default.ScheduleRun),
             keepDue ? "-" : nextDue is { } d ? Ms(d) : string.Empty, ScheduleConstants.RunsKept, Ms(now)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return result switch
        {
            1 => ClaimResult.Claimed,
            0 => ClaimResult.Taken,
            -2 => ClaimResult.Changed,
            _ => ClaimResult.Gone,
        };
    }

    /// <summary>The job of a claimed fire time exists: the firing entry goes and the run records the job.</summary>
    public Task CompleteAsync(FiringEntry entry, ScheduleRun run, CancellationToken cancellationToken) =>
        redis.Database.ScriptEvaluateAsync(CompleteScript, [Keys.FiringSchedules, Keys.ScheduleRunLog(entry.ScheduleId)],
            [entry.ToString(), entry.RunKey, JsonSerializer.Serialize(run, ScheduleJsonContext.Default.ScheduleRun)])
            .WaitAsync(cancellationToken);

    /// <summary>Takes over (re-leases to this caller) claimed fire times whose claimant did not create the job in time.</summary>
    public async Task<IReadOnlyList<FiringEntry>> TakeOverAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int max,
        CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(TakeOverScript, [Keys.FiringSchedules],
            [Ms(now), Ms(leaseUntil), max]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
        return [.. result.Select(r => FiringEntry.Parse((string?)r)).OfType<FiringEntry>()];
    }

    /// <summary>Claimed fire times not yet confirmed as jobs (all of them: the set holds only in-flight claims).</summary>
    public async Task<long> FiringCountAsync(CancellationToken cancellationToken) =>
        await redis.Database.SortedSetLengthAsync(Keys.FiringSchedules).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A page of schedule ids, newest first, and how many there are.</summary>
    public async Task<(IReadOnlyList<string> Ids, long Total)> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var start = (long)(page - 1) * pageSize;
        var ids = database.SortedSetRangeByRankAsync(Keys.AllSchedules, start, start + pageSize - 1, Order.Descending);
        var total = database.SortedSetLengthAsync(Keys.AllSchedules);
        await Task.WhenAll(ids, total).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ([.. (await ids.ConfigureAwait(false)).Select(v => (string)v!)], await total.ConfigureAwait(false));
    }

    /// <summary>A page of a schedule's runs, newest first, and how many are kept.</summary>
    public async Task<(IReadOnlyList<ScheduleRun> Runs, long Total)> RunsAsync(string id, int page, int pageSize, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var start = (long)(page - 1) * pageSize;
        var keys = await database.SortedSetRangeByRankAsync(Keys.ScheduleRuns(id), start, start + pageSize - 1, Order.Descending)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var total = await database.SortedSetLengthAsync(Keys.ScheduleRuns(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (keys.Length == 0)
        {
            return ([], total);
        }

        var values = await database.HashGetAsync(Keys.ScheduleRunLog(id), keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        var runs = values.Where(v => !v.IsNullOrEmpty)
            .Select(v => JsonSerializer.Deserialize((string)v!, ScheduleJsonContext.Default.ScheduleRun)!)
            .ToList();
        return (runs, total);
    }

    private static string ActionName(ClaimAction action) => action switch
    {
        ClaimAction.Fire => "fire",
        ClaimAction.Skip => "skip",
        ClaimAction.Queue => "queue",
        ClaimAction.Missed => "missed",
        ClaimAction.Now => "now",
        ClaimAction.Release => "release",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>The run key of a cron fire time (its time in ms) or of a run-now (<c>m</c> then its time).</summary>
    public static string RunKey(DateTimeOffset planned, bool manual = false) => (manual ? "m" : string.Empty) + Ms(planned);

    internal static string Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? FromMs(RedisValue value) =>
        !value.IsNullOrEmpty && long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    private static string Serialize(Schedule schedule) => JsonSerializer.Serialize(schedule, ScheduleJsonContext.Default.Schedule);

    private static Schedule? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, ScheduleJsonContext.Default.Schedule);
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Retention;

/// <summary>
/// The Redis side of retention (keys: <see cref="RedisKeys.ArchivedJobs"/>, <c>rcmd:retention:*</c>): the sweep's lease,
/// reading candidates from the indexes (never a key scan), deleting archived jobs from the record and every index in one
/// script per step, the tombstones behind the 410, and the totals.
/// </summary>
/// <remarks>
/// The scripts that free memory run with <c>#!lua flags=allow-oom</c>: with <c>maxmemory</c> and <c>noeviction</c>, Redis
/// refuses every other script's first write when it is full — but the sweep is what makes room, so it must still run.
/// </remarks>
public sealed class RetentionStore(RedisConnection redis)
{
    // Takes or renews the lease. KEYS: lease. ARGV: holder, ms. 1 = held by holder now.
    private const string LeaseScript = """
        #!lua flags=allow-oom
        local current = redis.call('GET', KEYS[1])
        if current and current ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    private const string ReleaseScript = """
        #!lua flags=allow-oom
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 1
        """;

    // Deletes archived jobs, each only if its record is still the one archived (sha1 of the JSON): a batch resumed since
    // it was read is kept. ZREMs come before the tombstone's ZADD (once a script has written, Redis lets its later writes
    // through even when full). In the same step the archive file's verified length is recorded (a crash before this
    // leaves it unrecorded and the next write truncates the file back), and the totals move.
    // KEYS: archived, files, status, then per job: record, nz index keys, nd other keys.
    // ARGV: archived at ms, file, verified length, job count, then per job: id, sha1, nz, nd. Returns the ids deleted.
    private const string DeleteScript = """
        #!lua flags=allow-oom
        local deleted = {}
        local k = 4
        local a = 5
        for j = 1, tonumber(ARGV[4]) do
          local id, sha, nz, nd = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
          local current = redis.call('GET', KEYS[k])
          if current and redis.sha1hex(current) == sha then
            for i = 1, nz do redis.call('ZREM', KEYS[k + i], id) end
            for i = 1, nd do redis.call('DEL', KEYS[k + nz + i]) end
            redis.call('DEL', KEYS[k])
            redis.call('ZADD', KEYS[1], ARGV[1], id)
            deleted[#deleted + 1] = id
          end
          k = k + 1 + nz + nd
          a = a + 4
        end
        if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
        redis.call('HINCRBY', KEYS[3], 'archived', #deleted)
        redis.call('HINCRBY', KEYS[3], 'deleted', #deleted)
        return deleted
        """;

    // Drops a batch's item results (archived first) if the job is still the one read. KEYS: record, status, files, then the
    // batch keys. ARGV: sha1, file, verified length.
    private const string StripBatchScript = """
        #!lua flags=allow-oom
        local current = redis.call('GET', KEYS[1])
        if not current or redis.sha1hex(current) ~= ARGV[1] then return 0 end
        for i = 4, #KEYS do redis.call('DEL', KEYS[i]) end
        if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], ARGV[3]) end
        redis.call('HINCRBY', KEYS[2], 'batchItemsArchived', 1)
        return 1
        """;

    // Records a sweep's end (or failure). KEYS: status. ARGV: field/value pairs.
    private const string StatusScript = """
        #!lua flags=allow-oom
        for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
        return 1
        """;

    private RedisKeys Keys => redis.Keys;

    /// <summary>The terminal states, each with its own index: where the sweep looks.</summary>
    public static IReadOnlyList<JobState> FinishedStates { get; } =
        [JobState.Succeeded, JobState.Failed, JobState.Canceled, JobState.PartiallyFailed];

    /// <summary>Takes (or renews) the sweep lease for <paramref name="holder"/>. False while another replica holds it.</summary>
    public async Task<bool> TryLeaseAsync(string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        (int)await redis.Database.ScriptEvaluateAsync(LeaseScript, [Keys.RetentionLease], [holder, (long)duration.TotalMilliseconds])
            .WaitAsync(cancellationToken).ConfigureAwait(false) == 1;

    public Task ReleaseLeaseAsync(string holder, CancellationToken cancellationToken) =>
        redis.Database.ScriptEvaluateAsync(ReleaseScript, [Keys.RetentionLease], [holder]).WaitAsync(cancellationToken);

    /// <summary>Up to <paramref name="count"/> ids in a finished state's index created at or before <paramref name="cutoff"/>, oldest first, from <paramref name="offset"/>.</summary>
    public async Task<IReadOnlyList<string>> CandidatesAsync(JobState state, DateTimeOffset cutoff, long offset, int count,
        CancellationToken cancellationToken)
    {
        var values = await redis.Database.SortedSetRangeByScoreAsync(Keys.JobsInState(state), double.NegativeInfinity,
            cutoff.ToUnixTimeMilliseconds(), Exclude.None, Order.Ascending, offset, count).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. values.Select(v => (string)v!)];
    }

    /// <summary>The oldest <paramref name="count"/> finished jobs' ids across the finished states' indexes (by creation).</summary>
    public async Task<IReadOnlyList<string>> OldestFinishedAsync(int count, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var reads = FinishedStates.Select(s => database.SortedSetRangeByRankWithScoresAsync(Keys.JobsInState(s), 0, count - 1)).ToArray();
        var all = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. all.SelectMany(x => x).OrderBy(e => e.Score).ThenBy(e => (string)e.Element!, StringComparer.Ordinal)
            .Take(count).Select(e => (string)e.Element!)];
    }

    /// <summary>How many finished jobs Redis holds (the finished states' index sizes).</summary>
    public async Task<long> FinishedCountAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var counts = await Task.WhenAll(FinishedStates.Select(s => database.SortedSetLengthAsync(Keys.JobsInState(s))))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return counts.Sum();
    }

    /// <summary>The batch jobs created at or before <paramref name="cutoff"/> (their item results may have expired), from <paramref name="offset"/>.</summary>
    public async Task<IReadOnlyList<string>> BatchCandidatesAsync(DateTimeOffset cutoff, long offset, int count, CancellationToken cancellationToken)
    {
        var values = await redis.Database.SortedSetRangeByScoreAsync(Keys.JobsOfType(JobType.Batch), double.NegativeInfinity,
            cutoff.ToUnixTimeMilliseconds(), Exclude.None, Order.Ascending, offset, count).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. values.Select(v => (string)v!)];
    }

    /// <summary>Whether a batch still has its items and results in Redis.</summary>
    public async Task<bool> HasBatchItemsAsync(string id, CancellationToken cancellationToken) =>
        await redis.Database.KeyExistsAsync(Keys.BatchCheckpoint(id)).WaitAsync(cancellationToken).ConfigureAwait(false)
        || await redis.Database.KeyExistsAsync(Keys.BatchItems(id)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The stored records of <paramref name="ids"/> as raw JSON (absent ones left out), in order.</summary>
    public async Task<IReadOnlyList<StoredJob>> ReadAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var values = await redis.Database.StringGetAsync([.. ids.Select(id => (RedisKey)Keys.Job(id))]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var jobs = new List<StoredJob>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            if (!values[i].IsNullOrEmpty)
            {
                var json = (string)values[i]!;
                if (JsonSerializer.Deserialize(json, RcmdJsonContext.Default.Job) is { } job)
                {
                    jobs.Add(new StoredJob(job, json));
                }
            }
        }

        return jobs;
    }

    /// <summary>The length of an archive file up to its last verified write (0 when none was recorded).</summary>
    public async Task<long> VerifiedLengthAsync(string file, CancellationToken cancellationToken)
    {
        var value = await redis.Database.HashGetAsync(Keys.RetentionFiles, file).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNullOrEmpty ? 0 : (long)value;
    }

    /// <summary>
    /// Deletes <paramref name="jobs"/> (archived, verified, in <paramref name="write"/>) from the record and from every index
    /// they can be in, leaves their tombstones, and records the file's verified length — one script. A job whose record
    /// changed since it was read is kept. Returns the ids deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteArchivedAsync(IReadOnlyList<StoredJob> jobs, ArchiveWrite write, DateTimeOffset archivedAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(write);
        var keys = new List<RedisKey> { Keys.ArchivedJobs, Keys.RetentionFiles, Keys.RetentionStatus };
        var args = new List<RedisValue>
        {
            archivedAt.ToUnixTimeMilliseconds(), write.File, write.VerifiedLength, jobs.Count,
        };
        foreach (var stored in jobs)
        {
            var zsets = IndexesOf(stored.Job);
            var others = stored.Job.Type == JobType.Batch ? BatchKeys(stored.Job.Id) : [];
            keys.Add(Keys.Job(stored.Job.Id));
            keys.AddRange(zsets);
            keys.AddRange(others);
            args.AddRange([stored.Job.Id, Sha1(stored.Json), zsets.Count, others.Length]);
        }

        // RC jobs keep their job/status answer past the record (rclone-compatible ids never repeat nor vanish): written
        // first, so a crash between the two loses nothing; a job kept by the script is still found live first.
        var rcJobs = jobs.Where(j => j.Job.Rc is not null).Select(j => RcArchivedJob.From(j.Job, archivedAt)).ToList();
        if (rcJobs.Count > 0)
        {
            await redis.Database.SortedSetAddAsync(Keys.RcArchived,
                    [.. rcJobs.Select(r => new SortedSetEntry(JsonSerializer.Serialize(r, RetentionJsonContext.Default.RcArchivedJob), r.Id))])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var result = await redis.Database.ScriptEvaluateAsync(DeleteScript, [.. keys], [.. args]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.IsNull ? [] : [.. ((RedisResult[])result!).Select(r => (string)r!)];
    }

    /// <summary>Drops a batch's item results (archived in <paramref name="write"/>) unless the job changed since it was read.</summary>
    public async Task<bool> StripBatchItemsAsync(StoredJob batch, ArchiveWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(write);
        var result = await redis.Database.ScriptEvaluateAsync(StripBatchScript,
            [Keys.Job(batch.Job.Id), Keys.RetentionStatus, Keys.RetentionFiles, .. BatchKeys(batch.Job.Id)],
            [Sha1(batch.Json), write.File, write.VerifiedLength]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>An archived RC job's status summary by its RC job id; null when it was never archived (or trimmed).</summary>
    public async Task<RcArchivedJob?> RcArchivedAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var found = await redis.Database.SortedSetRangeByScoreAsync(Keys.RcArchived, rcJobId, rcJobId, take: 1)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return found.Length == 0 ? null : JsonSerializer.Deserialize((string)found[0]!, RetentionJsonContext.Default.RcArchivedJob);
    }

    public async Task<DateTimeOffset?> ArchivedAtAsync(string id, CancellationToken cancellationToken)
    {
        var score = await redis.Database.SortedSetScoreAsync(Keys.ArchivedJobs, id).WaitAsync(cancellationToken).ConfigureAwait(false);
        return score is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null;
    }

    /// <summary>
    /// Forgets tombstones older than <paramref name="before"/>, then the oldest past the newest <paramref name="keep"/>.
    /// Returns how many were forgotten.
    /// </summary>
    public async Task<long> TrimTombstonesAsync(DateTimeOffset before, long keep, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var old = await database.SortedSetRemoveRangeByScoreAsync(Keys.ArchivedJobs, double.NegativeInfinity, before.ToUnixTimeMilliseconds(),
            Exclude.Stop).WaitAsync(cancellationToken).ConfigureAwait(false);
        var over = await database.SortedSetRemoveRangeByRankAsync(Keys.ArchivedJobs, 0, -keep - 1).WaitAsync(cancellationToken).ConfigureAwait(false);
        await database.SortedSetRemoveRangeByRankAsync(Keys.RcArchived, 0, -keep - 1).WaitAsync(cancellationToken).ConfigureAwait(false);
        return old + over;
    }

    /// <summary>Writes status fields (the sweep's last run, its last error) — allowed when Redis is full.</summary>
    public Task SetStatusAsync(IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken cancellationToken) =>
        redis.Database.ScriptEvaluateAsync(StatusScript, [Keys.RetentionStatus],
            [.. fields.SelectMany(f => new RedisValue[] { f.Key, f.Value })]).WaitAsync(cancellationToken);

    /// <summary>The sweep's totals and last run, and where live history starts.</summary>
    public async Task<RetentionState> StateAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var status = database.HashGetAllAsync(Keys.RetentionStatus);
        var oldest = database.SortedSetRangeByRankWithScoresAsync(Keys.AllJobs, 0, 0);
        var tombstones = database.SortedSetLengthAsync(Keys.ArchivedJobs);
        await Task.WhenAll(status, oldest, tombstones).WaitAsync(cancellationToken).ConfigureAwait(false);
        var fields = status.Result.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
        return new RetentionState
        {
            LiveHistoryStart = oldest.Result.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)oldest.Result[0].Score),
            ArchivedTotal = Long(fields, "archived"),
            DeletedTotal = Long(fields, "deleted"),
            BatchItemsArchivedTotal = Long(fields, "batchItemsArchived"),
            ArchivedIdsKept = tombstones.Result,
            LastSweepAt = Time(fields, "lastSweepAt"),
            LastSweepArchived = Long(fields, "lastSweepArchived"),
            LastSweepSeconds = fields.TryGetValue("lastSweepSeconds", out var s) && double.TryParse(s, CultureInfo.InvariantCulture, out var d) ? d : null,
            LastError = fields.TryGetValue("lastError", out var e) && e.Length > 0 ? e : null,
            LastErrorAt = Time(fields, "lastErrorAt"),
        };
    }

    /// <summary>Every sorted set a job can be in: all jobs, each state, its type, its remotes, every error code it had.</summary>
    internal List<RedisKey> IndexesOf(Job job)
    {
        var keys = new List<RedisKey> { Keys.AllJobs };
        keys.AddRange(JobStates.All.Select(s => (RedisKey)Keys.JobsInState(s)));
        keys.Add(Keys.JobsOfType(job.Type));
        var source = RclonePath.RemoteName(job.Source);
        keys.Add(Keys.JobsOnRemote(source));
        if (job.Destination is { } destination && RclonePath.RemoteName(destination) is var d && d != source)
        {
            keys.Add(Keys.JobsOnRemote(d));
        }

        var codes = job.Attempts.Select(a => a.ErrorCode).Append(job.Error?.Code).Append(job.Wait?.Code)
            .OfType<string>().Where(c => c.Length > 0).Distinct(StringComparer.Ordinal);
        keys.AddRange(codes.Select(c => (RedisKey)Keys.JobsWithError(c)));
        if (job.Rc is not null)
        {
            keys.Add(Keys.RcJobs);
            keys.Add(Keys.RcGroup(job.Rc.Group));
        }

        return keys;
    }

    private RedisKey[] BatchKeys(string id) =>
    [
        Keys.BatchItems(id), Keys.BatchResults(id), Keys.BatchCheckpoint(id), Keys.BatchInFlight(id), Keys.BatchDue(id),
        .. BatchItemStates.Recorded.Select(s => (RedisKey)Keys.BatchItemsInState(id, s)),
    ];

    private static string Sha1(string json) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(json)));

    private static long Long(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && long.TryParse(value, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static DateTimeOffset? Time(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;
}

/// <summary>A job as read for the sweep: the record and the exact JSON it was read as (the delete checks it is unchanged).</summary>
public sealed record StoredJob(Job Job, string Json);

/// <summary>What <c>GET /api/retention</c> shows of the sweep.</summary>
public sealed record RetentionState
{
    /// <summary>The creation time of the oldest job still in Redis: live history goes back to here.</summary>
    public DateTimeOffset? LiveHistoryStart { get; init; }
    public long ArchivedTotal { get; init; }
    public long DeletedTotal { get; init; }
    public long BatchItemsArchivedTotal { get; init; }

    /// <summary>Archived jobs whose id is still remembered (410 and links).</summary>
    public long ArchivedIdsKept { get; init; }
    public DateTimeOffset? LastSweepAt { get; init; }
    public long LastSweepArchived { get; init; }
    public double? LastSweepSeconds { get; init; }

    /// <summary>Why the last sweep stopped short (an archive write that failed), when it did.</summary>
    public string? LastError { get; init; }
    public DateTimeOffset? LastErrorAt { get; init; }
}

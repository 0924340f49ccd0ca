using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Batches;

/// <summary>
/// A batch's items, results and checkpoint in Redis (keys: <see cref="RedisKeys"/>, <c>rcmd:batch:{id}:*</c>). The job
/// record stays in <see cref="JobStore"/>; this holds what is too big for it. The rule every write keeps: an item's
/// result and the counters that count it change in one script, so the counts always equal the results; an item is in
/// the in-flight set from before its rcd call until its result is written, so a Worker that resumes the batch finds
/// every item either with a result, in flight (checked, then re-run), or not yet dispatched (at or past the cursor).
/// </summary>
public sealed class BatchStore(RedisConnection redis)
{
    /// <summary>Items pushed per RPUSH while a request streams in or a listing is expanded.</summary>
    public const int ChunkSize = 500;

    /// <summary>How long items being uploaded live without their job (a dead upload cleans itself up).</summary>
    public static readonly TimeSpan StagingTtl = TimeSpan.FromHours(1);

    // Writes items' results, each moved between the per-state indexes with the checkpoint counters adjusted, all in one
    // step. A final result (succeeded, skipped; failed unless forced by a resume) is never overwritten: a second writer
    // (a Worker that lost the batch) changes nothing. Returns, per item, the previous state ('' = none), or '!' when
    // nothing changed.
    // KEYS: results, checkpoint, inflight, due, state:succeeded, state:failed, state:skipped, state:retry_queued
    // ARGV: per item, 7 values: index, json, state, code ('' = none), due ms, force ('1' = may replace a failed result),
    // retryable ('1'/'0')
    private const string RecordScript = """
        local keyOf = { succeeded = KEYS[5], failed = KEYS[6], skipped = KEYS[7], retry_queued = KEYS[8] }
        local function record(idx, json, state, code, due, force, retryable)
          local prev = redis.call('HGET', KEYS[1], idx)
          local ps = ''
          if prev then
            local d = cjson.decode(prev)
            ps = d.state
            if ps == 'succeeded' or ps == 'skipped' or (ps == 'failed' and force ~= '1') then
              redis.call('SREM', KEYS[3], idx)
              return '!'
            end
            redis.call('ZREM', keyOf[ps], idx)
            redis.call('HINCRBY', KEYS[2], ps, -1)
            if ps == 'failed' then
              if type(d.code) == 'string' then redis.call('HINCRBY', KEYS[2], 'code:' .. d.code, -1) end
              if d.retryable == true then redis.call('HINCRBY', KEYS[2], 'failed_retryable', -1) end
            end
            if ps == 'retry_queued' then redis.call('ZREM', KEYS[4], idx) end
          end
          redis.call('HSET', KEYS[1], idx, json)
          redis.call('ZADD', keyOf[state], idx, idx)
          redis.call('HINCRBY', KEYS[2], state, 1)
          if state == 'failed' then
            if code ~= '' then redis.call('HINCRBY', KEYS[2], 'code:' .. code, 1) end
            if retryable == '1' then redis.call('HINCRBY', KEYS[2], 'failed_retryable', 1) end
          end
          if state == 'retry_queued' then redis.call('ZADD', KEYS[4], due, idx) end
          redis.call('SREM', KEYS[3], idx)
          return ps
        end
        local out = {}
        for b = 0, #ARGV - 7, 7 do
          out[#out + 1] = record(ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7])
        end
        return out
        """;

    // Takes due retry-queued items: out of the due set, into the in-flight set, in one step. KEYS: due, inflight. ARGV: now ms, max.
    private const string ClaimDueScript = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        for _, id in ipairs(ids) do
          redis.call('ZREM', KEYS[1], id)
          redis.call('SADD', KEYS[2], id)
        end
        return ids
        """;

    // Puts items in flight and moves the cursor past them (forward only), in one step: the checkpoint then says at every
    // moment that each item before the cursor has a result or is in flight. KEYS: inflight, checkpoint. ARGV: cursor, at,
    // then the indexes.
    private const string DispatchScript = """
        for i = 3, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
        local current = tonumber(redis.call('HGET', KEYS[2], 'cursor') or '0')
        if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[2], 'cursor', ARGV[1]) end
        redis.call('HSET', KEYS[2], 'at', ARGV[2])
        return 1
        """;

    // Resume: the stored job must still be in the expected (terminal) state; it is saved Queued and queued in one step.
    // KEYS: job, state:{expected}, state:queued, queue. ARGV: json, expected, id, score, channel, event, wake channel.
    private const string ResumeScript = """
        local current = redis.call('GET', KEYS[1])
        if not current then return -1 end
        if cjson.decode(current).state ~= ARGV[2] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[3])
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
        redis.call('LREM', KEYS[4], 0, ARGV[3])
        redis.call('LPUSH', KEYS[4], ARGV[3])
        redis.call('PUBLISH', ARGV[5], ARGV[6])
        redis.call('PUBLISH', ARGV[7], ARGV[3])
        return 1
        """;

    private RedisKeys Keys => redis.Keys;

    // ---- items ----

    /// <summary>Appends a chunk of items while they stream in; the list expires unless <see cref="CommitItemsAsync"/> runs.</summary>
    public async Task StageItemsAsync(string id, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        var database = redis.Database;
        var values = items.Select(i => (RedisValue)JsonSerializer.Serialize(i, RcmdJsonContext.Default.BatchItem)).ToArray();
        var push = database.ListRightPushAsync(Keys.BatchItems(id), values);
        var expire = database.KeyExpireAsync(Keys.BatchItems(id), StagingTtl);
        await Task.WhenAll(push, expire).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The upload is complete: the items stay, and the checkpoint starts with their count.</summary>
    public async Task CommitItemsAsync(string id, long total, bool expanded, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var persist = database.KeyPersistAsync(Keys.BatchItems(id));
        var checkpoint = database.HashSetAsync(Keys.BatchCheckpoint(id),
            [new HashEntry("total", total), new HashEntry("cursor", 0), new HashEntry("expanded", expanded ? 1 : 0)]);
        await Task.WhenAll(persist, checkpoint).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes everything a batch keeps besides its job record (a refused upload, a restarted expansion).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        RedisKey[] keys =
        [
            Keys.BatchItems(id), Keys.BatchResults(id), Keys.BatchCheckpoint(id), Keys.BatchInFlight(id), Keys.BatchDue(id),
            .. BatchItemStates.Recorded.Select(s => (RedisKey)Keys.BatchItemsInState(id, s)),
        ];
        await redis.Database.KeyDeleteAsync(keys, CommandFlags.None).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts (or restarts, after a crash part-way) the expansion of a directory batch: no items, nothing counted.</summary>
    public async Task ResetExpansionAsync(string id, CancellationToken cancellationToken)
    {
        await DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        await redis.Database.HashSetAsync(Keys.BatchCheckpoint(id),
            [new HashEntry("total", 0), new HashEntry("cursor", 0), new HashEntry("expanded", 0)]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends listed items (the total grows with them).</summary>
    public async Task AppendExpandedAsync(string id, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        var database = redis.Database;
        var values = items.Select(i => (RedisValue)JsonSerializer.Serialize(i, RcmdJsonContext.Default.BatchItem)).ToArray();
        var push = database.ListRightPushAsync(Keys.BatchItems(id), values);
        var total = database.HashIncrementAsync(Keys.BatchCheckpoint(id), "total", items.Count);
        await Task.WhenAll(push, total).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task FinishExpansionAsync(string id, CancellationToken cancellationToken) =>
        redis.Database.HashSetAsync(Keys.BatchCheckpoint(id), "expanded", 1).WaitAsync(cancellationToken);

    /// <summary>Items <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> - 1 (fewer at the end).</summary>
    public async Task<IReadOnlyList<BatchItem>> GetItemsAsync(string id, long start, int count, CancellationToken cancellationToken)
    {
        var values = await redis.Database.ListRangeAsync(Keys.BatchItems(id), start, start + count - 1)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return values.Select(v => JsonSerializer.Deserialize((string)v!, RcmdJsonContext.Default.BatchItem)!).ToList();
    }

    public async Task<IReadOnlyList<BatchItem?>> GetItemsAtAsync(string id, IReadOnlyList<long> indexes, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var reads = indexes.Select(i => database.ListGetByIndexAsync(Keys.BatchItems(id), i)).ToArray();
        var values = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        return values.Select(v => v.IsNull ? null : JsonSerializer.Deserialize((string)v!, RcmdJsonContext.Default.BatchItem)).ToList();
    }

    public async Task<long> ItemCountAsync(string id, CancellationToken cancellationToken) =>
        await redis.Database.ListLengthAsync(Keys.BatchItems(id)).WaitAsync(cancellationToken).ConfigureAwait(false);

    // ---- results ----

    public async Task<IReadOnlyList<BatchItemResult?>> GetResultsAsync(string id, IReadOnlyList<long> indexes, CancellationToken cancellationToken)
    {
        if (indexes.Count == 0)
        {
            return [];
        }

        var values = await redis.Database.HashGetAsync(Keys.BatchResults(id), indexes.Select(i => (RedisValue)i).ToArray())
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return values.Select(DeserializeResult).ToList();
    }

    /// <summary>
    /// Writes an item's result and counts it, in one step (see <c>RecordScript</c>). Returns the item's previous state
    /// (null when it had none), or <see cref="RecordOutcome.Unchanged"/> when a final result was there already.
    /// </summary>
    public async Task<RecordOutcome> RecordAsync(string id, long index, BatchItemResult result, CancellationToken cancellationToken,
        bool force = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcomes = await RecordManyAsync(id, [new BatchRecord(index, result, force)], cancellationToken).ConfigureAwait(false);
        return outcomes[0];
    }

    /// <summary>
    /// <see cref="RecordAsync"/> for several items in one step (one round trip): a Worker writes the results that
    /// arrive while its previous write is under way together. Outcomes in the order of <paramref name="records"/>.
    /// </summary>
    public async Task<IReadOnlyList<RecordOutcome>> RecordManyAsync(string id, IReadOnlyList<BatchRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return [];
        }

        var values = new RedisValue[records.Count * 7];
        for (var i = 0; i < records.Count; i++)
        {
            var (index, result, force) = records[i];
            ArgumentNullException.ThrowIfNull(result);
            values[i * 7] = index;
            values[(i * 7) + 1] = JsonSerializer.Serialize(result, RcmdJsonContext.Default.BatchItemResult);
            values[(i * 7) + 2] = result.State.ToWire();
            values[(i * 7) + 3] = result.Code ?? string.Empty;
            values[(i * 7) + 4] = result.DueAt?.ToUnixTimeMilliseconds() ?? 0;
            values[(i * 7) + 5] = force ? "1" : "0";
            values[(i * 7) + 6] = result.Retryable ? "1" : "0";
        }

        var answer = await redis.Database.ScriptEvaluateAsync(RecordScript,
            [Keys.BatchResults(id), Keys.BatchCheckpoint(id), Keys.BatchInFlight(id), Keys.BatchDue(id),
             .. BatchItemStates.Recorded.Select(s => (RedisKey)Keys.BatchItemsInState(id, s))],
            values).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. ((RedisValue[])answer!).Select(v => ((string?)v ?? string.Empty) switch
        {
            "!" => RecordOutcome.Unchanged,
            "" => new RecordOutcome(true, null),
            var previous => new RecordOutcome(true, BatchItemStates.TryParse(previous, out var state) ? state : null),
        })];
    }

    // ---- in flight, due, cursor ----

    /// <summary>
    /// Marks items as dispatched and moves the checkpoint's cursor to <paramref name="cursor"/> (the first item not yet read),
    /// in one step; call (and await) before their rcd calls start.
    /// </summary>
    public Task MarkInFlightAsync(string id, IReadOnlyList<long> indexes, long cursor, DateTimeOffset at, CancellationToken cancellationToken) =>
        redis.Database.ScriptEvaluateAsync(DispatchScript, [Keys.BatchInFlight(id), Keys.BatchCheckpoint(id)],
            [cursor, at.ToString("O", CultureInfo.InvariantCulture), .. indexes.Select(i => (RedisValue)i)]).WaitAsync(cancellationToken);

    /// <summary>Drops an item from the in-flight set without a result (its run was aborted; it stays pending).</summary>
    public Task ForgetInFlightAsync(string id, long index, CancellationToken cancellationToken) =>
        redis.Database.SetRemoveAsync(Keys.BatchInFlight(id), index).WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<long>> InFlightAsync(string id, CancellationToken cancellationToken)
    {
        var members = await redis.Database.SetMembersAsync(Keys.BatchInFlight(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. members.Select(m => (long)m).Order()];
    }

    /// <summary>Takes up to <paramref name="max"/> retry-queued items due at <paramref name="now"/> (they move to the in-flight set).</summary>
    public async Task<IReadOnlyList<long>> ClaimDueAsync(string id, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ScriptEvaluateAsync(ClaimDueScript, [Keys.BatchDue(id), Keys.BatchInFlight(id)],
            [now.ToUnixTimeMilliseconds(), max]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. ((RedisValue[])result!).Select(v => (long)v)];
    }

    /// <summary>When the next retry-queued item falls due; null when none waits.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(string id, CancellationToken cancellationToken)
    {
        var first = await redis.Database.SortedSetRangeByRankWithScoresAsync(Keys.BatchDue(id), 0, 0).WaitAsync(cancellationToken).ConfigureAwait(false);
        return first.Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)first[0].Score);
    }

    /// <summary>Moves the checkpoint's cursor forward (never back) and stamps it: <see cref="MarkInFlightAsync"/> of no items.</summary>
    public Task SetCursorAsync(string id, long cursor, DateTimeOffset at, CancellationToken cancellationToken) =>
        MarkInFlightAsync(id, [], cursor, at, cancellationToken);

    public async Task<BatchCheckpoint> GetCheckpointAsync(string id, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var hash = database.HashGetAllAsync(Keys.BatchCheckpoint(id));
        var inFlight = database.SetLengthAsync(Keys.BatchInFlight(id));
        await Task.WhenAll(hash, inFlight).WaitAsync(cancellationToken).ConfigureAwait(false);
        var fields = hash.Result.ToDictionary(e => (string)e.Name!, e => e.Value, StringComparer.Ordinal);
        long Get(string name) => fields.TryGetValue(name, out var v) && v.TryParse(out long n) ? n : 0;
        var byCode = fields.Where(f => f.Key.StartsWith("code:", StringComparison.Ordinal))
            .Select(f => (Code: f.Key[5..], Count: f.Value.TryParse(out long n) ? n : 0))
            .Where(p => p.Count > 0)
            .ToDictionary(p => p.Code, p => p.Count, StringComparer.Ordinal);
        var counters = new BatchCounters(Get("total"), Get("succeeded"), Get("failed"), Get("skipped"), Get("retry_queued"),
            Get("failed_retryable"), byCode);
        DateTimeOffset? at = fields.TryGetValue("at", out var a) && DateTimeOffset.TryParse((string?)a, CultureInfo.InvariantCulture,
            DateTimeStyles.RoundtripKind, out var parsed) ? parsed : null;
        return new BatchCheckpoint(counters, Get("cursor"), Get("expanded") == 1, inFlight.Result, at);
    }

    // ---- resume / retry ----

    /// <summary>
    /// Before a resume: every failed item whose failure was retryable goes back to the retry queue, due now, with a fresh
    /// retry count. Permanent failures stay. Returns how many were re-queued.
    /// </summary>
    public async Task<long> RequeueRetryableFailuresAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var failed = await redis.Database.SortedSetRangeByRankAsync(Keys.BatchItemsInState(id, BatchItemState.Failed))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        long requeued = 0;
        foreach (var chunk in failed.Select(v => (long)v).Chunk(ChunkSize))
        {
            var results = await GetResultsAsync(id, chunk, cancellationToken).ConfigureAwait(false);
            var writes = new List<BatchRecord>();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (results[i] is { State: BatchItemState.Failed, Retryable: true } result)
                {
                    writes.Add(new BatchRecord(chunk[i], result with { State = BatchItemState.RetryQueued, DueAt = now, RoundAttempts = 0 }, Force: true));
                }
            }

            var outcomes = await RecordManyAsync(id, writes, cancellationToken).ConfigureAwait(false);
            requeued += outcomes.Count(o => o.Changed);
        }

        return requeued;
    }

    /// <summary>
    /// Saves <paramref name="resumed"/> (from <see cref="JobStateMachine.Resume"/>) if the stored job is still in
    /// <paramref name="expected"/> state, and queues it, in one step. False when it changed meanwhile.
    /// </summary>
    public async Task<bool> ResumeAsync(Job resumed, JobState expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resumed);
        var result = await redis.Database.ScriptEvaluateAsync(ResumeScript,
            [Keys.Job(resumed.Id), Keys.JobsInState(expected), Keys.JobsInState(JobState.Queued), Keys.Queue],
            [JsonSerializer.Serialize(resumed, RcmdJsonContext.Default.Job), expected.ToWire(), resumed.Id, resumed.CreatedAt.ToUnixTimeMilliseconds(),
             Keys.EventsChannel, JsonSerializer.Serialize(RcmdEvent.ForJob(resumed), RcmdJsonContext.Default.RcmdEvent), Keys.WakeChannel])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>Indexes of the items whose result is in <paramref name="state"/>, in order.</summary>
    public async Task<IReadOnlyList<long>> IndexesInStateAsync(string id, BatchItemState state, long offset, long count,
        CancellationToken cancellationToken)
    {
        var values = await redis.Database.SortedSetRangeByRankAsync(Keys.BatchItemsInState(id, state), offset, count < 0 ? -1 : offset + count - 1)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. values.Select(v => (long)v)];
    }

    public async Task<long> CountInStateAsync(string id, BatchItemState state, CancellationToken cancellationToken) =>
        await redis.Database.SortedSetLengthAsync(Keys.BatchItemsInState(id, state)).WaitAsync(cancellationToken).ConfigureAwait(false);

    // ---- report ----

    /// <summary>
    /// Every item of the batch with its result, in order, read in chunks (never the whole batch in memory), filtered by
    /// <paramref name="state"/> and <paramref name="code"/> when given.
    /// </summary>
    public async IAsyncEnumerable<BatchReportItem> ReadReportAsync(string id, BatchItemState? state, string? code, bool running,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var inFlight = running ? (await InFlightAsync(id, cancellationToken).ConfigureAwait(false)).ToHashSet() : [];
        if (code is not null || state is { } s && s.IsRecordedState())
        {
            // Few, usually: walk the state indexes instead of the whole list.
            IEnumerable<BatchItemState> states = state is { } only ? [only] : [BatchItemState.Failed, BatchItemState.RetryQueued];
            var indexes = new List<long>();
            foreach (var each in states)
            {
                indexes.AddRange(await IndexesInStateAsync(id, each, 0, -1, cancellationToken).ConfigureAwait(false));
            }

            indexes.Sort();
            foreach (var chunk in indexes.Chunk(ChunkSize))
            {
                var items = await GetItemsAtAsync(id, chunk, cancellationToken).ConfigureAwait(false);
                var results = await GetResultsAsync(id, chunk, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (items[i] is { } item && (code is null || results[i]?.Code == code))
                    {
                        yield return BatchReportItem.From(chunk[i], item, results[i], inFlight.Contains(chunk[i]));
                    }
                }
            }

            yield break;
        }

        for (long start = 0; ; start += ChunkSize)
        {
            var items = await GetItemsAsync(id, start, ChunkSize, cancellationToken).ConfigureAwait(false);
            if (items.Count == 0)
            {
                yield break;
            }

            var indexes = Enumerable.Range(0, items.Count).Select(i => start + i).ToArray();
            var results = await GetResultsAsync(id, indexes, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < items.Count; i++)
            {
                var line = BatchReportItem.From(indexes[i], items[i], results[i], inFlight.Contains(indexes[i]));
                if (state is null || line.State == state)
                {
                    yield return line;
                }
            }

            if (items.Count < ChunkSize)
            {
                yield break;
            }
        }
    }

    private static BatchItemResult? DeserializeResult(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, RcmdJsonContext.Default.BatchItemResult);
}

/// <summary>One item's result to write (<see cref="BatchStore.RecordManyAsync"/>); <c>Force</c> may replace a failed result.</summary>
public readonly record struct BatchRecord(long Index, BatchItemResult Result, bool Force = false);

/// <summary>What <see cref="BatchStore.RecordAsync"/> did: whether it wrote, and the item's state before.</summary>
public sealed record RecordOutcome(bool Changed, BatchItemState? Previous)
{
    public static RecordOutcome Unchanged { get; } = new(false, null);
}

/// <summary>A batch's checkpoint as stored: counters, cursor (items before it were all dispatched), expansion done, in flight.</summary>
public sealed record BatchCheckpoint(BatchCounters Counters, long Cursor, bool Expanded, long InFlight, DateTimeOffset? At);

internal static class BatchItemStateExtensions
{
    public static bool IsRecordedState(this BatchItemState state) => BatchItemStates.Recorded.Contains(state);
}

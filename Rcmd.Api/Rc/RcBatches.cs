using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Rc;

/// <summary>
/// <c>job/batch</c> as rclone runs it: each of <c>inputs</c> (with its <c>_path</c>) called, <c>concurrency</c> at a time
/// (default 4), the outputs or errors in <c>results</c> in the inputs' order. Each input is the call it names, checked
/// against its own role — a transfer with <c>_async=true</c> becomes its own Rcmd job, as Rclone UI and RClone Manager
/// start their work. With <c>_async=true</c> the batch itself gets an RC job id (never repeating, as the transfers') and
/// is durable: its inputs and caller in its record (<see cref="RedisKeys.RcBatch"/>), each input's reply as it ends
/// (<see cref="RedisKeys.RcBatchResults"/>), the Api running it holding a lease (<see cref="RedisKeys.RcBatchesRunning"/>).
/// An Api that stops hands its batches over at once; one that dies loses the lease after <see cref="RcOptions.BatchLease"/>;
/// either way <see cref="RcBatchResumer"/> in the next Api runs the inputs not yet answered. A transfer input's job is
/// recorded before it is queued, so a resumed batch waits for that job instead of queuing it twice; other inputs that
/// were running are called again (reads; an admin's pass-through call is repeated). <c>job/status</c> answers from
/// the record, with the <c>results</c> as its <c>output</c> once done.
/// </summary>
internal sealed partial class RcBatches(RcJobIds ids, RedisConnection redis, TimeProvider time, IHostApplicationLifetime lifetime,
    IOptions<RcOptions> options, ILogger<RcBatches> logger)
{
    /// <summary>How long an async batch's record is kept: 7 days.</summary>
    private static readonly TimeSpan RecordTtl = TimeSpan.FromDays(7);

    /// <summary>Inputs of a <c>job/batch</c> run at once when it does not say (rclone's default, its --transfers): 4.</summary>
    private const int DefaultConcurrency = 4;

    /// <summary>Takes the Api's lease of the batch whose lease ran out first (at most one): its id, or nil.</summary>
    private const string ClaimScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
        if #due == 0 then return false end
        redis.call('ZADD', KEYS[1], ARGV[2], due[1])
        return due[1]
        """;

    /// <summary>The async batches this Api runs now: waited for at stop, so each hands itself over before Redis closes.</summary>
    private readonly ConcurrentDictionary<long, Task> _running = new();

    private RedisKeys Keys => redis.Keys;

    /// <summary>Completes when every batch this Api ran has saved its end or handed itself over (after ApplicationStopping).</summary>
    public Task WhenStoppedAsync() => Task.WhenAll(_running.Values);

    public async Task<RcReply> CallAsync(RcParameters parameters, bool isAsync, RcCaller caller, RcServices services,
        CancellationToken cancellationToken)
    {
        var inputs = Inputs(parameters); // a batch without inputs is refused now, not in its job
        var concurrency = Concurrency(parameters);
        if (!isAsync)
        {
            return RcReply.Ok(await RunAsync(inputs, concurrency, caller, services, null, cancellationToken).ConfigureAwait(false));
        }

        var rcJobId = await ids.NextAsync(CancellationToken.None).ConfigureAwait(false);
        var group = parameters.GetStringOrNull("_group") is { Length: > 0 } g ? g : $"job/{rcJobId.ToString(CultureInfo.InvariantCulture)}";
        var now = time.GetUtcNow();
        var record = new JsonObject
        {
            ["id"] = rcJobId,
            ["group"] = group,
            ["startTime"] = now,
            ["concurrency"] = concurrency,
            ["inputs"] = inputs.DeepClone(),
            ["caller"] = caller.ToJson(),
        };
        var transaction = redis.Database.CreateTransaction();
        var writes = new Task[]
        {
            transaction.StringSetAsync(Keys.RcBatch(rcJobId), record.ToJsonString(), RecordTtl),
            transaction.SortedSetAddAsync(Keys.RcBatches, rcJobId, now.ToUnixTimeMilliseconds()),
            transaction.SortedSetRemoveRangeByScoreAsync(Keys.RcBatches, double.NegativeInfinity, (now - RecordTtl).ToUnixTimeMilliseconds()),
            transaction.SortedSetAddAsync(Keys.RcBatchesRunning, rcJobId, LeaseEnd()),
        };
        await transaction.ExecuteAsync().WaitAsync(CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAll(writes).ConfigureAwait(false);
        Start(rcJobId, record, caller.Detached(), services);
        return RcReply.Ok(new JsonObject { ["jobid"] = rcJobId, ["executeId"] = await ids.ExecuteIdAsync(cancellationToken).ConfigureAwait(false) }, rcJobId);
    }

    /// <summary>An async batch's record: <c>id, group, startTime</c>, and <c>endTime</c> with <c>output</c> or <c>error</c> once done.</summary>
    public async Task<JsonObject?> FindAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var value = await redis.Database.StringGetAsync(Keys.RcBatch(rcJobId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNullOrEmpty ? null : JsonNode.Parse((string)value!) as JsonObject;
    }

    /// <summary>
    /// Takes over one async batch whose Api's lease ran out and runs the rest of it here; false when there is none.
    /// <paramref name="callerOf"/> rebuilds the caller its record names.
    /// </summary>
    public async Task<bool> ResumeOneAsync(Func<JsonObject, RcCaller> callerOf, RcServices services, CancellationToken cancellationToken)
    {
        var claimed = await redis.Database.ScriptEvaluateAsync(ClaimScript, [Keys.RcBatchesRunning],
            [time.GetUtcNow().ToUnixTimeMilliseconds(), LeaseEnd()]).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (claimed.IsNull)
        {
            return false;
        }

        var rcJobId = long.Parse((string)claimed!, CultureInfo.InvariantCulture);
        if (_running.ContainsKey(rcJobId))
        {
            return true; // running here already (its renewal was late): the claim renewed it
        }

        if (await FindAsync(rcJobId, cancellationToken).ConfigureAwait(false) is not { } record || record["endTime"] is not null
            || record["caller"] is not JsonObject)
        {
            // Ended (a save that raced the lease) or expired: nothing to resume.
            await redis.Database.SortedSetRemoveAsync(Keys.RcBatchesRunning, rcJobId).WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        LogResumed(logger, rcJobId);
        Start(rcJobId, record, callerOf(record["caller"]!.AsObject()), services);
        return true;
    }

    private double LeaseEnd() => (time.GetUtcNow() + options.Value.BatchLease).ToUnixTimeMilliseconds();

    private void Start(long rcJobId, JsonObject record, RcCaller caller, RcServices services)
    {
        var run = Task.Run(() => RunLeasedAsync(rcJobId, record, caller, services), CancellationToken.None);
        _running[rcJobId] = run;
        _ = run.ContinueWith(done => _running.TryRemove(new KeyValuePair<long, Task>(rcJobId, done)), CancellationToken.None,
            TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Runs an async batch while renewing its lease; saves its end, or hands it over when the Api stops.</summary>
    private async Task RunLeasedAsync(long rcJobId, JsonObject record, RcCaller caller, RcServices services)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        var renewing = RenewAsync(rcJobId, running.Token);
        try
        {
            var inputs = record["inputs"]?.AsArray() ?? [];
            var concurrency = record["concurrency"]?.GetValue<int>() ?? DefaultConcurrency;
            record["output"] = await RunAsync(inputs, concurrency, caller, services, rcJobId, running.Token).ConfigureAwait(false);
            await FinishAsync(rcJobId, record).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await HandOverAsync(rcJobId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is away: the lease runs out and an Api resumes the batch from what was saved.
            LogBatchNotSaved(logger, rcJobId, ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            record["error"] = Failures.SecretRedactor.Redact(ex.Message);
            await FinishAsync(rcJobId, record).ConfigureAwait(false);
        }
        finally
        {
            await running.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var every = options.Value.BatchLease / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, cancellationToken).ConfigureAwait(false);
                await redis.Database.SortedSetAddAsync(Keys.RcBatchesRunning, rcJobId, LeaseEnd(), SortedSetWhen.Exists)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogLeaseNotRenewed(logger, rcJobId, ex.GetType().Name);
            }
        }
    }

    /// <summary>The end: the record with <c>endTime</c> (its inputs and caller dropped), the lease and item replies removed.</summary>
    private async Task FinishAsync(long rcJobId, JsonObject record)
    {
        record["endTime"] = time.GetUtcNow();
        record.Remove("inputs");
        record.Remove("caller");
        try
        {
            var transaction = redis.Database.CreateTransaction();
            var writes = new Task[]
            {
                transaction.StringSetAsync(Keys.RcBatch(rcJobId), record.ToJsonString(), RecordTtl),
                transaction.SortedSetRemoveAsync(Keys.RcBatchesRunning, rcJobId),
                transaction.KeyDeleteAsync(Keys.RcBatchResults(rcJobId)),
            };
            await transaction.ExecuteAsync().ConfigureAwait(false);
            await Task.WhenAll(writes).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogBatchNotSaved(logger, rcJobId, ex); // its lease runs out: resumed, every reply already saved
        }
    }

    /// <summary>The Api stops: its lease ends now, so the next Api resumes the batch at once.</summary>
    private async Task HandOverAsync(long rcJobId)
    {
        try
        {
            await redis.Database.SortedSetAddAsync(Keys.RcBatchesRunning, rcJobId, 0, SortedSetWhen.Exists).ConfigureAwait(false);
            LogHandedOver(logger, rcJobId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogBatchNotSaved(logger, rcJobId, ex);
        }
    }

    /// <summary>
    /// Calls the inputs, <paramref name="concurrency"/> at a time. A durable batch (<paramref name="durableId"/>) skips
    /// inputs already answered, waits for the job of a transfer already queued, and saves each reply as it comes.
    /// </summary>
    private async Task<JsonObject> RunAsync(JsonArray inputs, int concurrency, RcCaller caller, RcServices services, long? durableId,
        CancellationToken cancellationToken)
    {
        var saved = durableId is { } id ? await SavedAsync(id, cancellationToken).ConfigureAwait(false) : [];
        var results = new JsonNode?[inputs.Count];
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(inputs.Select(async (node, i) =>
        {
            if (saved.TryGetValue(i, out var earlier) && earlier["reply"] is JsonObject answered)
            {
                results[i] = answered.DeepClone();
                return;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var reply = await CallOneAsync(node, earlier, caller, services, durableId, i, cancellationToken).ConfigureAwait(false);
                if (durableId is { } batch)
                {
                    await redis.Database.HashSetAsync(Keys.RcBatchResults(batch), i, new JsonObject { ["reply"] = reply.DeepClone() }.ToJsonString())
                        .WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                results[i] = reply;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return new JsonObject { ["results"] = new JsonArray(results) };
    }

    private async Task<JsonObject> CallOneAsync(JsonNode? node, JsonObject? earlier, RcCaller caller, RcServices services, long? durableId, int index,
        CancellationToken cancellationToken)
    {
        var call = (node as JsonObject)?.DeepClone().AsObject() ?? [];
        var path = call["_path"] is JsonValue p && p.TryGetValue<string>(out var text) ? text.Trim('/') : null;
        call.Remove("_path");
        if (path is null or "job/batch")
        {
            return RcReply.Error("job/batch", call, path is null ? "Didn't find key \"_path\" in input" : "job/batch cannot be nested",
                StatusCodes.Status400BadRequest).Body;
        }

        // Queued before this batch was resumed: that job's answer, not a second job.
        if (earlier?["pending"] is JsonValue pending && earlier["job"] is JsonValue job
            && await services.Jobs.ResumeAsync(path, call, IsAsync(call), pending.GetValue<long>(), job.GetValue<string>(), cancellationToken)
                .ConfigureAwait(false) is { } resumed)
        {
            return resumed.Body;
        }

        RcQueuing? queuing = durableId is { } batch
            ? (rcJobId, jobId) => redis.Database.HashSetAsync(Keys.RcBatchResults(batch), index,
                new JsonObject { ["pending"] = rcJobId, ["job"] = jobId }.ToJsonString()).WaitAsync(CancellationToken.None)
            : null;
        return (await RcApi.ExecuteAsync(path, new RcParameters(call), false, caller, services, cancellationToken, queuing).ConfigureAwait(false)).Body;
    }

    private static bool IsAsync(JsonObject call)
    {
        try
        {
            return new RcParameters(call.DeepClone().AsObject()).GetBool("_async");
        }
        catch (RcParameterException)
        {
            return false;
        }
    }

    /// <summary>What a durable batch saved of its inputs: index → <c>{"reply"}</c> or <c>{"pending", "job"}</c>.</summary>
    private async Task<Dictionary<int, JsonObject>> SavedAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var entries = await redis.Database.HashGetAllAsync(Keys.RcBatchResults(rcJobId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries.Where(e => JsonNode.Parse((string)e.Value!) is JsonObject)
            .ToDictionary(e => (int)e.Name, e => JsonNode.Parse((string)e.Value!)!.AsObject());
    }

    private static int Concurrency(RcParameters parameters) =>
        parameters.Has("concurrency") ? (int)Math.Clamp(parameters.GetInt64("concurrency"), 1, 64) : DefaultConcurrency;

    /// <summary>The <c>inputs</c> list, checked before anything runs (an async batch is refused at once when it has none).</summary>
    private static JsonArray Inputs(RcParameters parameters) => parameters.Input["inputs"] switch
    {
        JsonArray array => array,
        JsonValue value when value.TryGetValue<string>(out var text) && JsonNode.Parse(text) is JsonArray parsed => parsed,
        null => throw new RcParameterException("Didn't find key \"inputs\" in input"),
        _ => throw new RcParameterException("expecting list value for key \"inputs\""),
    };

    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning, Message = "RC batch job {RcJobId}: its state could not be saved; its lease runs out and an Api resumes it")]
    private static partial void LogBatchNotSaved(ILogger logger, long rcJobId, Exception exception);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "RC batch job {RcJobId}: resumed here (its Api stopped or its lease ran out)")]
    private static partial void LogResumed(ILogger logger, long rcJobId);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "RC batch job {RcJobId}: handed over (the Api stops); the next Api resumes it")]
    private static partial void LogHandedOver(ILogger logger, long rcJobId);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "RC batch job {RcJobId}: its lease could not be renewed ({ExceptionType})")]
    private static partial void LogLeaseNotRenewed(ILogger logger, long rcJobId, string exceptionType);
}

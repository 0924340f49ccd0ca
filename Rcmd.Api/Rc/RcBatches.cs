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
/// the record, with the <c>results</c> as its <c>output</c> once done. <c>job/stop</c> (or <c>job/stopgroup</c> of its
/// group) stops it durably (<see cref="RcBatchStops"/>): it ends <c>success: false, error: "context canceled"</c> with the
/// replies of the inputs that had finished kept.
/// </summary>
internal sealed partial class RcBatches(RcJobIds ids, RcBatchStops stops, RedisConnection redis, TimeProvider time,
    IHostApplicationLifetime lifetime, IOptions<RcOptions> options, ILogger<RcBatches> logger)
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
            return RcReply.Ok((await RunAsync(inputs, concurrency, caller, services, null, cancellationToken).ConfigureAwait(false)).Output);
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
            transaction.SortedSetAddAsync(Keys.RcBatchGroup(group), rcJobId, rcJobId),
            transaction.KeyExpireAsync(Keys.RcBatchGroup(group), RecordTtl),
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
    /// <c>job/stop</c> of an async batch: false when there is none by that id. A batch not ended gets a durable stop
    /// request; an ended one is left as it is (rclone's stop of a finished job changes nothing and answers <c>{}</c>).
    /// </summary>
    public async Task<bool> StopAsync(long rcJobId, CancellationToken cancellationToken)
    {
        if (await FindAsync(rcJobId, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return false;
        }

        if (record["endTime"] is null)
        {
            await stops.RequestAsync(rcJobId, cancellationToken).ConfigureAwait(false);
            LogStopRequested(logger, rcJobId);
        }

        return true;
    }

    /// <summary><c>job/stopgroup</c>: stops the async batches of <paramref name="group"/> (its own <c>_group</c> or <c>job/{id}</c>).</summary>
    public async Task StopGroupAsync(string group, CancellationToken cancellationToken)
    {
        var members = await redis.Database.SortedSetRangeByRankAsync(Keys.RcBatchGroup(group)).WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var member in members)
        {
            await StopAsync((long)member, cancellationToken).ConfigureAwait(false);
        }
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

    /// <summary>
    /// Runs an async batch while renewing its lease; saves its end, or hands it over when the Api stops. A stop request
    /// (read first, before each input and at each renewal) cuts it: the jobs of its inputs in flight are canceled and it
    /// ends with rclone's <c>"context canceled"</c>.
    /// </summary>
    private async Task RunLeasedAsync(long rcJobId, JsonObject record, RcCaller caller, RcServices services)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        using var stop = stops.Watch(rcJobId, running.Token);
        var renewing = RenewAsync(stop, running.Token);
        try
        {
            await stops.CheckAsync(stop, running.Token).ConfigureAwait(false); // stopped before this Api took it
            var inputs = record["inputs"]?.AsArray() ?? [];
            var concurrency = record["concurrency"]?.GetValue<int>() ?? DefaultConcurrency;
            var (output, cut) = await RunAsync(inputs, concurrency, caller, services, stop, running.Token).ConfigureAwait(false);
            record["output"] = output;
            if (cut)
            {
                var canceled = await stops.CancelInFlightAsync(rcJobId, running.Token).ConfigureAwait(false);
                record["error"] = RcBatchStops.Canceled;
                LogStopped(logger, rcJobId, canceled);
            }

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

    /// <summary>Renews the lease every third of it, and reads the batch's stop request each time (one made at another Api).</summary>
    private async Task RenewAsync(RcBatchStop stop, CancellationToken cancellationToken)
    {
        var every = options.Value.BatchLease / 3;
        var rcJobId = stop.RcJobId;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, cancellationToken).ConfigureAwait(false);
                await redis.Database.SortedSetAddAsync(Keys.RcBatchesRunning, rcJobId, LeaseEnd(), SortedSetWhen.Exists)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                await stops.CheckAsync(stop, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The end: the record with <c>endTime</c> (its inputs and caller dropped), the lease, item replies and stop request removed.</summary>
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
                transaction.KeyDeleteAsync(Keys.RcBatchStop(rcJobId)),
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
    /// Calls the inputs, <paramref name="concurrency"/> at a time. A durable batch (<paramref name="stop"/> given) skips
    /// inputs already answered, waits for the job of a transfer already queued, and saves each reply as it comes; once
    /// stopped, it starts no further input and each input not answered gets rclone's <c>"context canceled"</c> error
    /// (<c>Cut</c> is then true).
    /// </summary>
    private async Task<(JsonObject Output, bool Cut)> RunAsync(JsonArray inputs, int concurrency, RcCaller caller, RcServices services,
        RcBatchStop? stop, CancellationToken cancellationToken)
    {
        var saved = stop is not null ? await SavedAsync(stop.RcJobId, cancellationToken).ConfigureAwait(false) : [];
        var results = new JsonNode?[inputs.Count];
        var cut = 0;
        using var gate = new SemaphoreSlim(concurrency);
        var token = stop?.Token ?? cancellationToken;
        await Task.WhenAll(inputs.Select(async (node, i) =>
        {
            if (saved.TryGetValue(i, out var earlier) && earlier["reply"] is JsonObject answered)
            {
                results[i] = answered.DeepClone();
                return;
            }

            try
            {
                await gate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    if (stop is not null && await stops.CheckAsync(stop, token).ConfigureAwait(false))
                    {
                        token.ThrowIfCancellationRequested(); // stopped at another Api: this input does not start
                    }

                    var reply = await CallOneAsync(node, earlier, caller, services, stop?.RcJobId, i, token).ConfigureAwait(false);
                    if (stop is not null)
                    {
                        await redis.Database.HashSetAsync(Keys.RcBatchResults(stop.RcJobId), i, new JsonObject { ["reply"] = reply.DeepClone() }.ToJsonString())
                            .WaitAsync(cancellationToken).ConfigureAwait(false); // an answer that came is kept, stop or not
                    }

                    results[i] = reply;
                }
                finally
                {
                    gate.Release();
                }
            }
            catch (OperationCanceledException) when (stop is { IsStopped: true } && !cancellationToken.IsCancellationRequested)
            {
                var (path, call) = Split(node);
                results[i] = RcBatchStops.CanceledReply(path ?? "unknown", call);
                Interlocked.Exchange(ref cut, 1);
            }
        })).ConfigureAwait(false);
        return (new JsonObject { ["results"] = new JsonArray(results) }, cut == 1);
    }

    /// <summary>An input's <c>_path</c> (null when missing) and its parameters without it.</summary>
    private static (string? Path, JsonObject Call) Split(JsonNode? node)
    {
        var call = (node as JsonObject)?.DeepClone().AsObject() ?? [];
        var path = call["_path"] is JsonValue p && p.TryGetValue<string>(out var text) ? text.Trim('/') : null;
        call.Remove("_path");
        return (path, call);
    }

    private async Task<JsonObject> CallOneAsync(JsonNode? node, JsonObject? earlier, RcCaller caller, RcServices services, long? durableId, int index,
        CancellationToken cancellationToken)
    {
        var (path, call) = Split(node);
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

    [LoggerMessage(EventId = 2604, Level = LogLevel.Information, Message = "RC batch job {RcJobId}: stop requested")]
    private static partial void LogStopRequested(ILogger logger, long rcJobId);

    [LoggerMessage(EventId = 2605, Level = LogLevel.Information,
        Message = "RC batch job {RcJobId}: stopped; no further input started, {Canceled} job(s) of inputs in flight canceled")]
    private static partial void LogStopped(ILogger logger, long rcJobId, int canceled);
}

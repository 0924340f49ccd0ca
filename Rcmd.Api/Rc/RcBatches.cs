using System.Globalization;
using System.Text.Json.Nodes;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Rc;

/// <summary>
/// <c>job/batch</c> as rclone runs it: each of <c>inputs</c> (with its <c>_path</c>) called, <c>concurrency</c> at a time
/// (default 4), the outputs or errors in <c>results</c> in the inputs' order. Each input is the call it names, checked
/// against its own role — a transfer with <c>_async=true</c> becomes its own Rcmd job, as Rclone UI and RClone Manager
/// start their work. With <c>_async=true</c> the batch itself gets an RC job id (never repeating, as the transfers'):
/// it runs in the Api, its record in Redis (<see cref="RedisKeys.RcBatch"/>) answers <c>job/status</c> with the
/// <c>results</c> as its <c>output</c> when done.
/// </summary>
internal sealed partial class RcBatches(RcJobIds ids, RedisConnection redis, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<RcBatches> logger)
{
    /// <summary>How long an async batch's record is kept: 7 days.</summary>
    private static readonly TimeSpan RecordTtl = TimeSpan.FromDays(7);

    /// <summary>Inputs of a <c>job/batch</c> run at once when it does not say (rclone's default, its --transfers): 4.</summary>
    private const int DefaultConcurrency = 4;

    public async Task<RcReply> CallAsync(RcParameters parameters, bool isAsync, RcCaller caller, RcServices services,
        CancellationToken cancellationToken)
    {
        if (!isAsync)
        {
            return RcReply.Ok(await RunAsync(parameters, caller, services, cancellationToken).ConfigureAwait(false));
        }

        Inputs(parameters); // a batch without inputs is refused now, not in its job
        var rcJobId = await ids.NextAsync(CancellationToken.None).ConfigureAwait(false);
        var group = parameters.GetStringOrNull("_group") is { Length: > 0 } g ? g : $"job/{rcJobId.ToString(CultureInfo.InvariantCulture)}";
        var record = new JsonObject { ["id"] = rcJobId, ["group"] = group, ["startTime"] = time.GetUtcNow() };
        await SaveAsync(rcJobId, record, CancellationToken.None).ConfigureAwait(false);
        var detached = caller.Detached();
        _ = Task.Run(() => RunInBackgroundAsync(rcJobId, record, parameters, detached, services), CancellationToken.None);
        return RcReply.Ok(new JsonObject { ["jobid"] = rcJobId, ["executeId"] = await ids.ExecuteIdAsync(cancellationToken).ConfigureAwait(false) }, rcJobId);
    }

    /// <summary>An async batch's record: <c>id, group, startTime</c>, and <c>endTime</c> with <c>output</c> or <c>error</c> once done.</summary>
    public async Task<JsonObject?> FindAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var value = await redis.Database.StringGetAsync(redis.Keys.RcBatch(rcJobId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNullOrEmpty ? null : JsonNode.Parse((string)value!) as JsonObject;
    }

    private async Task RunInBackgroundAsync(long rcJobId, JsonObject record, RcParameters parameters, RcCaller caller, RcServices services)
    {
        try
        {
            record["output"] = await RunAsync(parameters, caller, services, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            record["error"] = ex is OperationCanceledException ? "the Api stopped while the batch ran" : Failures.SecretRedactor.Redact(ex.Message);
        }

        record["endTime"] = time.GetUtcNow();
        try
        {
            await SaveAsync(rcJobId, record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogBatchNotSaved(logger, rcJobId, ex);
        }
    }

    private Task SaveAsync(long rcJobId, JsonObject record, CancellationToken cancellationToken) =>
        redis.Database.StringSetAsync(redis.Keys.RcBatch(rcJobId), record.ToJsonString(), RecordTtl).WaitAsync(cancellationToken);

    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning, Message = "RC batch job {RcJobId}: its result could not be saved")]
    private static partial void LogBatchNotSaved(ILogger logger, long rcJobId, Exception exception);

    private static async Task<JsonObject> RunAsync(RcParameters parameters, RcCaller caller, RcServices services, CancellationToken cancellationToken)
    {
        var inputs = Inputs(parameters);
        var concurrency = parameters.Has("concurrency") ? (int)Math.Clamp(parameters.GetInt64("concurrency"), 1, 64) : DefaultConcurrency;
        var results = new JsonNode?[inputs.Count];
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(inputs.Select(async (node, i) =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var call = (node as JsonObject)?.DeepClone().AsObject() ?? [];
                var path = call["_path"] is JsonValue p && p.TryGetValue<string>(out var text) ? text.Trim('/') : null;
                call.Remove("_path");
                results[i] = path is null or "job/batch"
                    ? RcReply.Error("job/batch", call, path is null ? "Didn't find key \"_path\" in input" : "job/batch cannot be nested",
                        StatusCodes.Status400BadRequest).Body
                    : (await RcApi.ExecuteAsync(path, new RcParameters(call), false, caller, services, cancellationToken).ConfigureAwait(false)).Body;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return new JsonObject { ["results"] = new JsonArray(results) };
    }

    /// <summary>The <c>inputs</c> list, checked before anything runs (an async batch is refused at once when it has none).</summary>
    private static JsonArray Inputs(RcParameters parameters) => parameters.Input["inputs"] switch
    {
        JsonArray array => array,
        JsonValue value when value.TryGetValue<string>(out var text) && JsonNode.Parse(text) is JsonArray parsed => parsed,
        null => throw new RcParameterException("Didn't find key \"inputs\" in input"),
        _ => throw new RcParameterException("expecting list value for key \"inputs\""),
    };
}

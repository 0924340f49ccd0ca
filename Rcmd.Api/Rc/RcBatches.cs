using System.Text.Json.Nodes;

namespace Rcmd.Api.Rc;

/// <summary>
/// <c>job/batch</c> as rclone runs it: each of <c>inputs</c> (with its <c>_path</c>) called, <c>concurrency</c> at a time
/// (default 4), the outputs or errors in <c>results</c> in the inputs' order. Each input is the call it names, checked
/// against its own role — a transfer with <c>_async=true</c> becomes its own Rcmd job, as Rclone UI and RClone Manager
/// start their work.
/// </summary>
internal sealed class RcBatches
{
    /// <summary>Inputs of a <c>job/batch</c> run at once when it does not say (rclone's default, its --transfers): 4.</summary>
    private const int DefaultConcurrency = 4;

    public async Task<RcReply> CallAsync(RcParameters parameters, bool isAsync, RcCaller caller, RcServices services,
        CancellationToken cancellationToken)
    {
        if (isAsync)
        {
            throw new RcParameterException("Rcmd runs job/batch synchronously: give _async=true to each input instead (each transfer becomes its own job)");
        }

        return RcReply.Ok(await RunAsync(parameters, caller, services, cancellationToken).ConfigureAwait(false));
    }

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

using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Api.Security;
using Rcmd.Failures;
using Rcmd.Rclone;

namespace Rcmd.Api.Rc;

/// <summary>
/// rclone's own remote-control API served by Rcmd under <c>/rc/</c> (issue 14): <c>rclone rc --url http://api/rc/ …</c>
/// and other rcd clients work unchanged, and their transfers become Rcmd jobs. Every call is <c>POST /rc/{method}</c>;
/// the wire follows rclone's <c>fs/rc/rcserver</c> (parameters, reply and error shapes, statuses, <c>_async</c>,
/// <c>x-rclone-jobid</c>), see <see cref="RcParameters"/> and <see cref="RcReply"/>.
/// </summary>
internal static class RcApi
{
    public const string Prefix = "/rc";

    /// <summary>Calls passed to rcd that only read: any signed-in role.</summary>
    public static IReadOnlySet<string> ReadCalls { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "core/version", "core/pid", "config/listremotes", "config/get", "config/dump", "config/providers", "config/paths",
        "options/get", "options/info", "rc/list", "operations/list", "operations/stat", "operations/about", "operations/size",
        "operations/fsinfo", "operations/hashsum", "core/stats", "core/transferred", "core/group-list", "core/bwlimit",
    };

    /// <summary>Calls Rcmd never passes on: its rcd serves every Worker, so no client may stop it.</summary>
    public static IReadOnlySet<string> RefusedCalls { get; } = new HashSet<string>(StringComparer.Ordinal) { "core/quit" };

    private static readonly string[] SecretWords = ["pass", "secret", "token", "key", "auth", "cred", "session", "sas_url", "service_account"];

    public static IEndpointRouteBuilder MapRcApi(this IEndpointRouteBuilder app)
    {
        var rc = app.MapGroup(Prefix).WithTags("RC (rclone-compatible)").ExcludeFromDescription();
        rc.MapPost("/{**path}", CallAsync).RequireAuthorization(Roles.ViewerPolicy);
        rc.MapMethods("/{**path}", [HttpMethods.Options], (HttpContext context) =>
        {
            Cors(context);
            return Results.Ok();
        }).AllowAnonymous();
        rc.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch],
            (string? path, HttpContext context) =>
            {
                Cors(context);
                return RcReply.Error(path ?? "", [], $"method \"{context.Request.Method}\" not allowed", StatusCodes.Status405MethodNotAllowed);
            }).RequireAuthorization(Roles.ViewerPolicy);
        return app;
    }

    private static async Task<IResult> CallAsync(string? path, HttpContext context, [AsParameters] RcServices services,
        CancellationToken cancellationToken)
    {
        Cors(context);
        path = (path ?? "").Trim('/');
        var (parameters, bodyError) = await RcParameters.ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return RcReply.Error(path, parameters!.Input, bodyError, StatusCodes.Status400BadRequest);
        }

        var preferAsync = context.Request.Headers["Prefer"].Any(p => p?.Contains("respond-async", StringComparison.OrdinalIgnoreCase) == true);
        if (preferAsync)
        {
            context.Response.Headers["Preference-Applied"] = "respond-async";
        }

        var reply = await ExecuteAsync(path, parameters!, preferAsync, context.User, services, cancellationToken).ConfigureAwait(false);
        return preferAsync && RcJobs.Transfers.ContainsKey(path) ? new Accepted(reply) : reply;
    }

    /// <summary>One call (or one input of <c>job/batch</c>), its failures answered in rclone's shape.</summary>
    private static async Task<RcReply> ExecuteAsync(string path, RcParameters parameters, bool preferAsync, ClaimsPrincipal user,
        RcServices services, CancellationToken cancellationToken)
    {
        var input = parameters.Input.DeepClone().AsObject();
        try
        {
            var isAsync = parameters.GetBool("_async") || preferAsync;
            parameters.Input.Remove("_async");
            return await DispatchAsync(path, parameters, isAsync, user, services, cancellationToken).ConfigureAwait(false);
        }
        catch (RcParameterException ex)
        {
            return RcReply.Error(path, input, ex.Message, StatusCodes.Status400BadRequest, new NormalizedError(ErrorCodes.ValidationError, false));
        }
        catch (RcloneException ex)
        {
            // rcd's own answer, passed on with its status and words; the classifier's view beside it.
            var classification = FailureClassifier.Default.Classify(ex.Error, ex.Status);
            return RcReply.Error(path, input, ex.Error, ex.Status,
                new NormalizedError(classification.Code, classification.Retryable, classification.Suggestion));
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.ExecutionRejectedException)
        {
            // rcd did not answer (down, or its circuit is open): rclone's shape, Rcmd's words and code.
            var classification = FailureClassifier.Default.Classify(ex);
            return RcReply.Error(path, input, "rclone rcd is not reachable from Rcmd right now: " + classification.Code,
                StatusCodes.Status503ServiceUnavailable, new NormalizedError(classification.Code, classification.Retryable, classification.Suggestion));
        }
    }

    /// <summary>
    /// <c>job/batch</c> as rclone runs it: each of <c>inputs</c> (with its <c>_path</c>) called, <c>concurrency</c> at a time
    /// (default 4), the outputs or errors in <c>results</c> in the inputs' order. Each input is the call it names — a transfer
    /// with <c>_async=true</c> becomes its own Rcmd job, as Rclone UI and RClone Manager start their work.
    /// </summary>
    private static async Task<RcReply> BatchAsync(RcParameters parameters, ClaimsPrincipal user, RcServices services, CancellationToken cancellationToken)
    {
        var inputs = parameters.Input["inputs"] switch
        {
            JsonArray array => array,
            JsonValue value when value.TryGetValue<string>(out var text) && JsonNode.Parse(text) is JsonArray parsed => parsed,
            null => throw new RcParameterException("Didn't find key \"inputs\" in input"),
            _ => throw new RcParameterException("expecting list value for key \"inputs\""),
        };
        var concurrency = parameters.Has("concurrency") ? (int)Math.Clamp(parameters.GetInt64("concurrency"), 1, 64) : DefaultBatchConcurrency;
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
                    : (await ExecuteAsync(path, new RcParameters(call), false, user, services, cancellationToken).ConfigureAwait(false)).Body;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return RcReply.Ok(new JsonObject { ["results"] = new JsonArray(results) });
    }

    /// <summary>Inputs of a <c>job/batch</c> run at once when it does not say (rclone's default, its --transfers): 4.</summary>
    private const int DefaultBatchConcurrency = 4;

    private static async Task<RcReply> DispatchAsync(string path, RcParameters parameters, bool isAsync, ClaimsPrincipal user,
        RcServices services, CancellationToken cancellationToken)
    {
        var (jobs, stats, rclone) = (services.Jobs, services.Stats, services.Rclone);
        if (path == "job/batch")
        {
            return isAsync
                ? throw new RcParameterException("Rcmd runs job/batch synchronously: give _async=true to each input instead (each transfer becomes its own job)")
                : await BatchAsync(parameters, user, services, cancellationToken).ConfigureAwait(false);
        }

        if (path is "rc/noop" or "rc/noopauth")
        {
            return RcReply.Ok(parameters.Input.DeepClone().AsObject()); // rcd echoes its input; answered here even while rcd is down
        }

        if (RcJobs.Transfers.ContainsKey(path))
        {
            return Refused(path, parameters, user, RcAccess.Operator) ?? await jobs.SubmitAsync(path, parameters, isAsync, user, cancellationToken).ConfigureAwait(false);
        }

        if (RcJobs.JobCalls.Contains(path))
        {
            var level = path is "job/stop" or "job/stopgroup" ? RcAccess.Operator : RcAccess.Viewer;
            return Refused(path, parameters, user, level) ?? await jobs.JobCallAsync(path, parameters, cancellationToken).ConfigureAwait(false);
        }

        if (RcStats.Calls.Contains(path))
        {
            return Refused(path, parameters, user, RcAccess.Viewer) ?? RcReply.Ok(await stats.CallAsync(path, parameters, cancellationToken).ConfigureAwait(false));
        }

        if (RefusedCalls.Contains(path))
        {
            return RcReply.Error(path, parameters.Input, $"{path} is not available through Rcmd: its rclone rcd serves every Worker",
                StatusCodes.Status403Forbidden, new NormalizedError(ErrorCodes.AccessDenied, false));
        }

        var read = ReadCalls.Contains(path);
        if (Refused(path, parameters, user, read ? RcAccess.Viewer : RcAccess.Admin) is { } refused)
        {
            return refused;
        }

        if (isAsync)
        {
            parameters.Input["_async"] = true;
        }

        var output = await rclone.CallAsync(path, parameters.Input, cancellationToken).ConfigureAwait(false);
        var reply = output.ValueKind == JsonValueKind.Object ? JsonNode.Parse(output.GetRawText())!.AsObject() : [];
        return RcReply.Ok(path is "config/dump" or "config/get" ? Redact(reply) : reply);
    }

    private static RcReply? Refused(string path, RcParameters parameters, ClaimsPrincipal user, RcAccess level) =>
        RcAccess.Allows(user, level)
            ? null
            : RcReply.Error(path, parameters.Input, $"{path} needs the {level.Role} role", StatusCodes.Status403Forbidden,
                new NormalizedError(ErrorCodes.AccessDenied, false));

    /// <summary>Remote settings with their secrets replaced: config/dump and config/get never hand credentials out.</summary>
    internal static JsonObject Redact(JsonObject config)
    {
        foreach (var (key, value) in config.ToList())
        {
            if (value is JsonObject inner)
            {
                Redact(inner);
            }
            else if (value is JsonValue && SecretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                config[key] = "***";
            }
        }

        return config;
    }

    /// <summary>CORS as rcd answers it, for the origins in <c>Rcmd:Rc:AllowedOrigins</c>, with <c>Prefer</c> allowed.</summary>
    private static void Cors(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var allowed = context.RequestServices.GetRequiredService<IOptions<RcOptions>>().Value.AllowedOrigins;
        if (origin.Length > 0 && (allowed.Contains("*") || allowed.Contains(origin, StringComparer.OrdinalIgnoreCase)))
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = allowed.Contains("*") ? "*" : origin;
            headers.AccessControlAllowHeaders = "authorization, Content-Type, Prefer";
            headers.AccessControlAllowMethods = "POST, OPTIONS, GET, HEAD";
            headers.Vary = "Origin";
        }
    }

    /// <summary>A reply sent 202, for <c>Prefer: respond-async</c>.</summary>
    private sealed class Accepted(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.OnStarting(() =>
            {
                if (httpContext.Response.StatusCode == StatusCodes.Status200OK)
                {
                    httpContext.Response.StatusCode = StatusCodes.Status202Accepted;
                }

                return Task.CompletedTask;
            });
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>What an RC call needs, bound with <c>[AsParameters]</c>.</summary>
internal sealed class RcServices(RcJobs jobs, RcStats stats, RcloneClient rclone)
{
    public RcJobs Jobs { get; } = jobs;
    public RcStats Stats { get; } = stats;
    public RcloneClient Rclone { get; } = rclone;
}

/// <summary><c>Rcmd:Rc</c>: the browser origins allowed to call <c>/rc/</c> (rclone's web GUI, Rclone UI). Default none.</summary>
public sealed class RcOptions
{
    public const string Section = "Rcmd:Rc";

    public List<string> AllowedOrigins { get; set; } = [];
}

/// <summary>The role an RC call needs: viewer reads, operator runs and stops transfers, admin passes anything else to rcd.</summary>
internal sealed record RcAccess(string Role, int Rank)
{
    public static readonly RcAccess Viewer = new("viewer", 0);
    public static readonly RcAccess Operator = new("operator", 1);
    public static readonly RcAccess Admin = new("admin", 2);

    /// <summary>Local mode (nobody signs in) allows everything; a signed-in caller needs the role or a higher one.</summary>
    public static bool Allows(ClaimsPrincipal user, RcAccess level)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirst(Roles.ClaimType) is not { } claim)
        {
            return true; // nobody signed in: the endpoint's policy admitted the call, so this is local mode
        }

        return Roles.TryParse(claim.Value, out var role) && (int)role - 1 >= level.Rank;
    }
}

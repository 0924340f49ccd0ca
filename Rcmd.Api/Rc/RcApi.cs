using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Rcmd.Api.Errors;
using Rcmd.Api.Security;
using Rcmd.Api.Services;
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

    private static readonly string[] SecretWords = ["pass", "secret", "token", "key", "auth", "cred", "session", "sas_url", "service_account"];

    public static IEndpointRouteBuilder MapRcApi(this IEndpointRouteBuilder app)
    {
        // Admitted here, checked in the handler against RcMethods (one table: the call's role), so refusals and the
        // 401 come in rclone's shape.
        var rc = app.MapGroup(Prefix).WithTags("RC (rclone-compatible)").ExcludeFromDescription().AllowAnonymous();
        // No request timeout (the Api's 10 s default): a synchronous transfer answers at its job's end, however long.
        rc.MapPost("/{**path}", CallAsync).DisableRequestTimeout();
        rc.MapMethods("/{**path}", [HttpMethods.Options], (HttpContext context) =>
        {
            Cors(context);
            return Results.Ok();
        });
        rc.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch],
            async (string? path, HttpContext context, IAuthorizationService authorization) =>
            {
                Cors(context);
                path = (path ?? "").Trim('/');
                var caller = new RcCaller(context, authorization);
                return await caller.RefuseAsync(path, [], Role.Viewer).ConfigureAwait(false)
                    ?? RcReply.Error(path, [], $"method \"{context.Request.Method}\" not allowed", StatusCodes.Status405MethodNotAllowed);
            });
        return app;
    }

    private static async Task<IResult> CallAsync(string? path, HttpContext context, IAuthorizationService authorization,
        [AsParameters] RcServices services, CancellationToken cancellationToken)
    {
        Cors(context);
        path = (path ?? "").Trim('/');
        var caller = new RcCaller(context, authorization);
        if (await caller.RefuseAsync(path, [], Role.Viewer).ConfigureAwait(false) is { } refused)
        {
            return refused; // not signed in (401) before anything is read
        }

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

        var reply = await ExecuteAsync(path, parameters!, preferAsync, caller, services, cancellationToken).ConfigureAwait(false);
        return preferAsync && RcMethods.Of(path).Kind is RcKind.Transfer or RcKind.Batch ? new Accepted(reply) : reply;
    }

    /// <summary>
    /// One call (or one input of <c>job/batch</c>, which passes <paramref name="queuing"/> to learn a transfer's job before
    /// it is queued), its failures answered in rclone's shape.
    /// </summary>
    internal static async Task<RcReply> ExecuteAsync(string path, RcParameters parameters, bool preferAsync, RcCaller caller,
        RcServices services, CancellationToken cancellationToken, RcQueuing? queuing = null)
    {
        var input = parameters.Input.DeepClone().AsObject();
        try
        {
            var isAsync = parameters.GetBool("_async") || preferAsync;
            parameters.Input.Remove("_async");
            var (kind, role) = RcMethods.Of(path);
            return await caller.RefuseAsync(path, input, role).ConfigureAwait(false)
                ?? await DispatchAsync(path, kind, parameters, isAsync, caller, services, queuing, cancellationToken).ConfigureAwait(false);
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
            // Retry-After: the Api's own rcd circuit (Polly's BrokenCircuitException says when it half-opens), else 5 s.
            return RcReply.Error(path, input, "rclone rcd is not reachable from Rcmd right now: " + classification.Code,
                    StatusCodes.Status503ServiceUnavailable, new NormalizedError(classification.Code, classification.Retryable, classification.Suggestion))
                .WithRetryAfter(classification.RetryAfter is { } after ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : ApiErrors.DefaultRetryAfterSeconds);
        }
    }

    private static async Task<RcReply> DispatchAsync(string path, RcKind kind, RcParameters parameters, bool isAsync, RcCaller caller,
        RcServices services, RcQueuing? queuing, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case RcKind.Batch:
                return await services.Batches.CallAsync(parameters, isAsync, caller, services, cancellationToken).ConfigureAwait(false);
            case RcKind.Local:
                return RcReply.Ok(parameters.Input.DeepClone().AsObject()); // rcd echoes its input; answered here even while rcd is down
            case RcKind.Transfer:
                return await services.Jobs.SubmitAsync(path, parameters, isAsync, caller.User, cancellationToken, queuing).ConfigureAwait(false);
            case RcKind.JobCall:
                return await services.Jobs.JobCallAsync(path, parameters, cancellationToken).ConfigureAwait(false);
            case RcKind.Stats:
                return RcReply.Ok(await services.Stats.CallAsync(path, parameters, cancellationToken).ConfigureAwait(false));
            case RcKind.Refused:
                return RcReply.Error(path, parameters.Input, $"{path} is not available through Rcmd: its rclone rcd serves every Worker",
                    StatusCodes.Status403Forbidden, new NormalizedError(ErrorCodes.AccessDenied, false));
        }

        if (!isAsync && CachedReads.Contains(path))
        {
            return Read(path, parameters, await services.Reads.ReadCallAsync(path, parameters.Input, cancellationToken).ConfigureAwait(false));
        }

        if (isAsync)
        {
            parameters.Input["_async"] = true;
        }

        var output = await services.Rclone.CallAsync(path, parameters.Input, cancellationToken).ConfigureAwait(false);
        var reply = output.ValueKind == JsonValueKind.Object ? JsonNode.Parse(output.GetRawText())!.AsObject() : [];
        var redact = path is "config/dump" or "config/get" || (path == "options/get" && !await caller.IsAsync(Role.Admin).ConfigureAwait(false));
        return RcReply.Ok(redact ? Redact(reply) : reply);
    }

    /// <summary>Reads that go through the remote's breaker with a cached fallback (<see cref="RemoteReads.ReadCallAsync"/>).</summary>
    private static readonly string[] CachedReads = ["operations/list", "operations/about", "operations/size"];

    /// <summary>
    /// A breaker-guarded read in rclone's shape: rcd's output — the cached one while the breaker is open, with
    /// <c>"stale": true</c> and <c>cachedAt</c> added — or the breaker's refusal (503, its message, Retry-After's seconds).
    /// </summary>
    private static RcReply Read(string path, RcParameters parameters, RemoteReadOutcome outcome)
    {
        if (outcome.Response is { } response)
        {
            var output = JsonNode.Parse(response.Result.GetRawText()) as JsonObject ?? [];
            if (response.Stale)
            {
                output["stale"] = true;
                output["cachedAt"] = response.ReadAt;
            }

            return RcReply.Ok(output);
        }

        var error = outcome.Error!.Error;
        return RcReply.Error(path, parameters.Input, error.Message, outcome.Status, error.NormalizedError)
            .WithRetryAfter(outcome.RetryAfterSeconds);
    }

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
internal sealed class RcServices(RcJobs jobs, RcStats stats, RcBatches batches, RemoteReads reads, RcloneClient rclone)
{
    public RcJobs Jobs { get; } = jobs;
    public RcStats Stats { get; } = stats;
    public RcBatches Batches { get; } = batches;
    public RemoteReads Reads { get; } = reads;
    public RcloneClient Rclone { get; } = rclone;
}

/// <summary>
/// Who calls, and the one role check of <c>/rc/</c>: the role <see cref="RcMethods"/> names, decided by the Api's own
/// role policies (so local mode admits everyone as everywhere else). Refusals in rclone's shape: 401 with rcd's
/// <c>WWW-Authenticate</c> challenge for a caller who is not signed in, 403 for a role too low.
/// </summary>
internal sealed class RcCaller(ClaimsPrincipal user, IAuthorizationService authorization, HttpContext? context)
{
    public RcCaller(HttpContext context, IAuthorizationService authorization)
        : this(context.User, authorization, context)
    {
    }

    public ClaimsPrincipal User => user;

    /// <summary>The same caller for work that outlives the request (an async <c>job/batch</c>).</summary>
    public RcCaller Detached() => new(user, authorization, null);

    /// <summary>Who the caller is, for an async batch's record: name, role and how they signed in — no key or session id.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = user.Identity?.Name,
        ["role"] = user.FindFirst(Roles.ClaimType)?.Value,
        ["via"] = user.FindFirst(Roles.MethodClaimType)?.Value,
        ["authenticated"] = user.Identity?.IsAuthenticated == true,
    };

    /// <summary>The caller <see cref="ToJson"/> wrote, for a batch resumed by another Api: the same name and role.</summary>
    public static RcCaller FromJson(JsonObject caller, IAuthorizationService authorization)
    {
        if (caller["authenticated"]?.GetValue<bool>() != true)
        {
            return new(new ClaimsPrincipal(new ClaimsIdentity()), authorization, null);
        }

        List<Claim> claims = [];
        foreach (var (type, field) in new[] { (ClaimTypes.Name, "name"), (Roles.ClaimType, "role"), (Roles.MethodClaimType, "via") })
        {
            if (caller[field]?.GetValue<string>() is { } value)
            {
                claims.Add(new Claim(type, value));
            }
        }

        return new(new ClaimsPrincipal(new ClaimsIdentity(claims, SecurityConstants.Scheme, ClaimTypes.Name, Roles.ClaimType)), authorization, null);
    }

    public async Task<bool> IsAsync(Role role) =>
        (await authorization.AuthorizeAsync(user, context, Roles.Policy(role)).ConfigureAwait(false)).Succeeded;

    public async Task<RcReply?> RefuseAsync(string path, JsonObject input, Role role)
    {
        if (await IsAsync(role).ConfigureAwait(false))
        {
            return null;
        }

        if (user.Identity?.IsAuthenticated != true)
        {
            context?.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            var reason = (context?.Items[SignInFailure.ItemKey] as SignInFailure)?.Message
                ?? "authentication required: send an Rcmd user name and password, or an API key as the password (HTTP Basic)";
            return RcReply.Error(path, input, reason, StatusCodes.Status401Unauthorized, new NormalizedError(ErrorCodes.InvalidCredentials, false));
        }

        return RcReply.Error(path, input, $"{path} needs the {Roles.ToWire(role)} role", StatusCodes.Status403Forbidden,
            new NormalizedError(ErrorCodes.AccessDenied, false));
    }

    /// <summary>The realm of the 401's challenge, rcd's default (<c>--rc-realm</c>).</summary>
    private const string Realm = "rclone";
}

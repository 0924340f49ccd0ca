using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Rcmd.Api.Services;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Paths;
using Rcmd.Rclone;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/remotes</c>: where jobs can read and write — the remotes in rclone's config (name and type only; their
/// parameters hold credentials and never leave rcd), the backends usable inline as <c>:backend:path</c>, and each
/// remote's circuit breaker (issue 3 §4): its state, operator reset/isolate, and reads (<c>list</c>, <c>about</c>,
/// <c>size</c>) that fall back to a cached result or a fallback remote while it is open.
/// rcd unreachable answers 503 <c>endpoint_unreachable</c> (see <see cref="Errors.ApiExceptionHandler"/>).
/// </summary>
public static class RemotesApi
{
    private const int MaxPathLength = 4096;

    public static RouteGroupBuilder MapRemotesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/remotes")
            .WithTags("Remotes")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapGet(string.Empty, ListRemotes)
            .WithName("ListRemotes")
            .WithSummary("Configured rclone remotes and the backends usable inline, each remote with its circuit breaker")
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/{name}/breaker/reset", ResetBreaker)
            .RequireAuthorization(Roles.AdminPolicy)
            .WithName("ResetRemoteBreaker")
            .WithSummary("Close the remote's circuit breaker and clear its counters");
        api.MapPost("/{name}/breaker/isolate", IsolateBreaker)
            .RequireAuthorization(Roles.AdminPolicy)
            .WithName("IsolateRemoteBreaker")
            .WithSummary("Hold the remote's circuit breaker open until it is reset: jobs on it wait");

        // A read may take the remote's whole operation timeout (30 s by default): more than the Api's default request timeout.
        var breakers = app.ServiceProvider.GetRequiredService<IOptions<BreakerOptions>>().Value;
        var readTimeout = new RequestTimeoutPolicy
        {
            Timeout = breakers.MaxOperationTimeout + TimeSpan.FromSeconds(5),
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        };
        foreach (var operation in RemoteReads.Operations)
        {
            api.MapGet($"/{{name}}/{operation}", (string name, string? path, int? offset, int? limit, string? sort, string? filter, bool? refresh,
                    HttpContext context, RcloneClient rclone, RemoteReads reads, ListingCache listings, PathPolicy paths,
                    CancellationToken cancellationToken) =>
                    Read(name, operation, path, new PageQuery(offset, limit, sort, filter, refresh ?? false), context, rclone, reads, listings,
                        paths, cancellationToken))
                .WithName($"ReadRemote{char.ToUpperInvariant(operation[0])}{operation[1..]}")
                .WithSummary($"rclone operations/{operation} on a configured remote, through its circuit breaker (stale cache or fallback while open)")
                .Produces<RemoteReadResponse>()
                .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable)
                .WithRequestTimeout(readTimeout)
                .RequireAuthorization(Roles.OperatorPolicy);
        }

        return api;
    }

    public static async Task<Ok<RemotesResponse>> ListRemotes(RcloneClient rclone, BreakerStore breakers, CancellationToken cancellationToken)
    {
        var remotes = rclone.ListRemotesAsync(cancellationToken);
        var backends = rclone.ListBackendPrefixesAsync(cancellationToken);
        var stored = breakers.ListAsync(cancellationToken);
        await Task.WhenAll(remotes, backends, stored);

        var now = breakers.Time.GetUtcNow();
        var byName = stored.Result.ToDictionary(b => b.Remote, StringComparer.Ordinal);
        var configured = remotes.Result.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return TypedResults.Ok(new RemotesResponse(
            [.. remotes.Result.Select(r => new RemoteInfo(r.Name, r.Type, View(breakers, byName.GetValueOrDefault(r.Name) ?? BreakerSnapshot.New(r.Name), now)))],
            [.. backends.Result.Select(b => $":{b}:")],
            [.. stored.Result.Where(b => !configured.Contains(b.Remote))
                .Select(b => new RemoteInfo(b.Remote, b.Remote.TrimStart(':'), View(breakers, b, now)) { Inline = b.Remote.StartsWith(':') ? true : null })]));
    }

    public static Task<Results<Ok<RemoteInfo>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ResetBreaker(
        string name, RcloneClient rclone, BreakerStore breakers, CancellationToken cancellationToken) =>
        ChangeBreakerAsync(name, rclone, breakers, breakers.ResetAsync, cancellationToken);

    public static Task<Results<Ok<RemoteInfo>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> IsolateBreaker(
        string name, RcloneClient rclone, BreakerStore breakers, CancellationToken cancellationToken) =>
        ChangeBreakerAsync(name, rclone, breakers, breakers.IsolateAsync, cancellationToken);

    private static async Task<Results<Ok<RemoteInfo>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> ChangeBreakerAsync(
        string name, RcloneClient rclone, BreakerStore breakers, Func<string, CancellationToken, Task<BreakerStep>> change,
        CancellationToken cancellationToken)
    {
        var (known, type) = await FindRemoteAsync(name, rclone, breakers, cancellationToken);
        if (!known)
        {
            return TypedResults.NotFound(UnknownRemote(name));
        }

        if (!breakers.SettingsFor(name).Enabled)
        {
            return TypedResults.Conflict(ErrorResponse.Create(ErrorCodes.Conflict,
                $"Remote {name} has no circuit breaker (breakers are off for it: see Breakers:Enabled and Breakers:Remotes:{name}:Enabled)."));
        }

        var step = await change(name, cancellationToken);
        return TypedResults.Ok(new RemoteInfo(name, type, View(breakers, step.Next, breakers.Time.GetUtcNow()))
        {
            Inline = name.StartsWith(':') ? true : null,
        });
    }

    /// <summary>
    /// Paging of a <c>list</c> read (see <see cref="ListingPage"/>); all null = the whole listing, as rclone gives it.
    /// <see cref="Refresh"/>: read the folder again instead of paging the listing the Api read in the last few seconds.
    /// </summary>
    private sealed record PageQuery(int? Offset, int? Limit, string? Sort, string? Filter, bool Refresh);

    private static async Task<IResult> Read(string name, string operation, string? path, PageQuery page, HttpContext context,
        RcloneClient rclone, RemoteReads reads, ListingCache listings, PathPolicy paths, CancellationToken cancellationToken)
    {
        path ??= string.Empty;
        if (CheckPath(path) is { } problem)
        {
            return TypedResults.BadRequest(Errors.ApiErrors.Validation("path", problem));
        }

        // Browsing obeys the rules jobs do: not Rcmd's data directory, only what the caller's role may use.
        var browsed = name == RemoteReads.LocalRemote ? "/" + path.TrimStart('/') : $"{name}:{path}";
        if (PathChecks.Refuse(paths, context.User, "The read", ("path", "Path", browsed)) is { } refused)
        {
            return refused;
        }

        var paged = operation == "list" && ListingPage.Requested(page.Offset, page.Limit, page.Sort, page.Filter);
        if (paged && ListingPage.Check(page.Offset, page.Limit, page.Sort, page.Filter) is { } pageProblem)
        {
            return TypedResults.BadRequest(Errors.ApiErrors.Validation("page", pageProblem));
        }

        // The local filesystem of rcd's host (":local", paths from "/") needs no remote in rclone's config.
        if (name != RemoteReads.LocalRemote)
        {
            var remotes = await rclone.ListRemotesAsync(cancellationToken);
            if (!remotes.Any(r => r.Name == name))
            {
                return TypedResults.NotFound(UnknownRemote(name, configuredOnly: true));
            }
        }

        // Pages of a folder come from one listing (ListingCache: 30 s): rcd lists a 5,000-entry folder once, not per page.
        if (paged && !page.Refresh && listings.Get(name, path) is { } listing)
        {
            return TypedResults.Ok(listing.Response with { Result = ListingPage.Cut(listing.Entries, page.Offset, page.Limit, page.Sort, page.Filter) });
        }

        var outcome = await reads.ReadAsync(name, operation, path, cancellationToken);
        if (outcome.Response is { } response)
        {
            if (!paged)
            {
                return TypedResults.Ok(response);
            }

            var entries = ListingPage.Entries(response.Result);
            if (!response.Stale && response.Source == RemoteReadResponse.FromRemote)
            {
                listings.Set(name, path, response, entries);
            }
            else if (page.Refresh)
            {
                listings.Invalidate(name, path);
            }

            return TypedResults.Ok(response with { Result = ListingPage.Cut(entries, page.Offset, page.Limit, page.Sort, page.Filter) });
        }

        if (outcome.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Json(outcome.Error!, Serialization.RcmdJsonContext.Default.ErrorResponse, statusCode: outcome.Status);
    }

    /// <summary>A remote is known when rclone's config has it, it has a breaker already, or it names a backend inline (<c>:s3</c>).</summary>
    private static async Task<(bool Known, string Type)> FindRemoteAsync(string name, RcloneClient rclone, BreakerStore breakers,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            return (false, string.Empty);
        }

        if (name.StartsWith(':'))
        {
            var backends = await rclone.ListBackendPrefixesAsync(cancellationToken);
            return (backends.Contains(name[1..], StringComparer.Ordinal) || (await breakers.GetAsync(name, cancellationToken)).Version > 0, name[1..]);
        }

        var remote = (await rclone.ListRemotesAsync(cancellationToken)).FirstOrDefault(r => r.Name == name);
        if (remote is not null)
        {
            return (true, remote.Type);
        }

        return ((await breakers.GetAsync(name, cancellationToken)).Version > 0 || name == "local", name == "local" ? "local" : string.Empty);
    }

    private static string? CheckPath(string path)
    {
        if (path.Length > MaxPathLength)
        {
            return $"Path is longer than {MaxPathLength} characters.";
        }

        if (path.Any(char.IsControl))
        {
            return "Path contains control characters.";
        }

        return path.Split('/').Any(segment => segment == "..") ? "Path may not contain '..' segments." : null;
    }

    private static ErrorResponse UnknownRemote(string name, bool configuredOnly = false) => ErrorResponse.Create(ErrorCodes.NotFound,
        configuredOnly
            ? $"No remote named '{Shorten(name)}' in rclone's config (reads work on configured remotes only)."
            : $"No remote named '{Shorten(name)}': not in rclone's config, not an inline backend, and no breaker recorded for it.",
        suggestion: "GET /api/remotes lists the remotes.");

    private static BreakerView? View(BreakerStore breakers, BreakerSnapshot snapshot, DateTimeOffset now)
    {
        var settings = breakers.SettingsFor(snapshot.Remote);
        if (!settings.Enabled)
        {
            return null;
        }

        var effective = BreakerStateMachine.Observe(snapshot, settings, now);
        return new BreakerView(
            effective.State,
            effective.ConsecutiveFailures,
            effective.LastErrorCode,
            effective.LastErrorMessage,
            effective.OpenedAt,
            effective is { State: BreakerState.Open, RetryAt: { } retryAt } ? Math.Max(0, (int)Math.Ceiling((retryAt - now).TotalSeconds)) : null);
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}

/// <summary>What <c>GET /api/remotes</c> answers.</summary>
/// <param name="Remotes">The remotes of rclone's config, each with its breaker.</param>
/// <param name="InlineBackends">The backends usable inline, as <c>:name:</c>.</param>
/// <param name="OtherRemotes">
/// Remotes that have a breaker but are not in rclone's config: inline backends jobs used (<c>:webdav</c>,
/// <see cref="RemoteInfo.Inline"/> true) and remotes since removed from the config.
/// </param>
public sealed record RemotesResponse(IReadOnlyList<RemoteInfo> Remotes, IReadOnlyList<string> InlineBackends, IReadOnlyList<RemoteInfo> OtherRemotes);

/// <summary>
/// A remote: its name (use as <c>name:path</c>), its backend type, and its circuit breaker (absent when breakers are off
/// for it). Never its parameters.
/// </summary>
public sealed record RemoteInfo(string Name, string Type, BreakerView? Breaker = null)
{
    /// <summary>True for an inline backend (<c>:s3</c>); absent for configured remotes.</summary>
    public bool? Inline { get; init; }
}

/// <summary>A remote's circuit breaker as it is in effect now.</summary>
/// <param name="State">closed, open, half_open or isolated.</param>
/// <param name="ConsecutiveFailures">Breaker-relevant failures since the last success.</param>
/// <param name="LastErrorCode">The code of the last breaker-relevant failure.</param>
/// <param name="LastErrorMessage">Its message, redacted.</param>
/// <param name="OpenedAt">When it last opened (or was isolated).</param>
/// <param name="RetryInSeconds">While open: seconds until it lets a probe through.</param>
public sealed record BreakerView(
    BreakerState State,
    int ConsecutiveFailures,
    string? LastErrorCode,
    string? LastErrorMessage,
    DateTimeOffset? OpenedAt,
    int? RetryInSeconds);

using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Security;
using Rcmd.Failures;
using Rcmd.Rclone;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/remotes</c>: where jobs can read and write — the remotes in rclone's config (name and type only; their
/// parameters hold credentials and never leave rcd) and the backends usable inline as <c>:backend:path</c>.
/// rcd unreachable answers 503 <c>endpoint_unreachable</c> (see <see cref="Errors.ApiExceptionHandler"/>).
/// </summary>
public static class RemotesApi
{
    public static RouteGroupBuilder MapRemotesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/remotes")
            .WithTags("Remotes")
            .RequireAuthorization(SecurityExtensions.Policy);

        api.MapGet(string.Empty, ListRemotes)
            .WithName("ListRemotes")
            .WithSummary("Configured rclone remotes and the backends usable inline")
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    public static async Task<Ok<RemotesResponse>> ListRemotes(RcloneClient rclone, CancellationToken cancellationToken)
    {
        var remotes = rclone.ListRemotesAsync(cancellationToken);
        var backends = rclone.ListBackendPrefixesAsync(cancellationToken);
        await Task.WhenAll(remotes, backends);
        return TypedResults.Ok(new RemotesResponse(
            [.. remotes.Result.Select(r => new RemoteInfo(r.Name, r.Type))],
            [.. backends.Result.Select(b => $":{b}:")]));
    }
}

/// <summary>What <c>GET /api/remotes</c> answers.</summary>
public sealed record RemotesResponse(IReadOnlyList<RemoteInfo> Remotes, IReadOnlyList<string> InlineBackends);

/// <summary>A configured remote: its name (use as <c>name:path</c>) and its backend type. Nothing else, ever.</summary>
public sealed record RemoteInfo(string Name, string Type);

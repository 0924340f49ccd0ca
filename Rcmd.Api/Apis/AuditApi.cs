using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Audit;
using Rcmd.Api.Errors;
using Rcmd.Failures;

namespace Rcmd.Api.Apis;

/// <summary><c>GET /api/audit</c>: the audit trail for admins, newest first, filtered by user, action, outcome and time, paged.</summary>
public static partial class AuditApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Roles.AdminPolicy);
        api.MapGet(string.Empty, Query).WithName("QueryAudit")
            .WithSummary("Audited mutations (who, role, action, target, outcome, address), newest first; filters user, action, outcome, since, until; before = the last id of the previous page");
        return api;
    }

    public static async Task<Results<Ok<AuditPage>, BadRequest<ErrorResponse>>> Query(
        string? user, string? action, string? outcome, DateTimeOffset? since, DateTimeOffset? until, string? before, int? limit, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.BadRequest(ApiErrors.Validation("limit", $"1–{MaxLimit}."));
        }

        if (Blank(outcome) is { } o && o is not ("succeeded" or "denied" or "failed"))
        {
            return TypedResults.BadRequest(ApiErrors.Validation("outcome", "One of succeeded, denied, failed."));
        }

        if (Blank(before) is { } b && !StreamId().IsMatch(b))
        {
            return TypedResults.BadRequest(ApiErrors.Validation("before", "An entry id from a previous page (digits-digits)."));
        }

        var query = new AuditQuery(Blank(user), Blank(action), Blank(outcome)?.ToLowerInvariant(), since, until, Blank(before));
        return TypedResults.Ok(await audit.QueryAsync(query, limit ?? DefaultLimit, cancellationToken));
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]{1,20}-[0-9]{1,20}$")]
    private static partial System.Text.RegularExpressions.Regex StreamId();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Audit;
using Rcmd.Api.Errors;
using Rcmd.Api.Security;
using Rcmd.Failures;

namespace Rcmd.Api.Apis;

/// <summary><c>GET /api/audit</c>: the audit trail for admins, newest first, filtered by user, action and time.</summary>
public static class AuditApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Roles.AdminPolicy);
        api.MapGet(string.Empty, Query).WithName("QueryAudit")
            .WithSummary("Audited mutations (who, role, action, target, outcome, address), newest first; filters user, action, since");
        return api;
    }

    public static async Task<Results<Ok<AuditPage>, BadRequest<ErrorResponse>>> Query(
        string? user, string? action, DateTimeOffset? since, int? limit, AuditLog audit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.BadRequest(ApiErrors.Validation("limit", $"1–{MaxLimit}."));
        }

        return TypedResults.Ok(await audit.QueryAsync(Blank(user), Blank(action), since, limit ?? DefaultLimit, cancellationToken));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

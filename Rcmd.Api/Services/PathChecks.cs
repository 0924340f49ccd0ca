using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Failures;
using Rcmd.Paths;
using Rcmd.Serialization;

namespace Rcmd.Api.Services;

/// <summary>
/// The path policy (<see cref="PathPolicy"/>) in the Api's error shape: 400 <c>validation_error</c> for a path written
/// wrong (relative, <c>..</c>), 403 <c>access_denied</c> for one the caller may not use, each message under its field.
/// </summary>
internal static class PathChecks
{
    /// <summary>The caller's role, or null when nobody signed in (local mode).</summary>
    public static string? RoleOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(Roles.ClaimType)?.Value : null;

    /// <summary>Null when every path may be used; otherwise the answer refusing them all (nothing was enqueued).</summary>
    public static JsonHttpResult<ErrorResponse>? Refuse(PathPolicy policy, ClaimsPrincipal user, string what,
        params IEnumerable<(string Field, string Label, string? Path)> paths)
    {
        var role = RoleOf(user);
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var denied = false;
        foreach (var (field, label, path) in paths)
        {
            if (string.IsNullOrWhiteSpace(path) || policy.Check(path, label, role) is not { Count: > 0 } refusals)
            {
                continue;
            }

            denied |= refusals.Any(r => r.Kind == PathRefusalKind.Denied);
            fields[field] = [.. fields.GetValueOrDefault(field) ?? [], .. refusals.Select(r => r.Message)];
        }

        return fields.Count == 0 ? null : Answer(fields, denied, what);
    }

    /// <summary>The answer for field problems found by a validator that ran the policy (<paramref name="denied"/>: some were refusals of rights).</summary>
    public static JsonHttpResult<ErrorResponse> Answer(IReadOnlyDictionary<string, string[]> fields, bool denied, string what) => denied
        ? TypedResults.Json(ErrorResponse.Create(ErrorCodes.AccessDenied, $"{what} uses a path it may not use; nothing was queued.", fields: fields,
            suggestion: "Use an absolute path outside Rcmd's data directory, under a local root or on a remote your role may use."),
            RcmdJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status403Forbidden)
        : TypedResults.Json(ApiErrors.Validation(fields, $"{what} is not valid; nothing was queued."),
            RcmdJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status400BadRequest);
}

using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Failures;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary><c>/api/stats</c>: the dashboard's failure panels, computed from the per-minute job outcomes in Redis.</summary>
public static class StatsApi
{
    /// <summary>The windows the Failures page offers.</summary>
    public static IReadOnlyDictionary<string, TimeSpan> Windows { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["24h"] = TimeSpan.FromHours(24),
    };

    public static RouteGroupBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/stats")
            .WithTags("Stats")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapGet("/failures", GetFailures)
            .WithName("GetFailureStats")
            .WithSummary("Failure ratio (overall, by type), top codes, mean duration by code, unknown ratio, retry pressure and effectiveness");
        return api;
    }

    public static async Task<Results<Ok<FailureStats>, BadRequest<ErrorResponse>>> GetFailures(
        string? window, JobStatsStore stats, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(window) ? "15m" : window.Trim();
        if (!Windows.TryGetValue(name, out var span))
        {
            return TypedResults.BadRequest(ApiErrors.Validation("window", $"Window must be one of {string.Join(", ", Windows.Keys)}."));
        }

        return TypedResults.Ok(FailureStats.Compute(name, await stats.QueryAsync(span, cancellationToken)));
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rcmd.Retention;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary><c>/api/retention</c>: the retention settings in force, how far back live history goes, and the sweep's last run.</summary>
public static class RetentionApi
{
    public static RouteGroupBuilder MapRetentionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/retention")
            .WithTags("Retention")
            .RequireAuthorization(Roles.ViewerPolicy);
        api.MapGet(string.Empty, GetRetention)
            .WithName("GetRetention")
            .WithSummary("Retention settings, the start of live history, and the sweep's last run and totals");
        return api;
    }

    public static async Task<JsonHttpResult<RetentionView>> GetRetention(RetentionStore store, RedisConnection redis, IOptions<RetentionOptions> options,
        CancellationToken cancellationToken)
    {
        var state = await store.StateAsync(cancellationToken);
        var view = new RetentionView(RetentionSettings.From(options.Value), state)
        {
            NextSweepAt = state.LastSweepAt + options.Value.SweepInterval,
            Redis = await new RedisMemory(redis).ReadAsync(cancellationToken),
        };
        return TypedResults.Json(view, RetentionJsonContext.Default.RetentionView);
    }
}

using Microsoft.Extensions.Options;
using Rcmd.Api.Extensions;
using Rcmd.Api.Hubs;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>GET /api/sse/status</c>: the live event stream (Server-Sent Events) that the dashboard follows. Each event is
/// <c>id: n</c>, <c>event: job-update</c>, <c>data: {"type","at","job"}</c> — or, when a remote's circuit breaker changes
/// state, <c>event: remote-status</c>, <c>data: {"type","at","remote"}</c>; a <c>: heartbeat</c> comment keeps the
/// connection open. <c>?types=job-update,…</c> narrows the stream. Updates of a job that pile up for a slow client
/// are merged into the newest (see <see cref="EventSubscription"/>).
/// </summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sse")
            .WithTags("Events")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapGet("/status", StreamStatus)
            .WithName("StreamStatus")
            .WithSummary("Live job updates as Server-Sent Events")
            .DisableRequestTimeout();
        return api;
    }

    internal static EventStreamResult StreamStatus(string? types, EventHub hub, IOptions<ApiOptions> options, TimeProvider time,
        IHostApplicationLifetime lifetime)
    {
        var filter = string.IsNullOrWhiteSpace(types)
            ? null
            : types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new EventStreamResult(hub, filter is { Count: > 0 } ? filter : null, options.Value.SseHeartbeatInterval, time,
            lifetime.ApplicationStopping);
    }
}

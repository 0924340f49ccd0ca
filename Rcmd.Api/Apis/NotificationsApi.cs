using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Notifications;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/notifications</c>: the configured channels (secrets masked) and the dead letters — notifications whose last
/// delivery attempt failed. The Workers deliver (see <see cref="NotificationDispatcher"/>); the Api only shows.
/// The channels are read from this process's configuration (<c>Notifications:Channels</c>): give the Api the same
/// configuration as the Workers.
/// </summary>
public static class NotificationsApi
{
    public const int DefaultDeadLetterCount = 100;
    public const int MaxDeadLetterCount = 1000;

    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notifications")
            .WithTags("Notifications")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapGet("/channels", ListChannels)
            .RequireAuthorization(Roles.AdminPolicy)
            .WithName("ListNotificationChannels")
            .WithSummary("The notification channels, with every secret masked");
        api.MapGet("/dead", ListDeadLetters)
            .WithName("ListDeadLetters")
            .WithSummary("Notifications that could not be delivered after the last attempt, newest first");
        return api;
    }

    public static Ok<List<NotificationChannelInfo>> ListChannels(IConfiguration configuration)
    {
        var options = configuration.GetSection(NotificationOptions.Section).Get<NotificationOptions>() ?? new NotificationOptions();
        return TypedResults.Ok(options.Channels.Select(NotificationChannelInfo.Of).ToList());
    }

    public static async Task<Ok<DeadLettersResponse>> ListDeadLetters(RedisConnection redis, int? count, CancellationToken cancellationToken)
    {
        var deadLetters = new NotificationDeadLetters(redis);
        var take = Math.Clamp(count ?? DefaultDeadLetterCount, 1, MaxDeadLetterCount);
        var items = deadLetters.ListAsync(take, cancellationToken);
        var total = deadLetters.CountAsync(cancellationToken);
        await Task.WhenAll(items, total);
        return TypedResults.Ok(new DeadLettersResponse(items.Result, total.Result));
    }
}

/// <summary>What <c>GET /api/notifications/dead</c> answers: the newest dead letters and how many are kept.</summary>
public sealed record DeadLettersResponse(IReadOnlyList<DeadLetter> Items, long Total);

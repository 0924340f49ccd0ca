using Microsoft.AspNetCore.SignalR;

namespace Rcmd.Api.Hubs;

/// <summary>
/// Moves <see cref="EventHub"/>'s events to <see cref="LiveHub"/>'s groups: each event to the status group, a job's event
/// also to its <c>job:{id}</c> group (except the status group's members, who have it already). One bounded
/// <see cref="EventSubscription"/> sits between Redis and the sends, so while SignalR's clients are slow the updates of a
/// job are merged into its newest (the SSE stream's coalescing) and Redis is never held up.
/// </summary>
public sealed partial class LiveHubRelay(EventHub events, IHubContext<LiveHub, ILiveClient> hub, LiveGroups groups,
    ILogger<LiveHubRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = events.Subscribe(types: null);
        var batch = new List<ServerSentEvent>();
        while (await subscription.WaitAsync(stoppingToken).ConfigureAwait(false))
        {
            batch.Clear();
            subscription.Drain(batch);
            foreach (var item in batch)
            {
                try
                {
                    await SendAsync(item).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSendFailed(logger, item.Type, ex.GetType().Name, ex.Message);
                }
            }
        }
    }

    private async Task SendAsync(ServerSentEvent item)
    {
        await hub.Clients.Group(LiveGroups.Status).Event(item.Type, item.Data).ConfigureAwait(false);
        if (item.JobId is { } jobId)
        {
            await hub.Clients.GroupExcept(LiveGroups.ForJob(jobId), groups.StatusMembers).Event(item.Type, item.Data).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Could not send a {Type} event to the hub's clients ({ExceptionType}: {Reason})")]
    private static partial void LogSendFailed(ILogger logger, string type, string exceptionType, string reason);
}

using Microsoft.Extensions.Options;
using Rcmd.Api.Extensions;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Hubs;

/// <summary>
/// The Api's one subscription to <see cref="RedisKeys.EventsChannel"/>, fanned out to every connected event-stream
/// client. Each client has its own bounded <see cref="EventSubscription"/>, so a slow client loses its own oldest
/// events and never holds up the others or the Redis connection. The multiplexer re-subscribes by itself after a
/// Redis restart; events published while Redis was away are not replayed (each event carries the whole job, so the
/// next one brings a client up to date). Messages are taken from StackExchange.Redis's <see cref="ChannelMessageQueue"/>,
/// one at a time in the order Redis sent them: its callback form runs handlers concurrently (since 2.x), which let a
/// job's "running" reach a client after its "succeeded". Each job event also wakes that job's <see cref="JobWatchers"/>.
/// </summary>
public sealed partial class EventHub(RedisConnection redis, IOptions<ApiOptions> options, JobWatchers watchers, ILogger<EventHub> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EventSubscription[] _subscribers = [];
    private ChannelMessageQueue? _queue;
    private long _sequence;

    /// <summary>Completes once the Redis subscription is registered.</summary>
    internal Task Subscribed => _subscribed.Task;

    public int ClientCount => Volatile.Read(ref _subscribers).Length;

    private RedisChannel Channel => new(redis.Keys.EventsChannel, RedisChannel.PatternMode.Literal);

    /// <summary>Adds a client; <paramref name="types"/> null = every event type. Dispose the result to leave.</summary>
    public EventSubscription Subscribe(IReadOnlySet<string>? types)
    {
        var subscription = new EventSubscription(options.Value.SseClientBufferSize, types, Remove);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    /// <summary>Hands one published event to every client (the Redis message handler; also the seam for tests).</summary>
    internal void Publish(string json)
    {
        if (!ServerSentEvent.TryParse(Interlocked.Increment(ref _sequence), json, out var item))
        {
            LogUnreadableEvent(logger, json.Length);
            return;
        }

        if (item!.JobId is { } jobId)
        {
            watchers.Notify(jobId); // a synchronous /rc/ call waiting for this job reads it now
        }

        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Post(item);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.Subscriber.SubscribeAsync(Channel).WaitAsync(stoppingToken).ConfigureAwait(false);
                queue.OnMessage(message => OnMessage(message.Message));
                _queue = queue;
                _subscribed.TrySetResult();
                LogSubscribed(logger, redis.Keys.EventsChannel);
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed(logger, redis.Keys.EventsChannel, ex.GetType().Name, ex.Message);
                await ForgetHandlerAsync().ConfigureAwait(false);
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        EventSubscription[] clients;
        lock (_gate)
        {
            clients = _subscribers;
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }

        await ForgetHandlerAsync().ConfigureAwait(false);
    }

    private void OnMessage(RedisValue message)
    {
        if (!message.IsNullOrEmpty)
        {
            Publish((string)message!);
        }
    }

    /// <summary>Drops this hub's handler (locally at least) so a retry or a restart never delivers an event twice.</summary>
    private async Task ForgetHandlerAsync()
    {
        try
        {
            if (Interlocked.Exchange(ref _queue, null) is { } queue)
            {
                await queue.UnsubscribeAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnsubscribeFailed(logger, ex.GetType().Name);
        }
    }

    private void Remove(EventSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Streaming events from Redis channel {Channel}")]
    private static partial void LogSubscribed(ILogger logger, string channel);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "Could not subscribe to Redis channel {Channel} ({ExceptionType}: {ExceptionMessage}); retrying")]
    private static partial void LogSubscribeFailed(ILogger logger, string channel, string exceptionType, string exceptionMessage);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Could not unsubscribe from the events channel ({ExceptionType})")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Ignored an unreadable event of {Length} characters")]
    private static partial void LogUnreadableEvent(ILogger logger, int length);
}

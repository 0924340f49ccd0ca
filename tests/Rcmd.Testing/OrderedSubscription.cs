using StackExchange.Redis;

namespace Rcmd.Testing;

public static class OrderedSubscription
{
    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="channel"/> with messages handed over one at a time in the
    /// order Redis sent them (StackExchange.Redis's <see cref="ChannelMessageQueue"/>), as the Api's EventHub reads them;
    /// the library's callback form runs handlers concurrently.
    /// </summary>
    public static async Task SubscribeInOrderAsync(this ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        var queue = await subscriber.SubscribeAsync(channel).ConfigureAwait(false);
        queue.OnMessage(message => handler(message.Channel, message.Message));
    }
}

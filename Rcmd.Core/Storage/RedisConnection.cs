using StackExchange.Redis;

namespace Rcmd.Storage;

/// <summary>
/// The one Redis connection of a process (a multiplexer is meant to be shared) and the key scheme over it. In the services
/// the multiplexer is Aspire's (<c>AddRedisClient("redis")</c>, from <c>ConnectionStrings:redis</c>: health, tracing);
/// tests and benches build one from a connection string. Either way it does not fail when Redis is not up yet and
/// reconnects by itself (<see cref="Configure"/>), so a process starts while Redis is still starting and survives a
/// Redis restart.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer> _multiplexer;
    private readonly bool _owned;

    /// <summary>Over a multiplexer the container owns (Aspire's).</summary>
    public RedisConnection(IConnectionMultiplexer multiplexer, RedisKeys keys)
    {
        Keys = keys;
        _multiplexer = new Lazy<IConnectionMultiplexer>(multiplexer);
    }

    /// <summary>A multiplexer of its own, connected at first use and disposed with this object (tests, benches).</summary>
    public RedisConnection(string connectionString, RedisKeys keys)
    {
        Keys = keys;
        var options = ConfigurationOptions.Parse(connectionString);
        Configure(options);
        _multiplexer = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));
        _owned = true;
    }

    public RedisKeys Keys { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>
    /// Rcmd's connection settings: start without Redis (<c>AbortOnConnectFail</c> off) and keep trying; 5 s to connect
    /// and for a synchronous call; a keep-alive every 10 s so a dead link is noticed. While no connection is up a command
    /// waits in StackExchange.Redis's backlog for the timeout (5 s), so a process starting beside Redis does not fail its
    /// first commands; the Api answers a backlog timeout as 503 <c>endpoint_unreachable</c> (ApiExceptionHandler).
    /// </summary>
    public static void Configure(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 3;
        options.ConnectTimeout = 5000;
        options.SyncTimeout = 5000;
        options.KeepAlive = 10;
    }

    /// <summary>Round trip to Redis; throws when it cannot be reached.</summary>
    public async Task<TimeSpan> PingAsync() => await Database.PingAsync().ConfigureAwait(false);

    public void Dispose()
    {
        if (_owned && _multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}

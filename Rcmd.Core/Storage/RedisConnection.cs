using StackExchange.Redis;

namespace Rcmd.Storage;

/// <summary>
/// The one Redis connection of a process (a multiplexer is meant to be shared). Built from the Aspire-style
/// connection string <c>ConnectionStrings:redis</c>; it connects lazily and reconnects by itself, so a process
/// starts while Redis is still starting and survives a Redis restart.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(string connectionString, RedisKeys keys)
    {
        Keys = keys;
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 3;
        options.ConnectTimeout = 5000;
        options.SyncTimeout = 5000;
        options.KeepAlive = 10;
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));
    }

    public RedisKeys Keys { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>Round trip to Redis; throws when it cannot be reached.</summary>
    public async Task<TimeSpan> PingAsync() => await Database.PingAsync().ConfigureAwait(false);

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}

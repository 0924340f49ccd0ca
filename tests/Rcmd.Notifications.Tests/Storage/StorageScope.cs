using Rcmd.Notifications.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Storage;

/// <summary>A store, a queue, a driver and a fake clock over a fresh key prefix of the shared redis-server.</summary>
public sealed class StorageScope : IDisposable
{
    public StorageScope(RedisFixture redis, params IJobTransitionObserver[] observers)
    {
        Keys = new RedisKeys("t" + Guid.NewGuid().ToString("N")[..12]);
        Connection = new RedisConnection(redis.Server.ConnectionString, Keys);
        Store = new JobStore(Connection, observers);
        Queue = new JobQueue(Connection, Time);
        Driver = new JobDriver(Store, Queue, Time);
        Stream = new NotificationStream(Connection);
    }

    public FakeTimeProvider Time { get; } = new();

    public RedisKeys Keys { get; }

    public RedisConnection Connection { get; }

    public JobStore Store { get; }

    public JobQueue Queue { get; }

    public JobDriver Driver { get; }

    public NotificationStream Stream { get; }

    public static CancellationToken Ct => TestTimeout.Token;

    public async Task<IReadOnlyList<NotificationEntry>> EntriesAsync() =>
        [.. (await Stream.RangeAsync(10_000, Ct)).Select(e => e.Parse()!)];

    public void Dispose() => Connection.Dispose();
}

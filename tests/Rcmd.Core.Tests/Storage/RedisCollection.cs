using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Storage;

/// <summary>One real redis-server for the storage tests; each test isolates itself with its own key prefix.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}

/// <summary>A store, a queue and a fake clock over a fresh key prefix of the shared redis-server.</summary>
public sealed class StorageScope : IDisposable
{
    public StorageScope(RedisFixture redis)
    {
        Keys = new RedisKeys("t" + Guid.NewGuid().ToString("N")[..12]);
        Connection = new RedisConnection(redis.Server.ConnectionString, Keys);
        Store = new JobStore(Connection);
        Queue = new JobQueue(Connection, Time);
    }

    public FakeTimeProvider Time { get; } = new();

    public RedisKeys Keys { get; }

    public RedisConnection Connection { get; }

    public JobStore Store { get; }

    public JobQueue Queue { get; }

    public static CancellationToken Ct => TestTimeout.Token;

    /// <summary>Creates and enqueues a job created at the current fake time.</summary>
    public async Task<Job> EnqueueAsync(string? id = null, JobType type = JobType.Copy)
    {
        var job = JobStateMachine.Create(id ?? Guid.NewGuid().ToString("N"),
            new JobSubmission(type, "/in", type.HasDestination() ? "/out" : null, new JobOptions()), Time);
        Assert.True(await Store.EnqueueAsync(job, Ct));
        return job;
    }

    public void Dispose() => Connection.Dispose();
}

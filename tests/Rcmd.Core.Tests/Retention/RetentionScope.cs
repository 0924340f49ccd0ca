using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Notifications;
using Rcmd.Retention;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Retention;

/// <summary>A key prefix of a real redis-server, a job store, a fake clock, an archive directory and a sweeper over them.</summary>
public sealed class RetentionScope : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public RetentionScope(RedisServer redis, RetentionOptions? options = null, Func<RetentionStore, IArchiveTarget>? target = null)
    {
        Keys = new RedisKeys("t" + Guid.NewGuid().ToString("N")[..12]);
        Connection = new RedisConnection(redis.ConnectionString, Keys);
        Store = new JobStore(Connection);
        Batches = new BatchStore(Connection);
        Retention = new RetentionStore(Connection);
        Notifications = new NotificationStream(Connection);
        Options = options ?? new RetentionOptions();
        Options.ArchiveTo = Archive.Path;
        Target = target?.Invoke(Retention) ?? new DirectoryArchiveTarget(Archive.Path, Retention);
        Metrics = new RetentionMetrics(_services.GetRequiredService<IMeterFactory>());
        Sweeper = new RetentionSweeper(Retention, Batches, Target, Microsoft.Extensions.Options.Options.Create(Options), Time, Metrics,
            Notifications, NullLogger<RetentionSweeper>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
    public TempDirectory Archive { get; } = new("archive");
    public RedisKeys Keys { get; }
    public RedisConnection Connection { get; }
    public JobStore Store { get; }
    public BatchStore Batches { get; }
    public RetentionStore Retention { get; }
    public NotificationStream Notifications { get; }
    public RetentionOptions Options { get; }
    public IArchiveTarget Target { get; }
    public RetentionMetrics Metrics { get; }
    public RetentionSweeper Sweeper { get; }

    public static CancellationToken Ct => TestTimeout.Token;

    /// <summary>
    /// Stores a job through the real store: enqueued at <paramref name="createdAt"/>, then saved in <paramref name="state"/>
    /// (finished <paramref name="finishedAfter"/> later, failed ones with <paramref name="errorCode"/>), out of the queue.
    /// </summary>
    public async Task<Job> AddAsync(string id, JobState state, DateTimeOffset createdAt, TimeSpan? finishedAfter = null,
        string remote = "s3prod", string? errorCode = null, JobType type = JobType.Copy, bool dequeue = true)
    {
        var job = new Job
        {
            Id = id, Type = type, Source = $"{remote}:bucket/{id}", Destination = type.HasDestination() ? "/data/out" : null,
            State = JobState.Queued, CreatedAt = createdAt, UpdatedAt = createdAt,
        };
        if (!await Store.EnqueueAsync(job, Ct))
        {
            throw new InvalidOperationException("duplicate " + id);
        }

        if (state == JobState.Queued)
        {
            return job;
        }

        var finishedAt = createdAt + (finishedAfter ?? TimeSpan.FromMinutes(1));
        var final = job with
        {
            State = state,
            UpdatedAt = finishedAt,
            StartedAt = createdAt,
            FinishedAt = state.IsTerminal() ? finishedAt : null,
            Attempts = [new JobAttempt { Number = 1, StartedAt = createdAt, FinishedAt = state.IsTerminal() ? finishedAt : null, ErrorCode = errorCode }],
            Error = errorCode is null ? null : new JobError { Code = errorCode, Message = "failed: " + errorCode },
            WorkerId = state == JobState.Running ? "w1" : null,
        };
        await Store.SaveAsync(final, JobState.Queued, null, Ct, publish: false);
        if (dequeue)
        {
            await Connection.Database.ListRemoveAsync(Keys.Queue, id);
        }

        return final;
    }

    /// <summary>Every record of every archive file in the directory.</summary>
    public IReadOnlyList<ArchiveRecord> ArchivedRecords() =>
        [.. Directory.EnumerateFiles(Archive.Path, "*.jsonl.gz").Order(StringComparer.Ordinal).SelectMany(ArchiveFormat.ReadFile)];

    /// <summary>
    /// Recounts every index from the records of <paramref name="ids"/> still stored and compares it with Redis: the all
    /// set, each state, type, remote and error-code index hold exactly the stored jobs that belong to them.
    /// </summary>
    public async Task AssertIndexesMatchRecountAsync(IEnumerable<string> ids)
    {
        var stored = (await Store.GetManyAsync(ids, Ct)).ToList();
        var db = Connection.Database;
        async Task Same(string key, IEnumerable<Job> expected)
        {
            var members = (await db.SortedSetRangeByRankAsync(key)).Select(v => (string)v!).Order(StringComparer.Ordinal);
            Assert.Equal(expected.Select(j => j.Id).Order(StringComparer.Ordinal), members);
        }

        await Same(Keys.AllJobs, stored);
        foreach (var state in JobStates.All)
        {
            await Same(Keys.JobsInState(state), stored.Where(j => j.State == state));
        }

        foreach (var type in Enum.GetValues<JobType>())
        {
            await Same(Keys.JobsOfType(type), stored.Where(j => j.Type == type));
        }

        foreach (var remote in stored.Select(j => RclonePath.RemoteName(j.Source)).Append("local").Distinct())
        {
            await Same(Keys.JobsOnRemote(remote), stored.Where(j => RclonePath.RemoteName(j.Source) == remote
                || (j.Destination is { } d && RclonePath.RemoteName(d) == remote)));
        }

        foreach (var code in new[] { "not_found", "access_denied", "network_error" })
        {
            await Same(Keys.JobsWithError(code), stored.Where(j => j.Error?.Code == code));
        }

        var counts = await Store.CountAsync(Ct);
        Assert.Equal(stored.Count, counts.Total);
        foreach (var state in JobStates.All)
        {
            Assert.Equal(stored.Count(j => j.State == state), counts.ByState[state.ToWire()]);
        }
    }

    public void Dispose()
    {
        Connection.Dispose();
        Archive.Dispose();
        _services.Dispose();
    }
}

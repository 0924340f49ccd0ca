using System.Collections.Concurrent;
using System.Text.Json;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Storage;

/// <summary>Waiting jobs in Redis: deferred with their due time, released to the queue exactly once, canceled while they wait.</summary>
[Collection(RedisCollection.Name)]
public sealed class WaitingJobsTests(RedisFixture redis) : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly StorageScope _s = new(redis);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task Defer_RunningJob_SavedWaitingIndexedByDueTimeAndLeaseReleased()
    {
        var running = await StartAsync("d1", "w1");
        var waiting = Defer(running, TimeSpan.FromSeconds(3));

        Assert.Equal(SaveResult.Saved, await _s.Store.DeferAsync(waiting, JobState.Running, "w1", Ct, leaseHolder: "w1"));

        var stored = await _s.Store.GetAsync("d1", Ct);
        Assert.Equal(JobState.Waiting, stored!.State);
        Assert.Equal(waiting.Wait, stored.Wait);
        var db = _s.Connection.Database;
        Assert.Equal(waiting.Wait!.DueAt.ToUnixTimeMilliseconds(), await db.SortedSetScoreAsync(_s.Keys.Waiting, "d1"));
        Assert.NotNull(await db.SortedSetScoreAsync(_s.Keys.JobsInState(JobState.Waiting), "d1"));
        Assert.Null(await db.SortedSetScoreAsync(_s.Keys.JobsInState(JobState.Running), "d1"));
        Assert.Null(await db.SortedSetScoreAsync(_s.Keys.Leases, "d1"));
        Assert.False(await db.HashExistsAsync(_s.Keys.LeaseOwners, "d1"));
        var counts = await _s.Store.CountAsync(Ct);
        Assert.Equal(1, counts.ByState["waiting"]);
        var (waitingCount, nextDue) = await _s.Store.WaitingAsync(Ct);
        Assert.Equal(1, waitingCount);
        Assert.Equal(waiting.Wait.DueAt, nextDue);
    }

    [Fact]
    public async Task Defer_NotHeldByThatWorker_ConflictAndNothingWritten()
    {
        var running = await StartAsync("d2", "w1");

        var result = await _s.Store.DeferAsync(Defer(running, TimeSpan.FromSeconds(1)), JobState.Running, "w2", Ct, leaseHolder: "w2");

        Assert.Equal(SaveResult.Conflict, result);
        Assert.Equal(JobState.Running, (await _s.Store.GetAsync("d2", Ct))!.State);
        Assert.Equal(0, (await _s.Store.WaitingAsync(Ct)).Count);
        Assert.NotNull(await _s.Connection.Database.SortedSetScoreAsync(_s.Keys.Leases, "d2"));
    }

    [Fact]
    public async Task Defer_QueuedJobStillInTheQueue_LeavesTheQueue()
    {
        var queued = await _s.EnqueueAsync("d3");
        var wait = new JobWait { Reason = JobWait.BreakerReason, DueAt = _s.Time.GetUtcNow().AddSeconds(30), Code = ErrorCodes.EndpointUnreachable };

        Assert.Equal(SaveResult.Saved, await _s.Store.DeferAsync(JobStateMachine.Defer(queued, wait, _s.Time), JobState.Queued, null, Ct));

        Assert.Equal(0, await _s.Queue.LengthAsync(Ct));
        Assert.Null(await _s.Queue.TryClaimAsync("w1", Lease, Ct));
        Assert.Equal(JobState.Waiting, (await _s.Store.GetAsync("d3", Ct))!.State);
    }

    [Fact]
    public async Task ReleaseDue_BeforeAndAtTheDueTime_OnlyThenQueuedOnceWithOneEvent()
    {
        var events = await SubscribeAsync();
        var running = await StartAsync("r1", "w1");
        Assert.Equal(SaveResult.Saved,
            await _s.Store.DeferAsync(Defer(running, TimeSpan.FromSeconds(2)), JobState.Running, "w1", Ct, leaseHolder: "w1"));

        _s.Time.Advance(TimeSpan.FromMilliseconds(1999));
        var early = await _s.Store.ReleaseDueAsync(_s.Time, 10, Ct);
        Assert.Empty(early.Released);
        Assert.Equal(_s.Time.GetUtcNow().AddMilliseconds(1), early.NextDueAt);
        Assert.Equal(0, await _s.Queue.LengthAsync(Ct));

        _s.Time.Advance(TimeSpan.FromMilliseconds(1));
        var due = await _s.Store.ReleaseDueAsync(_s.Time, 10, Ct);
        var again = await _s.Store.ReleaseDueAsync(_s.Time, 10, Ct);

        var released = Assert.Single(due.Released);
        Assert.Equal(JobState.Queued, released.State);
        Assert.Null(released.Wait);
        Assert.Null(due.NextDueAt);
        Assert.Empty(again.Released);
        var stored = await _s.Store.GetAsync("r1", Ct);
        Assert.Equal(JobStore.Serialize(released), JobStore.Serialize(stored!));
        Assert.Equal("r1", await _s.Queue.TryClaimAsync("w2", Lease, Ct));
        Assert.Null(await _s.Queue.TryClaimAsync("w2", Lease, Ct));
        await Wait.UntilAsync(() => Task.FromResult(events.Count(e => e.State == JobState.Queued) >= 2), TimeSpan.FromSeconds(10), "queued events");
        await Task.Delay(200, Ct);
        Assert.Equal([JobState.Queued, JobState.Running, JobState.Waiting, JobState.Queued], events.Where(e => e.Id == "r1").Select(e => e.State));
    }

    [Fact]
    public async Task ReleaseDue_TwoSchedulersOnTheirOwnConnections_EachJobQueuedExactlyOnce()
    {
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            var running = await StartAsync($"m{i:000}", "w1");
            Assert.Equal(SaveResult.Saved, await _s.Store.DeferAsync(Defer(running, TimeSpan.FromMilliseconds(100 + i)), JobState.Running, "w1", Ct,
                leaseHolder: "w1"));
        }

        var events = await SubscribeAsync();
        _s.Time.Advance(TimeSpan.FromSeconds(10));
        using var other = new RedisConnection(redis.Server.ConnectionString, _s.Keys);
        var stores = new[] { _s.Store, new JobStore(other) };
        using var start = new Barrier(2);

        async Task<List<string>> DrainAsync(JobStore store)
        {
            start.SignalAndWait(Ct);
            var got = new List<string>();
            while (true)
            {
                // Each pass reads every due id, so both schedulers race for the same jobs.
                var pass = await store.ReleaseDueAsync(_s.Time, count, Ct);
                got.AddRange(pass.Released.Select(j => j.Id));
                if (pass.Released.Count == 0 && pass.NextDueAt is null)
                {
                    return got;
                }
            }
        }

        var results = await Task.WhenAll(stores.Select(store => Task.Run(() => DrainAsync(store))));

        Assert.Empty(results[0].Intersect(results[1]));
        var all = results[0].Concat(results[1]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i:000}"), all);
        var queue = (await _s.Connection.Database.ListRangeAsync(_s.Keys.Queue)).Select(v => (string)v!).ToList();
        Assert.Equal(all, queue.Order(StringComparer.Ordinal));
        Assert.Equal(0, (await _s.Store.WaitingAsync(Ct)).Count);
        var counts = await _s.Store.CountAsync(Ct);
        Assert.Equal(count, counts.ByState["queued"]);
        Assert.Equal(0, counts.ByState["waiting"]);
        await Wait.UntilAsync(() => Task.FromResult(events.Count >= count), TimeSpan.FromSeconds(10), $"{count} queued events");
        await Task.Delay(200, Ct);
        Assert.Equal(count, events.Count);
        Assert.All(events.GroupBy(e => e.Id), g => Assert.Equal(JobState.Queued, Assert.Single(g).State));
    }

    [Fact]
    public async Task CancelWaiting_BeforeItIsDue_CanceledAndNeverReleased()
    {
        var running = await StartAsync("c1", "w1");
        var waiting = Defer(running, TimeSpan.FromSeconds(5));
        await _s.Store.DeferAsync(waiting, JobState.Running, "w1", Ct, leaseHolder: "w1");
        var stored = (await _s.Store.GetAsync("c1", Ct))!;

        Assert.True(await _s.Store.TryCancelWaitingAsync(stored, JobStateMachine.Cancel(stored, _s.Time), Ct));
        _s.Time.Advance(TimeSpan.FromMinutes(1));
        var pass = await _s.Store.ReleaseDueAsync(_s.Time, 10, Ct);

        Assert.Empty(pass.Released);
        Assert.Equal(JobState.Canceled, (await _s.Store.GetAsync("c1", Ct))!.State);
        Assert.Equal(0, (await _s.Store.WaitingAsync(Ct)).Count);
        Assert.Equal(0, await _s.Queue.LengthAsync(Ct));
        Assert.Equal(1, (await _s.Store.CountAsync(Ct)).ByState["canceled"]);
    }

    [Fact]
    public async Task CancelWaiting_AlreadyReleased_FalseAndStaysQueued()
    {
        var running = await StartAsync("c2", "w1");
        await _s.Store.DeferAsync(Defer(running, TimeSpan.FromSeconds(1)), JobState.Running, "w1", Ct, leaseHolder: "w1");
        var stored = (await _s.Store.GetAsync("c2", Ct))!;
        _s.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single((await _s.Store.ReleaseDueAsync(_s.Time, 10, Ct)).Released);

        Assert.False(await _s.Store.TryCancelWaitingAsync(stored, JobStateMachine.Cancel(stored, _s.Time), Ct));
        Assert.Equal(JobState.Queued, (await _s.Store.GetAsync("c2", Ct))!.State);
    }

    [Fact]
    public async Task CancelWaitingVersusRelease_100Races_ExactlyOneWinsEachTime()
    {
        for (var i = 0; i < 100; i++)
        {
            var running = await StartAsync($"x{i}", "w1");
            await _s.Store.DeferAsync(Defer(running, TimeSpan.Zero), JobState.Running, "w1", Ct, leaseHolder: "w1");
            var stored = (await _s.Store.GetAsync($"x{i}", Ct))!;

            var release = Task.Run(() => _s.Store.ReleaseDueAsync(_s.Time, 10, Ct));
            var cancel = Task.Run(() => _s.Store.TryCancelWaitingAsync(stored, JobStateMachine.Cancel(stored, _s.Time), Ct));
            await Task.WhenAll(release, cancel);

            var released = (await release).Released.Count == 1;
            Assert.True(released ^ await cancel, $"iteration {i}: released={released}, canceled={await cancel}");
            Assert.Equal(released ? JobState.Queued : JobState.Canceled, (await _s.Store.GetAsync($"x{i}", Ct))!.State);
            if (released)
            {
                Assert.Equal($"x{i}", await _s.Queue.TryClaimAsync("w9", Lease, Ct));
            }
        }

        Assert.Equal(0, await _s.Queue.LengthAsync(Ct));
        Assert.Equal(0, (await _s.Store.WaitingAsync(Ct)).Count);
    }

    [Fact]
    public async Task ReleaseDue_EntryWithoutAWaitingJob_DroppedNotQueued()
    {
        await _s.Connection.Database.SortedSetAddAsync(_s.Keys.Waiting, "ghost", 1);
        var done = await _s.EnqueueAsync("done");
        await _s.Connection.Database.SortedSetAddAsync(_s.Keys.Waiting, "done", 1);
        Assert.Equal("done", await _s.Queue.TryClaimAsync("w1", Lease, Ct));

        var pass = await _s.Store.ReleaseDueAsync(_s.Time, 10, Ct);

        Assert.Empty(pass.Released);
        Assert.Equal(0, (await _s.Store.WaitingAsync(Ct)).Count);
        Assert.Equal(0, await _s.Queue.LengthAsync(Ct));
        Assert.Equal(JobState.Queued, (await _s.Store.GetAsync(done.Id, Ct))!.State);
    }

    /// <summary>Enqueues, claims and saves a job Running under <paramref name="worker"/>, as a Worker does.</summary>
    private async Task<Job> StartAsync(string id, string worker)
    {
        var queued = await _s.EnqueueAsync(id);
        Assert.Equal(id, await _s.Queue.TryClaimAsync(worker, Lease, Ct));
        var running = JobStateMachine.Start(queued, worker, _s.Time);
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(running, JobState.Queued, null, Ct));
        return running;
    }

    private Job Defer(Job running, TimeSpan delay) => JobStateMachine.Defer(running, new JobWait
    {
        Reason = JobWait.RetryReason,
        DueAt = _s.Time.GetUtcNow() + delay,
        Code = ErrorCodes.EndpointUnreachable,
        Message = "couldn't list files: 503 Service Unavailable",
    }, _s.Time);

    private async Task<ConcurrentQueue<(string Id, JobState State)>> SubscribeAsync()
    {
        var events = new ConcurrentQueue<(string, JobState)>();
        await _s.Connection.Subscriber.SubscribeInOrderAsync(StackExchange.Redis.RedisChannel.Literal(_s.Keys.EventsChannel), (_, message) =>
        {
            var e = JsonSerializer.Deserialize((string)message!, RcmdJsonContext.Default.RcmdEvent)!;
            events.Enqueue((e.Job!.Id, e.Job.State));
        }).WaitAsync(Ct);
        return events;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Rcmd.Events;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Testing;
using StackExchange.Redis;

namespace Rcmd.Core.Tests.Storage;

[Collection(RedisCollection.Name)]
public sealed class JobStoreTests(RedisFixture redis) : IDisposable
{
    private readonly StorageScope _s = new(redis);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task Enqueue_NewJob_StoredQueuedIndexedAndCounted()
    {
        var job = await _s.EnqueueAsync("j1");

        var stored = await _s.Store.GetAsync("j1", Ct);

        Assert.NotNull(stored);
        Assert.Equal(JobStore.Serialize(job), JobStore.Serialize(stored));
        Assert.Equal(1, await _s.Queue.LengthAsync(Ct));
        var counts = await _s.Store.CountAsync(Ct);
        Assert.Equal(1, counts.ByState["queued"]);
        Assert.Equal(0, counts.ByState["running"]);
        Assert.Equal(1, counts.Total);
        Assert.Equal(1, counts.QueueLength);
    }

    [Fact]
    public async Task Enqueue_SameIdTwice_SecondRefusedAndQueuedOnce()
    {
        var job = await _s.EnqueueAsync("dup");

        Assert.False(await _s.Store.EnqueueAsync(job, Ct));
        Assert.Equal(1, await _s.Queue.LengthAsync(Ct));
    }

    [Fact]
    public async Task Get_Missing_Null()
    {
        Assert.Null(await _s.Store.GetAsync("nope", Ct));
    }

    [Fact]
    public async Task List_NewestFirst_Paged()
    {
        for (var i = 1; i <= 5; i++)
        {
            await _s.EnqueueAsync($"j{i}");
            _s.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var page1 = await _s.Store.ListAsync(new JobQuery(PageSize: 2), Ct);
        var page3 = await _s.Store.ListAsync(new JobQuery(Page: 3, PageSize: 2), Ct);

        Assert.Equal(["j5", "j4"], page1.Items.Select(j => j.Id));
        Assert.Equal(["j1"], page3.Items.Select(j => j.Id));
        Assert.Equal(5, page1.Total);
        Assert.Equal(1, page1.Page);
        Assert.Equal(2, page1.PageSize);
    }

    [Fact]
    public async Task List_StateFilter_OnlyThatState()
    {
        var a = await _s.EnqueueAsync("a");
        _s.Time.Advance(TimeSpan.FromSeconds(1));
        await _s.EnqueueAsync("b");
        _s.Time.Advance(TimeSpan.FromSeconds(1));
        var c = await _s.EnqueueAsync("c");
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(JobStateMachine.Start(a, "w1", _s.Time), JobState.Queued, null, Ct));
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(JobStateMachine.Start(c, "w1", _s.Time), JobState.Queued, null, Ct));

        var running = await _s.Store.ListAsync(new JobQuery(JobState.Running), Ct);
        var queued = await _s.Store.ListAsync(new JobQuery(JobState.Queued), Ct);
        var counts = await _s.Store.CountAsync(Ct);

        Assert.Equal(["c", "a"], running.Items.Select(j => j.Id));
        Assert.Equal(["b"], queued.Items.Select(j => j.Id));
        Assert.Equal(2, counts.ByState["running"]);
        Assert.Equal(1, counts.ByState["queued"]);
        Assert.Equal(3, counts.Total);
    }

    [Fact]
    public async Task Save_WrongExpectedState_ConflictAndNothingChanges()
    {
        var job = await _s.EnqueueAsync("g1");
        var before = await SnapshotAsync("g1");

        var result = await _s.Store.SaveAsync(JobStateMachine.Start(job, "w1", _s.Time) with { State = JobState.Succeeded },
            JobState.Running, null, Ct);

        Assert.Equal(SaveResult.Conflict, result);
        Assert.Equal(before, await SnapshotAsync("g1"));
    }

    [Fact]
    public async Task Save_WrongWorker_ConflictAndNothingChanges()
    {
        var job = await _s.EnqueueAsync("g2");
        var running = JobStateMachine.Start(job, "w1", _s.Time);
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(running, JobState.Queued, null, Ct));
        var before = await SnapshotAsync("g2");

        var result = await _s.Store.SaveAsync(JobStateMachine.Succeed(running, _s.Time), JobState.Running, "w2", Ct);

        Assert.Equal(SaveResult.Conflict, result);
        Assert.Equal(before, await SnapshotAsync("g2"));
    }

    [Fact]
    public async Task Save_RightStateAndWorker_MovesBetweenStateIndexes()
    {
        var job = await _s.EnqueueAsync("g3");
        var running = JobStateMachine.Start(job, "w1", _s.Time);
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(running, JobState.Queued, null, Ct));

        var result = await _s.Store.SaveAsync(JobStateMachine.Succeed(running, _s.Time), JobState.Running, "w1", Ct);

        Assert.Equal(SaveResult.Saved, result);
        Assert.Equal(JobState.Succeeded, (await _s.Store.GetAsync("g3", Ct))!.State);
        var counts = await _s.Store.CountAsync(Ct);
        Assert.Equal(1, counts.ByState["succeeded"]);
        Assert.Equal(0, counts.ByState["running"]);
        Assert.Equal(0, counts.ByState["queued"]);
    }

    [Fact]
    public async Task SaveFinal_Wins_EndsTheLeaseAndTheCancelRequestInTheSameStep()
    {
        var job = await _s.EnqueueAsync("f1");
        Assert.Equal("f1", (await _s.Queue.TryClaimJobAsync("w1", TimeSpan.FromMinutes(1), Ct))!.Id);
        var running = JobStateMachine.Start(job, "w1", _s.Time);
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(running, JobState.Queued, null, Ct));
        await _s.Store.RequestCancelAsync("f1", Ct);

        var result = await _s.Store.SaveFinalAsync(JobStateMachine.Succeed(running, _s.Time), "w1", clearCancelRequest: true, Ct);

        Assert.Equal(SaveResult.Saved, result);
        Assert.Equal(JobState.Succeeded, (await _s.Store.GetAsync("f1", Ct))!.State);
        Assert.False(await _s.Store.IsCancelRequestedAsync("f1", Ct));
        Assert.False(await _s.Queue.ReleaseAsync("f1", "w1", Ct)); // already released by the save
    }

    [Fact]
    public async Task SaveFinal_OtherWorkersJob_ConflictAndTheirLeaseStays()
    {
        var job = await _s.EnqueueAsync("f2");
        await _s.Queue.TryClaimJobAsync("w2", TimeSpan.FromMinutes(1), Ct);
        var running = JobStateMachine.Start(job, "w2", _s.Time);
        Assert.Equal(SaveResult.Saved, await _s.Store.SaveAsync(running, JobState.Queued, null, Ct));
        await _s.Store.RequestCancelAsync("f2", Ct);
        var before = await SnapshotAsync("f2");

        var result = await _s.Store.SaveFinalAsync(JobStateMachine.Succeed(running, _s.Time) with { WorkerId = "w1" }, "w1",
            clearCancelRequest: true, Ct);

        Assert.Equal(SaveResult.Conflict, result);
        Assert.Equal(before, await SnapshotAsync("f2"));
        Assert.True(await _s.Store.IsCancelRequestedAsync("f2", Ct));
        Assert.True(await _s.Queue.ReleaseAsync("f2", "w2", Ct)); // still w2's
    }


    [Fact]
    public async Task SaveAndRelease_ClaimedQueuedJobCanceled_EndsLeaseAndCancelRequestInTheSameStep()
    {
        var job = await _s.EnqueueAsync("f3");
        await _s.Store.RequestCancelAsync("f3", Ct);
        Assert.Equal("f3", (await _s.Queue.TryClaimJobAsync("w1", TimeSpan.FromMinutes(1), Ct))!.Id);

        var result = await _s.Store.SaveAndReleaseAsync(JobStateMachine.Cancel(job, _s.Time), JobState.Queued, null, "w1",
            clearCancelRequest: true, Ct);

        Assert.Equal(SaveResult.Saved, result);
        Assert.Equal(JobState.Canceled, (await _s.Store.GetAsync("f3", Ct))!.State);
        Assert.False(await _s.Store.IsCancelRequestedAsync("f3", Ct));
        // Already let go: the Worker has no release left to do that could end the lease of a run claimed right after.
        Assert.False(await _s.Queue.ReleaseAsync("f3", "w1", Ct));
    }
    [Fact]
    public async Task Save_UnknownJob_NotFound()
    {
        var ghost = JobStateMachine.Create("ghost", new JobSubmission(JobType.Copy, "/a", "/b", new JobOptions()), _s.Time);

        Assert.Equal(SaveResult.NotFound, await _s.Store.SaveAsync(ghost, JobState.Queued, null, Ct));
    }

    [Fact]
    public async Task CancelQueuedVersusClaim_200Races_ExactlyOneWinsEachTime()
    {
        for (var i = 0; i < 200; i++)
        {
            var job = await _s.EnqueueAsync($"race{i}");
            var canceled = JobStateMachine.Cancel(job, _s.Time);

            var claim = Task.Run(() => _s.Queue.TryClaimAsync("w1", TimeSpan.FromMinutes(1), Ct));
            var cancel = Task.Run(() => _s.Store.TryCancelQueuedAsync(canceled, Ct));
            await Task.WhenAll(claim, cancel);

            var claimed = await claim == job.Id;
            Assert.True(claimed ^ await cancel, $"iteration {i}: claimed={claimed}, canceled={await cancel}");
            var stored = await _s.Store.GetAsync(job.Id, Ct);
            Assert.Equal(claimed ? JobState.Queued : JobState.Canceled, stored!.State);
            if (claimed)
            {
                Assert.True(await _s.Queue.ReleaseAsync(job.Id, "w1", Ct));
            }
        }

        Assert.Equal(0, await _s.Queue.LengthAsync(Ct));
    }

    [Fact]
    public async Task CancelQueued_AlreadyClaimed_ReturnsFalseAndKeepsRecord()
    {
        var job = await _s.EnqueueAsync("late");
        Assert.Equal("late", await _s.Queue.TryClaimAsync("w1", TimeSpan.FromMinutes(1), Ct));

        Assert.False(await _s.Store.TryCancelQueuedAsync(JobStateMachine.Cancel(job, _s.Time), Ct));
        Assert.Equal(JobState.Queued, (await _s.Store.GetAsync("late", Ct))!.State);
    }

    [Fact]
    public async Task CancelRequest_SetSeenCleared()
    {
        await _s.Store.RequestCancelAsync("r1", Ct);
        Assert.True(await _s.Store.IsCancelRequestedAsync("r1", Ct));

        await _s.Store.ClearCancelRequestAsync("r1", Ct);
        Assert.False(await _s.Store.IsCancelRequestedAsync("r1", Ct));
    }

    [Fact]
    public async Task StateWrites_EachPublishesOneEventWithTheNewState()
    {
        var events = new ConcurrentQueue<RcmdEvent>();
        var subscriber = _s.Connection.Subscriber;
        // In the order Redis sent them, as the Api's EventHub reads them (the callback form runs handlers concurrently).
        var queue = await subscriber.SubscribeAsync(RedisChannel.Literal(_s.Keys.EventsChannel)).WaitAsync(Ct);
        queue.OnMessage(message => events.Enqueue(JsonSerializer.Deserialize((string)message.Message!, RcmdJsonContext.Default.RcmdEvent)!));

        var a = await _s.EnqueueAsync("e1");
        var running = JobStateMachine.Start(a, "w1", _s.Time);
        await _s.Store.SaveAsync(running, JobState.Queued, null, Ct);
        await _s.Store.SaveAsync(JobStateMachine.Fail(running, new JobError { Code = ErrorCodes.AccessDenied, Message = "no" }, _s.Time), JobState.Running, "w1", Ct);
        var b = await _s.EnqueueAsync("e2");
        await _s.Store.TryCancelQueuedAsync(JobStateMachine.Cancel(b, _s.Time), Ct);
        // A refused write publishes nothing.
        await _s.Store.SaveAsync(JobStateMachine.Start(b, "w1", _s.Time), JobState.Queued, null, Ct);
        // publish: false writes quietly (progress ticks).
        await _s.Store.SaveAsync(JobStateMachine.Start(await _s.EnqueueAsync("e3"), "w1", _s.Time), JobState.Queued, null, Ct, publish: false);

        await Wait.UntilAsync(() => Task.FromResult(events.Count >= 6), TimeSpan.FromSeconds(10), "6 events");
        await Task.Delay(200, Ct); // nothing more may arrive

        var seen = events.Select(e => (e.Type, e.Job!.Id, e.Job.State)).ToList();
        Assert.Equal(
        [
            (EventTypes.JobUpdate, "e1", JobState.Queued),
            (EventTypes.JobUpdate, "e1", JobState.Running),
            (EventTypes.JobUpdate, "e1", JobState.Failed),
            (EventTypes.JobUpdate, "e2", JobState.Queued),
            (EventTypes.JobUpdate, "e2", JobState.Canceled),
            (EventTypes.JobUpdate, "e3", JobState.Queued),
        ], seen);
        await subscriber.UnsubscribeAsync(RedisChannel.Literal(_s.Keys.EventsChannel)).WaitAsync(Ct);
    }

    /// <summary>The record and every index entry for a job, to prove a refused write changed nothing.</summary>
    private async Task<string> SnapshotAsync(string id)
    {
        var db = _s.Connection.Database;
        var parts = new List<string> { (string?)await db.StringGetAsync(_s.Keys.Job(id)) ?? "-" };
        foreach (var state in JobStates.All)
        {
            parts.Add($"{state}:{await db.SortedSetScoreAsync(_s.Keys.JobsInState(state), id)}");
        }

        parts.Add("queue:" + string.Join(',', (await db.ListRangeAsync(_s.Keys.Queue)).Select(v => (string?)v)));
        return string.Join('|', parts);
    }
}

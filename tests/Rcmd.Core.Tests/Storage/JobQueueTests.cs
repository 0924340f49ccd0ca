using Rcmd.Jobs;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Storage;

[Collection(RedisCollection.Name)]
public sealed class JobQueueTests(RedisFixture redis) : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly StorageScope _s = new(redis);

    private static CancellationToken Ct => StorageScope.Ct;

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task Claim_EmptyQueue_Null()
    {
        Assert.Null(await _s.Queue.TryClaimAsync("w1", Lease, Ct));
    }

    [Fact]
    public async Task Claim_ThreeJobs_OldestFirst()
    {
        await _s.EnqueueAsync("first");
        await _s.EnqueueAsync("second");
        await _s.EnqueueAsync("third");

        Assert.Equal("first", await _s.Queue.TryClaimAsync("w1", Lease, Ct));
        Assert.Equal("second", await _s.Queue.TryClaimAsync("w1", Lease, Ct));
        Assert.Equal("third", await _s.Queue.TryClaimAsync("w1", Lease, Ct));
        Assert.Null(await _s.Queue.TryClaimAsync("w1", Lease, Ct));
    }

    [Fact]
    public async Task ClaimJob_BringsTheRecordAndTheCancelRequestWithTheLease()
    {
        await _s.EnqueueAsync("plain");
        await _s.EnqueueAsync("wanted-gone");
        await _s.Store.RequestCancelAsync("wanted-gone", Ct);

        var plain = await _s.Queue.TryClaimJobAsync("w1", Lease, Ct);
        var canceled = await _s.Queue.TryClaimJobAsync("w1", Lease, Ct);

        Assert.Equal(("plain", "plain", JobState.Queued, false), (plain!.Id, plain.Job!.Id, plain.Job.State, plain.CancelRequested));
        Assert.Equal(("wanted-gone", true), (canceled!.Id, canceled.CancelRequested));
        Assert.Null(await _s.Queue.TryClaimJobAsync("w1", Lease, Ct));
        Assert.True(await _s.Queue.ReleaseAsync("plain", "w1", Ct)); // both leased to w1
        Assert.True(await _s.Queue.ReleaseAsync("wanted-gone", "w1", Ct));
    }

    [Fact]
    public async Task ClaimJob_IdWithoutRecord_ClaimedWithNoJob()
    {
        await _s.Store.RequeueIdAsync("ghost", Ct);

        var claimed = await _s.Queue.TryClaimJobAsync("w1", Lease, Ct);

        Assert.Equal("ghost", claimed!.Id);
        Assert.Null(claimed.Job);
        Assert.True(await _s.Queue.ReleaseAsync("ghost", "w1", Ct)); // leased like any claim
    }

    [Fact]
    public async Task Claim_TwoClaimers500Jobs_NeverTheSameId()
    {
        var ids = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            ids.Add((await _s.EnqueueAsync($"job{i:000}")).Id);
        }

        async Task<List<string>> DrainAsync(string worker)
        {
            var got = new List<string>();
            while (await _s.Queue.TryClaimAsync(worker, Lease, Ct) is { } id)
            {
                got.Add(id);
            }

            return got;
        }

        var results = await Task.WhenAll(Task.Run(() => DrainAsync("w1")), Task.Run(() => DrainAsync("w2")));

        Assert.Empty(results[0].Intersect(results[1]));
        Assert.Equal(ids.Order(StringComparer.Ordinal), results[0].Concat(results[1]).Order(StringComparer.Ordinal));
        Assert.True(results[0].Count > 0 && results[1].Count > 0, $"both claimers should get work: {results[0].Count}/{results[1].Count}");
        var owners = await _s.Connection.Database.HashGetAllAsync(_s.Keys.LeaseOwners).WaitAsync(Ct);
        Assert.Equal(500, owners.Length);
        Assert.All(results[0], id => Assert.Contains(owners, o => o.Name == id && o.Value == "w1"));
    }

    [Fact]
    public async Task Renew_OwnerExtends_OthersCannot()
    {
        await _s.EnqueueAsync("r1");
        Assert.Equal("r1", await _s.Queue.TryClaimAsync("w1", Lease, Ct));

        _s.Time.Advance(TimeSpan.FromSeconds(25));
        Assert.True(await _s.Queue.RenewAsync("r1", "w1", Lease, Ct));
        Assert.False(await _s.Queue.RenewAsync("r1", "w2", Lease, Ct));

        _s.Time.Advance(TimeSpan.FromSeconds(25)); // 50 s after the claim, 25 s after the renewal
        Assert.Empty(await _s.Queue.ExpiredAsync(10, Ct));

        _s.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(["r1"], await _s.Queue.ExpiredAsync(10, Ct));
    }

    [Fact]
    public async Task Expired_OnlyLapsedLeases_OldestExpiryFirst()
    {
        await _s.EnqueueAsync("a");
        await _s.EnqueueAsync("b");
        await _s.EnqueueAsync("c");
        await _s.Queue.TryClaimAsync("w1", TimeSpan.FromSeconds(10), Ct);  // a: expires at +10
        await _s.Queue.TryClaimAsync("w1", TimeSpan.FromSeconds(5), Ct);   // b: expires at +5
        await _s.Queue.TryClaimAsync("w1", TimeSpan.FromSeconds(60), Ct);  // c: expires at +60

        _s.Time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(["b", "a"], await _s.Queue.ExpiredAsync(10, Ct));
        Assert.Equal(["b"], await _s.Queue.ExpiredAsync(1, Ct));
    }

    [Fact]
    public async Task TakeOver_ExpiredLease_ExactlyOneOfManyWins()
    {
        await _s.EnqueueAsync("t1");
        await _s.Queue.TryClaimAsync("dead-worker", Lease, Ct);
        _s.Time.Advance(Lease + TimeSpan.FromSeconds(1));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _s.Queue.TryTakeOverAsync("t1", Ct))));

        Assert.Equal(new[] { "dead-worker" }, attempts.OfType<string>().ToArray());
        Assert.Empty(await _s.Queue.ExpiredAsync(10, Ct));
        Assert.False(await _s.Queue.RenewAsync("t1", "dead-worker", Lease, Ct)); // the old owner lost it
    }

    [Fact]
    public async Task TakeOver_LiveLease_Refused()
    {
        await _s.EnqueueAsync("t2");
        await _s.Queue.TryClaimAsync("w1", Lease, Ct);
        _s.Time.Advance(Lease - TimeSpan.FromSeconds(1));

        Assert.Null(await _s.Queue.TryTakeOverAsync("t2", Ct));
        Assert.True(await _s.Queue.RenewAsync("t2", "w1", Lease, Ct));
    }

    [Fact]
    public async Task TakeOver_RenewedJustInTime_Refused()
    {
        await _s.EnqueueAsync("t3");
        await _s.Queue.TryClaimAsync("w1", Lease, Ct);
        _s.Time.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(["t3"], await _s.Queue.ExpiredAsync(10, Ct));

        Assert.True(await _s.Queue.RenewAsync("t3", "w1", Lease, Ct)); // the Worker was only slow

        Assert.Null(await _s.Queue.TryTakeOverAsync("t3", Ct));
    }

    [Fact]
    public async Task Release_OnlyByOwner()
    {
        await _s.EnqueueAsync("rel");
        await _s.Queue.TryClaimAsync("w1", Lease, Ct);

        Assert.False(await _s.Queue.ReleaseAsync("rel", "w2", Ct));
        Assert.True(await _s.Queue.ReleaseAsync("rel", "w1", Ct));
        Assert.False(await _s.Queue.RenewAsync("rel", "w1", Lease, Ct));
        _s.Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await _s.Queue.ExpiredAsync(10, Ct));
    }
}

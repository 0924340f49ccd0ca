using System.Diagnostics;
using Rcmd.Core.Tests.Storage;
using Rcmd.Jobs;
using Rcmd.Notifications;
using Rcmd.Retention;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Retention;

[Collection(RedisCollection.Name)]
public sealed class RetentionSweepTests(RedisFixture redis, ITestOutputHelper output)
{
    private static CancellationToken Ct => RetentionScope.Ct;

    [Fact]
    public async Task Sweep_50000JobsOver60Days_ArchivesExactlyTheExpiredAndIndexesMatchRecount()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions
        {
            Succeeded = TimeSpan.FromDays(14), Failed = TimeSpan.FromDays(30), StepSize = 1000, MaxFinishedJobs = 1_000_000,
        });
        var now = s.Time.GetUtcNow();
        var jobs = new List<Job>(50_100);
        var codes = new[] { "not_found", "access_denied", "network_error" };
        const int Count = 50_000;
        var seeding = Stopwatch.StartNew();
        for (var chunk = 0; chunk < Count; chunk += 1000)
        {
            var adds = Enumerable.Range(chunk, 1000).Select(i =>
            {
                var created = now - TimeSpan.FromDays(60) + TimeSpan.FromMilliseconds(i * (60 * 86_400_000.0 / Count));
                var (state, code) = (i % 10) switch
                {
                    < 7 => (JobState.Succeeded, (string?)null),
                    < 9 => (JobState.Failed, codes[i % 3]),
                    _ => (JobState.Canceled, null),
                };
                return s.AddAsync($"j{i:D6}", state, created, remote: i % 2 == 0 ? "s3prod" : "gdrive", errorCode: code, dequeue: false);
            });
            jobs.AddRange(await Task.WhenAll(adds));
        }

        await s.Connection.Database.KeyDeleteAsync(s.Keys.Queue);

        // Live jobs as old as the oldest: never touched.
        for (var i = 0; i < 20; i++)
        {
            jobs.Add(await s.AddAsync($"live{i}", i % 2 == 0 ? JobState.Running : JobState.Queued, now - TimeSpan.FromDays(59)));
        }

        output.WriteLine($"seeded {jobs.Count} in {seeding.Elapsed.TotalSeconds:0.0} s");
        var expected = jobs.Where(j => RetentionRules.Evaluate(j, s.Options, now) == RetentionVerdict.Expired).Select(j => j.Id).ToHashSet();
        Assert.InRange(expected.Count, 20_000, 45_000);

        var sweeping = Stopwatch.StartNew();
        var result = await s.Sweeper.SweepAsync("replica-1", Ct);
        output.WriteLine($"swept {result.Archived} in {sweeping.Elapsed.TotalSeconds:0.0} s ({result.Archived / sweeping.Elapsed.TotalSeconds:0} jobs/s)");

        Assert.True(result.Completed, result.Error);
        Assert.Equal(expected.Count, result.Archived);
        var archived = s.ArchivedRecords();
        Assert.Equal(expected.Count, archived.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), archived.Select(r => r.JobId).Order(StringComparer.Ordinal));
        Assert.All(archived, r => Assert.Equal(r.JobId, r.Job!.Id));
        var left = jobs.Select(j => j.Id).Where(id => !expected.Contains(id)).ToList();
        Assert.Equal(left.Count, (await s.Store.CountAsync(Ct)).Total);
        Assert.All(jobs.Where(j => !j.State.IsTerminal()), j => Assert.DoesNotContain(j.Id, expected));
        await s.AssertIndexesMatchRecountAsync(jobs.Select(j => j.Id));
        var state = await s.Retention.StateAsync(Ct);
        Assert.Equal(expected.Count, state.ArchivedTotal);
        Assert.Equal(now, state.LastSweepAt);

        // A second sweep finds nothing more.
        Assert.Equal(0, (await s.Sweeper.SweepAsync("replica-1", Ct)).Archived);
    }

    [Fact]
    public async Task Sweep_ArchivedJob_TombstoneAnswersWhereItWent()
    {
        using var s = new RetentionScope(redis.Server);
        var now = s.Time.GetUtcNow();
        await s.AddAsync("old", JobState.Succeeded, now - TimeSpan.FromDays(20));

        await s.Sweeper.SweepAsync("r", Ct);

        Assert.Null(await s.Store.GetAsync("old", Ct));
        Assert.Equal(now, await s.Retention.ArchivedAtAsync("old", Ct));
        Assert.Null(await s.Retention.ArchivedAtAsync("never", Ct));
    }

    [Fact]
    public async Task Sweep_MoreTombstonesThanTheCap_OldestForgottenFirst()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions { MaxArchivedLinks = 1_000, StepSize = 500 });
        var now = s.Time.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, 1_200).Select(i => s.AddAsync($"j{i:D4}", JobState.Succeeded, now - TimeSpan.FromDays(30))));

        var first = await s.Sweeper.SweepAsync("r", Ct);
        s.Time.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(Enumerable.Range(1_200, 300).Select(i => s.AddAsync($"j{i:D4}", JobState.Succeeded, now - TimeSpan.FromDays(30))));
        var second = await s.Sweeper.SweepAsync("r", Ct);

        Assert.Equal((1_200, 300), (first.Archived, second.Archived));
        Assert.Equal(1_000, await s.Connection.Database.SortedSetLengthAsync(s.Connection.Keys.ArchivedJobs));
        Assert.NotNull(await s.Retention.ArchivedAtAsync("j1499", Ct)); // the newest are remembered
        Assert.Equal(now + TimeSpan.FromMinutes(1), await s.Retention.ArchivedAtAsync("j1499", Ct));
        Assert.Null(await s.Retention.ArchivedAtAsync("j0000", Ct)); // archived first, forgotten first
    }

    [Fact]
    public async Task Sweep_RetryOfPointsToArchivedJob_LinkSaysArchived()
    {
        using var s = new RetentionScope(redis.Server);
        var now = s.Time.GetUtcNow();
        await s.AddAsync("orig", JobState.Failed, now - TimeSpan.FromDays(100), errorCode: "not_found");
        var rerun = await s.AddAsync("rerun", JobState.Succeeded, now - TimeSpan.FromDays(1));
        await s.Store.SaveAsync(rerun with { RetryOf = "orig" }, JobState.Succeeded, null, Ct, publish: false);

        await s.Sweeper.SweepAsync("r", Ct);

        var live = await s.Store.GetAsync("rerun", Ct);
        Assert.Equal("orig", live!.RetryOf);
        var link = RetentionRules.Link(live.RetryOf!, await s.Store.GetAsync("orig", Ct) is not null,
            await s.Retention.ArchivedAtAsync("orig", Ct), s.Options.ArchiveTo);
        Assert.Equal(JobLinkState.Archived, link.State);
        Assert.True(File.Exists(link.ArchiveFile));
    }

    [Fact]
    public async Task Sweep_CountCap_OldestFinishedGoFirst_LiveKept()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions { MaxFinishedJobs = 3, StepSize = 2 });
        var now = s.Time.GetUtcNow();
        await s.AddAsync("live", JobState.Running, now - TimeSpan.FromDays(3));
        for (var i = 0; i < 6; i++)
        {
            await s.AddAsync($"f{i}", JobState.Succeeded, now - TimeSpan.FromHours(10 - i));
        }

        var result = await s.Sweeper.SweepAsync("r", Ct);

        Assert.Equal(3, result.Archived);
        Assert.Equal(["f0", "f1", "f2"], s.ArchivedRecords().Select(r => r.JobId).Order(StringComparer.Ordinal));
        Assert.NotNull(await s.Store.GetAsync("live", Ct));
        await s.AssertIndexesMatchRecountAsync(["live", .. Enumerable.Range(0, 6).Select(i => $"f{i}")]);
    }

    [Fact]
    public async Task Sweep_ArchiveTargetFails_NothingDeletedAndEventRaised()
    {
        using var s = new RetentionScope(redis.Server, target: _ => new FailingTarget());
        var now = s.Time.GetUtcNow();
        await s.AddAsync("old1", JobState.Succeeded, now - TimeSpan.FromDays(20));
        await s.AddAsync("old2", JobState.Failed, now - TimeSpan.FromDays(200), errorCode: "not_found");

        var result = await s.Sweeper.SweepAsync("r", Ct);

        Assert.False(result.Completed);
        Assert.Equal(0, result.Archived);
        Assert.NotNull(await s.Store.GetAsync("old1", Ct));
        Assert.NotNull(await s.Store.GetAsync("old2", Ct));
        await s.AssertIndexesMatchRecountAsync(["old1", "old2"]);
        var entries = (await s.Notifications.RangeAsync(10, Ct)).Select(e => e.Parse()).ToList();
        var failed = Assert.Single(entries, e => e!.Event == NotificationTypes.ArchiveFailed);
        Assert.Contains("disk refused", failed!.Data.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("disk refused", (await s.Retention.StateAsync(Ct)).LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_AnotherReplicaHoldsLease_DoesNothingUntilItExpires()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions { LeaseDuration = TimeSpan.FromSeconds(1) });
        await s.AddAsync("old", JobState.Succeeded, s.Time.GetUtcNow() - TimeSpan.FromDays(20));
        Assert.True(await s.Retention.TryLeaseAsync("dead-replica", TimeSpan.FromSeconds(1), Ct));

        Assert.False((await s.Sweeper.SweepAsync("r2", Ct)).Leader);
        Assert.NotNull(await s.Store.GetAsync("old", Ct));

        await Task.Delay(1100, Ct);
        Assert.Equal(1, (await s.Sweeper.SweepAsync("r2", Ct)).Archived);
    }

    [Fact]
    public async Task Sweep_CrashAfterArchiveBeforeDelete_NextSweepArchivesOnceAndDeletes()
    {
        using var s = new RetentionScope(redis.Server);
        var now = s.Time.GetUtcNow();
        var a = await s.AddAsync("a", JobState.Succeeded, now - TimeSpan.FromDays(20));
        var file = RetentionRules.ArchiveFileName(now);
        // The crashed sweep: its write reached the disk (whole, then a torn one), the delete never ran.
        await s.Target.AppendAsync(file, [new ArchiveRecord { Kind = ArchiveRecord.KindJob, JobId = "a", ArchivedAt = now, Job = a }], Ct);
        await File.AppendAllTextAsync(Path.Combine(s.Archive.Path, file), "\x1f\x8b torn", Ct);

        var result = await s.Sweeper.SweepAsync("r", Ct);

        Assert.Equal(1, result.Archived);
        Assert.Equal(["a"], s.ArchivedRecords().Select(r => r.JobId));
        Assert.Null(await s.Store.GetAsync("a", Ct));
    }

    [Fact]
    public async Task Sweep_CrashAfterSomeSteps_RestCompletesNothingLostNoDuplicates()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions { StepSize = 3 });
        var now = s.Time.GetUtcNow();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await s.AddAsync($"o{i}", JobState.Succeeded, now - TimeSpan.FromDays(20) + TimeSpan.FromMinutes(i))).Id);
        }

        // The first sweep dies after its first step (its token is canceled as it renews the lease).
        using var crash = new CancellationTokenSource();
        var firstStep = Task.Run(async () =>
        {
            while (await s.Retention.ArchivedAtAsync("o0", Ct) is null)
            {
                await Task.Delay(1, Ct);
            }

            await crash.CancelAsync();
        }, Ct);
        try
        {
            await s.Sweeper.SweepAsync("r1", crash.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await firstStep;
        var result = await s.Sweeper.SweepAsync("r2", Ct);

        Assert.True(result.Completed);
        var archived = s.ArchivedRecords().Select(r => r.JobId).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), archived.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(archived.Count, archived.Distinct().Count());
        Assert.Empty(await s.Store.GetManyAsync(ids, Ct));
        await s.AssertIndexesMatchRecountAsync(ids);
    }

    [Fact]
    public async Task Sweep_BatchPastItemRetention_ItemsArchivedJobKept()
    {
        using var s = new RetentionScope(redis.Server, new RetentionOptions { BatchItems = TimeSpan.FromDays(14), Failed = TimeSpan.FromDays(90) });
        var now = s.Time.GetUtcNow();
        var batch = await s.AddAsync("b1", JobState.Failed, now - TimeSpan.FromDays(20), errorCode: "not_found", type: JobType.Batch);
        await s.Batches.StageItemsAsync("b1", [new Rcmd.Batches.BatchItem { Op = Rcmd.Batches.BatchOp.CopyFile, Source = "/a", Destination = "/b" }], Ct);
        await s.Batches.CommitItemsAsync("b1", 1, false, Ct);

        var result = await s.Sweeper.SweepAsync("r", Ct);

        Assert.Equal(1, result.BatchesStripped);
        Assert.NotNull(await s.Store.GetAsync("b1", Ct));
        Assert.False(await s.Retention.HasBatchItemsAsync("b1", Ct));
        var record = Assert.Single(s.ArchivedRecords());
        Assert.Equal(ArchiveRecord.KindBatchItems, record.Kind);
        Assert.Single(record.BatchItems!);
        Assert.Equal(batch.Id, record.JobId);
    }

    private sealed class FailingTarget : IArchiveTarget
    {
        public string Locate(string file) => "broken:" + file;

        public Task<ArchiveWrite> AppendAsync(string file, IReadOnlyList<ArchiveRecord> records, CancellationToken cancellationToken) =>
            throw new IOException("disk refused the write");
    }
}

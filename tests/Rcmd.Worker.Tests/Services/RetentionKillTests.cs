using Rcmd.Jobs;
using Rcmd.Retention;
using Rcmd.Testing;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// The retention sweep's crash safety with real processes: a Worker sweeping 20,000 expired jobs is killed with SIGKILL
/// part-way; another Worker takes the sweep's lease over and finishes. Every job ends in the archive exactly once and
/// none stays in Redis; every index is empty.
/// </summary>
public sealed class RetentionKillTests : IAsyncLifetime
{
    private const int Count = 20_000;
    private readonly WorkerFixture _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task KillNineMidSweep_AnotherWorkerFinishes_EveryJobArchivedOnceNoneKept()
    {
        var old = DateTimeOffset.UtcNow - TimeSpan.FromDays(30);
        for (var chunk = 0; chunk < Count; chunk += 500)
        {
            await Task.WhenAll(Enumerable.Range(chunk, 500).Select(i => AddFinishedAsync($"old{i:D5}", old + TimeSpan.FromSeconds(i))));
        }

        var archive = _system.Data.Combine("archive");
        var settings = new Dictionary<string, string>
        {
            ["Rcmd__Retention__Succeeded"] = "1.00:00:00",
            ["Rcmd__Retention__ArchiveTo"] = archive,
            ["Rcmd__Retention__SweepInterval"] = "00:00:01",
            ["Rcmd__Retention__StepSize"] = "100",
            ["Rcmd__Retention__LeaseDuration"] = "00:00:03",
        };

        var first = await _system.StartWorkerAsync("sweep-a", settings);
        await Wait.UntilAsync(async () => (await _system.Store.CountAsync(CancellationToken.None)).Total <= Count - 2_000,
            TimeSpan.FromMinutes(2), "the first Worker's sweep to delete 2,000 jobs", () => first.Output);
        first.Kill();
        var left = (await _system.Store.CountAsync(CancellationToken.None)).Total;
        Assert.True(left > 0, "the sweep ended before the kill: the test proves nothing");

        using var second = await _system.StartWorkerAsync("sweep-b", settings);
        await Wait.UntilAsync(async () => (await _system.Store.CountAsync(CancellationToken.None)).Total == 0,
            TimeSpan.FromMinutes(3), "the second Worker to finish the sweep", () => second.Output);

        var archived = Directory.EnumerateFiles(archive, "*.jsonl.gz").SelectMany(ArchiveFormat.ReadFile)
            .Where(r => r.Kind == ArchiveRecord.KindJob).Select(r => r.JobId).ToList();
        Assert.Equal(Count, archived.Count); // none twice
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"old{i:D5}"), archived.Order(StringComparer.Ordinal)); // none lost
        Assert.Empty(await _system.Store.GetManyAsync(archived.Take(1000), CancellationToken.None));
        var counts = await _system.Store.CountAsync(CancellationToken.None);
        Assert.All(counts.ByState.Values, n => Assert.Equal(0, n));
    }

    private async Task AddFinishedAsync(string id, DateTimeOffset createdAt)
    {
        var job = new Job
        {
            Id = id, Type = JobType.Copy, Source = $"s3prod:bucket/{id}", Destination = "/data/out",
            State = JobState.Queued, CreatedAt = createdAt, UpdatedAt = createdAt,
        };
        Assert.True(await _system.Store.EnqueueAsync(job, CancellationToken.None));
        var finishedAt = createdAt + TimeSpan.FromMinutes(1);
        var done = job with
        {
            State = JobState.Succeeded, StartedAt = createdAt, FinishedAt = finishedAt, UpdatedAt = finishedAt,
            Attempts = [new JobAttempt { Number = 1, StartedAt = createdAt, FinishedAt = finishedAt }],
        };
        await _system.Store.SaveAsync(done, JobState.Queued, null, CancellationToken.None, publish: false);
        await _system.Connection.Database.ListRemoveAsync(_system.Connection.Keys.Queue, id);
    }
}

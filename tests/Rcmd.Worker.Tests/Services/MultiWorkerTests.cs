using Rcmd.Jobs;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>Two Worker processes share one queue: every job runs exactly once, and both Workers do some of the work.</summary>
public sealed class MultiWorkerTests : IAsyncLifetime
{
    private const int JobCount = 50;
    private readonly WorkerFixture _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task TwoWorkers_FiftyCopyFileJobs_EachSucceedsOnceAndBothWorkersTakeSome()
    {
        var workers = await Task.WhenAll(_system.StartWorkerAsync("multi-a"), _system.StartWorkerAsync("multi-b"));
        var source = _system.MakeFiles("many-src", JobCount, size: 1024);
        var destination = _system.Data.Combine("many-dst");

        var jobs = new List<Job>();
        for (var i = 0; i < JobCount; i++)
        {
            var name = $"file-{i:D3}.bin";
            jobs.Add(await _system.EnqueueAsync(JobType.CopyFile, Path.Combine(source, name), Path.Combine(destination, name)));
        }

        var done = new List<Job>();
        foreach (var job in jobs)
        {
            done.Add(await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(60)));
        }

        Assert.All(done, job => Assert.Single(job.Attempts));
        Assert.Equal(JobCount, Directory.GetFiles(destination).Length);
        var byWorker = done.GroupBy(j => j.WorkerId).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(workers.Select(w => w.WorkerId).Order(), byWorker.Keys.Order());
        Assert.Equal(0, await _system.Queue.LengthAsync(CancellationToken.None));

        // rcd ran each job exactly once.
        var runs = await _system.RcdRunsAsync();
        Assert.All(done, job => Assert.Equal([job.RcloneJobId!.Value], runs[job.Id]));
    }
}

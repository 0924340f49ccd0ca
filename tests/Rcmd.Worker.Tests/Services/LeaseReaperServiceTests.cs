using System.Text.Json.Nodes;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// A Worker that dies (or stops) mid-job leaves a lease that expires; another Worker recovers the job exactly once.
/// Workers here lease for 3 s and look for expired leases every 250 ms. rcd is slowed to 1 MiB/s so that a 10 MiB
/// copy is still running when its Worker goes away.
/// </summary>
public sealed class LeaseReaperServiceTests : IAsyncLifetime
{
    private const long LongFileSize = 10L * 1024 * 1024;
    private const string Ghost = "ghost-worker";
    private readonly WorkerFixture _system = new();

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        await _system.RcAsync("core/bwlimit", new JsonObject { ["rate"] = "1M" });
    }

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task KilledWorker_LongCopyRunning_AnotherWorkerAdoptsTheSameRunAndItSucceeds()
    {
        await WorkerGoesAwayMidJobAsync("kill", worker => worker.Kill());
    }

    [Fact]
    public async Task StoppedWorker_LongCopyRunning_LeavesTheRunGoingAndAnotherWorkerAdoptsIt()
    {
        var stopped = await WorkerGoesAwayMidJobAsync("stop", worker => worker.Stop());

        Assert.Contains("left running in rclone", stopped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClaimedNeverStarted_LeaseExpired_QueuedAgainAndRunsOnce()
    {
        var source = _system.MakeFiles("claimed-src", count: 1, size: 100);
        var job = await _system.EnqueueAsync(JobType.CopyFile, Path.Combine(source, "file-000.bin"), _system.Data.Combine("claimed-dst", "f.bin"));
        Assert.Equal(job.Id, await _system.Queue.TryClaimAsync(Ghost, TimeSpan.FromMilliseconds(1), CancellationToken.None));

        using var worker = await _system.StartWorkerAsync("claimed");
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Single(done.Attempts);
        Assert.Equal(worker.WorkerId, done.WorkerId);
        Assert.True(File.Exists(_system.Data.Combine("claimed-dst", "f.bin")));
    }

    [Fact]
    public async Task RunningWhoseRcdRestarted_CopyJob_QueuedAgainAndSucceedsOnASecondAttempt()
    {
        var source = _system.MakeFiles("lost-copy-src", count: 2, size: 100);
        var destination = _system.Data.Combine("lost-copy-dst");
        var job = await OrphanedRunningJobAsync(JobType.Copy, source, destination, rcloneJobId: 987_654, rclonePid: 1);

        using var worker = await _system.StartWorkerAsync("lost-copy");
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Equal(2, done.Attempts.Count);
        Assert.Equal(ErrorCodes.ServerRestarted, done.Attempts[0].ErrorCode);
        Assert.Null(done.Attempts[1].ErrorCode);
        Assert.Equal(2, Directory.GetFiles(destination).Length);
        Assert.Single(await _system.RcdRunsOfAsync(job.Id));
    }

    [Fact]
    public async Task RunningWhoseRcdRestarted_MoveJob_FailsWithServerRestartedAndIsNotReplayed()
    {
        var source = _system.MakeFiles("lost-move-src", count: 2, size: 100);
        var job = await OrphanedRunningJobAsync(JobType.Move, source, _system.Data.Combine("lost-move-dst"), rcloneJobId: 987_655, rclonePid: 1);

        using var worker = await _system.StartWorkerAsync("lost-move");
        var failed = await _system.WaitForStateAsync(job.Id, JobState.Failed);

        Assert.Equal(ErrorCodes.ServerRestarted, failed.Error?.Code);
        Assert.Single(failed.Attempts);
        Assert.Equal(2, Directory.GetFiles(source).Length);
        Assert.Empty(await _system.RcdRunsOfAsync(job.Id));
        await WaitUntilReleasedAsync(job.Id);
    }

    [Fact]
    public async Task RunningWhoseRunFinishedInRcd_WorkerDied_ResultRecordedWithoutASecondRun()
    {
        var source = _system.MakeFiles("finished-src", count: 1, size: 100);
        var destination = _system.Data.Combine("finished-dst", "f.bin");
        var job = await _system.EnqueueAsync(JobType.CopyFile, Path.Combine(source, "file-000.bin"), destination);
        Assert.Equal(job.Id, await _system.Queue.TryClaimAsync(Ghost, TimeSpan.FromMilliseconds(1), CancellationToken.None));
        var running = JobStateMachine.Start(job, Ghost, TimeProvider.System);
        Assert.Equal(SaveResult.Saved, await _system.Store.SaveAsync(running, JobState.Queued, null, CancellationToken.None));
        var (method, parameters) = RcloneCommands.ForJob(running);
        var rcloneJobId = await _system.Rcd.StartAsync(method, parameters, CancellationToken.None);
        await Testing.Wait.UntilAsync(async () => (await _system.Rcd.JobStatusAsync(rcloneJobId, CancellationToken.None)).Finished,
            TimeSpan.FromSeconds(10), "the ghost's run to finish");
        var launched = JobStateMachine.Launched(running, rcloneJobId, TimeProvider.System, _system.Rclone.ProcessId);
        Assert.Equal(SaveResult.Saved, await _system.Store.SaveAsync(launched, JobState.Running, Ghost, CancellationToken.None));

        using var worker = await _system.StartWorkerAsync("finished");
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Single(done.Attempts);
        Assert.Equal(rcloneJobId, done.RcloneJobId);
        Assert.Equal(worker.WorkerId, done.WorkerId);
        Assert.Equal(100, done.Progress?.Percent);
        Assert.Equal([rcloneJobId], await _system.RcdRunsOfAsync(job.Id));
        await WaitUntilReleasedAsync(job.Id);
    }

    private async Task<WorkerProcess> WorkerGoesAwayMidJobAsync(string name, Action<WorkerProcess> goAway)
    {
        var workers = await Task.WhenAll(_system.StartWorkerAsync($"{name}-a"), _system.StartWorkerAsync($"{name}-b"));
        try
        {
            var source = _system.MakeLargeFile($"{name}-src", "big.bin", LongFileSize);
            var destination = _system.Data.Combine($"{name}-dst");
            var job = await _system.EnqueueAsync(JobType.Copy, source, destination);
            var running = await _system.WaitForJobAsync(job.Id, j => j is { State: JobState.Running, RcloneJobId: not null, Progress.Bytes: > 0 },
                TimeSpan.FromSeconds(20), "the copy to be running");
            var owner = workers.Single(w => w.WorkerId == running.WorkerId);
            var survivor = workers.Single(w => w != owner);

            goAway(owner);
            Assert.True(owner.HasExited);
            var adopted = await _system.WaitForJobAsync(job.Id, j => j.WorkerId == survivor.WorkerId, TimeSpan.FromSeconds(20),
                $"{survivor.WorkerId} to adopt the job");
            var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(40));

            Assert.Equal(JobState.Running, adopted.State);
            Assert.Equal(running.RcloneJobId, adopted.RcloneJobId);
            Assert.Equal(running.RcloneJobId, done.RcloneJobId);
            Assert.Single(done.Attempts);
            Assert.Equal(survivor.WorkerId, done.WorkerId);
            Assert.Equal(LongFileSize, new FileInfo(Path.Combine(destination, "big.bin")).Length);
            Assert.Equal([running.RcloneJobId!.Value], await _system.RcdRunsOfAsync(job.Id));
            Assert.Contains("adopted from " + owner.WorkerId, survivor.Output, StringComparison.Ordinal);
            return owner;
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    /// <summary>A job a dead Worker had launched as <paramref name="rcloneJobId"/> in an rcd with pid <paramref name="rclonePid"/>.</summary>
    private async Task<Job> OrphanedRunningJobAsync(JobType type, string source, string destination, long rcloneJobId, long rclonePid)
    {
        var job = await _system.EnqueueAsync(type, source, destination);
        Assert.Equal(job.Id, await _system.Queue.TryClaimAsync(Ghost, TimeSpan.FromMilliseconds(1), CancellationToken.None));
        var running = JobStateMachine.Start(job, Ghost, TimeProvider.System);
        Assert.Equal(SaveResult.Saved, await _system.Store.SaveAsync(running, JobState.Queued, null, CancellationToken.None));
        var launched = JobStateMachine.Launched(running, rcloneJobId, TimeProvider.System, rclonePid);
        Assert.Equal(SaveResult.Saved, await _system.Store.SaveAsync(launched, JobState.Running, Ghost, CancellationToken.None));
        return launched;
    }

    private bool IsLeased(string id) => _system.Redis.Cli("ZSCORE", new RedisKeys().Leases, id).Length > 0;

    // The Worker saves the final state first and releases the lease right after: a test that saw the state waits for it.
    private Task WaitUntilReleasedAsync(string id) =>
        Rcmd.Testing.Wait.UntilAsync(() => Task.FromResult(!IsLeased(id)), TimeSpan.FromSeconds(5), $"the lease of {id} to be released");
}

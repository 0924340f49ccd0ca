using System.Text.Json.Nodes;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>Canceling a running copy stops the rclone run (rcd slowed to 1 MiB/s so the copy is still going).</summary>
public sealed class CancelTests : IAsyncLifetime
{
    private const long FileSize = 50L * 1024 * 1024;
    private readonly WorkerFixture _system = new();

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        await _system.RcAsync("core/bwlimit", new JsonObject { ["rate"] = "1M" });
    }

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task Cancel_RunningLargeCopy_JobCanceledAndRcdRunStoppedWithDestinationIncomplete()
    {
        using var worker = await _system.StartWorkerAsync("cancel");
        var source = _system.MakeLargeFile("big-src", "big.bin", FileSize);
        var destination = _system.Data.Combine("big-dst");
        var job = await _system.EnqueueAsync(JobType.Copy, source, destination);
        var running = await _system.WaitForJobAsync(job.Id, j => j.State == JobState.Running && j.Progress is { Bytes: > 0 },
            TimeSpan.FromSeconds(20), "the copy to be running with some bytes copied");

        await _system.Store.RequestCancelAsync(job.Id, CancellationToken.None);
        var canceled = await _system.WaitForStateAsync(job.Id, JobState.Canceled, TimeSpan.FromSeconds(20));

        Assert.Equal(ErrorCodes.Canceled, canceled.Error?.Code);
        var attempt = Assert.Single(canceled.Attempts);
        Assert.Equal(ErrorCodes.Canceled, attempt.ErrorCode);
        Assert.Equal(running.RcloneJobId, canceled.RcloneJobId);
        Assert.False(await _system.Store.IsCancelRequestedAsync(job.Id, CancellationToken.None));

        var status = await _system.Rcd.JobStatusAsync(canceled.RcloneJobId!.Value, CancellationToken.None);
        Assert.True(status.Finished);
        Assert.False(status.Success);
        Assert.False(string.IsNullOrEmpty(status.Error));

        var copied = Path.Combine(destination, "big.bin");
        Assert.True(!File.Exists(copied) || new FileInfo(copied).Length < FileSize, "the destination must be incomplete");
        Assert.True(canceled.Progress is { Bytes: > 0 } p && p.Bytes < FileSize);
    }
}

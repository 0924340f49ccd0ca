using System.Text.Json.Nodes;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// What rcd holds for a job once the Worker has recorded it (issue 17: rcd grew ~10 KiB a job in the soak). rcd keeps
/// every RC call as a job until <c>--rc-job-expire-duration</c> and every stats group until deleted, so the Worker
/// deletes a job's stats group after saving its end, and rcd forgets finished runs after minutes, not a day. rcd here
/// forgets them after 3 s: a run that ended while no Worker watched it, and that rcd has forgotten, is resolved from
/// the job's record — queued again if it is safe to run twice, else failed and never run again.
/// </summary>
public sealed class RcdJobExpiryTests : IAsyncLifetime
{
    private const string Ghost = "ghost-worker";
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(3);
    private readonly WorkerFixture _system = new() { RcdJobExpiry = Expiry };

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task RecordedJobs_SucceededAndFailed_TheirStatsGroupsAreGoneFromRcd()
    {
        using var worker = await _system.StartWorkerAsync("groups");
        var source = _system.MakeFiles("groups-src", count: 1, size: 1000);
        var copied = await _system.EnqueueAsync(JobType.CopyFile, Path.Combine(source, "file-000.bin"), _system.Data.Combine("groups-dst", "f.bin"));
        var missing = await _system.EnqueueAsync(JobType.Copy, _system.Data.Combine("no-such-dir"), _system.Data.Combine("groups-dst2"));

        var succeeded = await _system.WaitForStateAsync(copied.Id, JobState.Succeeded);
        var failed = await _system.WaitForStateAsync(missing.Id, JobState.Failed);

        // The record holds the run's figures read before the group went, so deleting it lost nothing.
        Assert.Equal(100, succeeded.Progress?.Percent);
        Assert.Equal(1000, succeeded.Progress?.Bytes);
        Assert.NotNull(failed.Error);
        // core/group-list, not core/stats?group=: rcd answers core/stats for an unknown group by making an empty one.
        IReadOnlyList<string> groups = [];
        await Testing.Wait.UntilAsync(async () =>
        {
            groups = await GroupsAsync();
            return !groups.Contains(RcloneCommands.Group(succeeded)) && !groups.Contains(RcloneCommands.Group(failed));
        }, TimeSpan.FromSeconds(10), "rcd to drop both jobs' stats groups", () => "groups: " + string.Join(", ", groups));
        Assert.NotNull(succeeded.RcloneJobId);
    }

    [Fact]
    public async Task Start_RcdForgetsSoonerThanATakeover_WorkerWarnsWithBothFigures()
    {
        using var worker = await _system.StartWorkerAsync("expiry-warning");

        // rcd keeps finished runs 3 s; the fixture's Workers take a dead Worker's job over after 3 s + 0.25 s.
        await Testing.Wait.UntilAsync(() => Task.FromResult(worker.Output.Contains("rcd forgets a finished job after 3 s", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "the Worker's warning about rcd's job expiry", () => worker.Output);
        Assert.Contains("sooner than a dead Worker's jobs are taken over (3.25 s", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_system.Rclone.Password, worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunEndedUnwatchedAndForgotten_CopyFile_QueuedAgainAndSucceedsOnASecondAttempt()
    {
        var source = _system.MakeFiles("forgotten-copy-src", count: 1, size: 100);
        var destination = _system.Data.Combine("forgotten-copy-dst", "f.bin");
        var (job, rcloneJobId) = await GhostRunForgottenByRcdAsync(JobType.CopyFile, Path.Combine(source, "file-000.bin"), destination);
        Assert.Contains($"rcmd/{job.Id}/1", await GroupsAsync()); // the ghost never read nor dropped its figures

        using var worker = await _system.StartWorkerAsync("forgotten-copy");
        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Equal(2, done.Attempts.Count);
        Assert.Equal(ErrorCodes.ServerRestarted, done.Attempts[0].ErrorCode);
        Assert.Contains("outcome is unknown; the job was queued to run again", done.Attempts[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Null(done.Attempts[1].ErrorCode);
        Assert.NotEqual(rcloneJobId, done.RcloneJobId);
        Assert.True(File.Exists(destination));
        Assert.Contains($"rcd no longer knows rclone job {rcloneJobId}", worker.Output, StringComparison.Ordinal);
        await Testing.Wait.UntilAsync(async () => !(await GroupsAsync()).Contains($"rcmd/{job.Id}/1"), TimeSpan.FromSeconds(10),
            "the forgotten run's stats group to be dropped");
    }

    [Fact]
    public async Task RunEndedUnwatchedAndForgotten_Move_FailsAsOutcomeUnknownAndIsNeverRunAgain()
    {
        var source = _system.MakeFiles("forgotten-move-src", count: 2, size: 100);
        var destination = _system.Data.Combine("forgotten-move-dst");
        // The ghost's move ran to its end: the files are moved. The job's record cannot say so; rcd has forgotten it.
        var (job, rcloneJobId) = await GhostRunForgottenByRcdAsync(JobType.Move, source, destination);
        Assert.Equal(2, Directory.GetFiles(destination).Length);
        Directory.CreateDirectory(source); // the move took the emptied directory too
        File.WriteAllText(Path.Combine(source, "new-since.txt"), "a second run would move this too");

        using var worker = await _system.StartWorkerAsync("forgotten-move");
        var failed = await _system.WaitForStateAsync(job.Id, JobState.Failed);

        Assert.Equal(ErrorCodes.ServerRestarted, failed.Error?.Code);
        Assert.False(failed.Error?.Retryable);
        Assert.Contains("outcome is unknown. This job type is not run again automatically", failed.Error?.Message, StringComparison.Ordinal);
        Assert.Single(failed.Attempts);
        Assert.Equal(rcloneJobId, failed.RcloneJobId);
        Assert.True(File.Exists(Path.Combine(source, "new-since.txt")));
        Assert.DoesNotContain("attempt 2 started", worker.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A job a dead Worker launched in this rcd (its pid recorded), whose run ended unwatched and which rcd has since
    /// forgotten (<c>job/status</c>: job not found) — the state the Worker finds after being away longer than the expiry.
    /// </summary>
    private async Task<(Job Job, long RcloneJobId)> GhostRunForgottenByRcdAsync(JobType type, string source, string destination)
    {
        var job = await _system.EnqueueAsync(type, source, destination);
        Assert.Equal(job.Id, await _system.Queue.TryClaimAsync(Ghost, TimeSpan.FromMilliseconds(1), CancellationToken.None));
        var running = JobStateMachine.Start(job, Ghost, TimeProvider.System);
        Assert.Equal(SaveResult.Saved, await _system.Store.SaveAsync(running, JobState.Queued, null, CancellationToken.None));
        var (method, parameters) = RcloneCommands.ForJob(running);
        var rcloneJobId = await _system.Rcd.StartAsync(method, parameters, CancellationToken.None);
        var launched = JobStateMachine.Launched(running, rcloneJobId, TimeProvider.System, _system.Rclone.ProcessId);
        Assert.Equal(SaveResult.Saved, await _system.Store.SaveAsync(launched, JobState.Running, Ghost, CancellationToken.None));
        await Testing.Wait.UntilAsync(async () =>
        {
            try
            {
                await _system.Rcd.JobStatusAsync(rcloneJobId, CancellationToken.None);
                return false;
            }
            catch (RcloneException ex) when (ex.Error.Contains("job not found", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }, Expiry + TimeSpan.FromSeconds(15), $"rcd to forget rclone job {rcloneJobId}");
        return (launched, rcloneJobId);
    }

    private async Task<IReadOnlyList<string>> GroupsAsync()
    {
        var list = await _system.RcAsync("core/group-list", new JsonObject());
        return list.TryGetProperty("groups", out var groups) && groups.ValueKind == System.Text.Json.JsonValueKind.Array
            ? [.. groups.EnumerateArray().Select(g => g.GetString() ?? string.Empty)]
            : [];
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// Issue 14's durability promise through rclone's own wire: a <c>sync/copy</c> started with <c>_async=true</c> on
/// <c>/rc/</c>, rcd killed (-9) while it copies (throttled with RCLONE_BWLIMIT), restarted by the AppHost — the Rcmd
/// job is retried and <c>job/status</c> of the same RC id ends <c>success: true</c> with every file on disk.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class RcDurabilityTests
{
    [Fact]
    public async Task AsyncCopy_RcdKilledMidTransfer_JobRetried_StatusEndsSuccess()
    {
        // rclone's bandwidth limiter lets its first 4 MiB through at full speed (its burst), so the copy must be larger than
        // that to be throttled: 40 × 256 KiB = 10 MiB, the last ~6 MiB at 1 MiB/s — about 6 s in which to kill rcd.
        await using var rcmd = await BatchHarness.StartAsync(workers: 1, env => env["RCLONE_BWLIMIT"] = "1M");
        var source = rcmd.MakeFiles("in", 40, 256 * 1024);
        var destination = rcmd.Combine("out");

        using var started = await rcmd.Http.PostAsync($"rc/sync/copy?srcFs={Uri.EscapeDataString(source)}&dstFs={Uri.EscapeDataString(destination)}&_async=true", null);
        started.EnsureSuccessStatusCode();
        var jobId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetInt64();

        // Past the burst, not all: rcd is killed mid-transfer.
        await Wait.UntilAsync(() => Task.FromResult(Directory.Exists(destination) && Directory.GetFiles(destination).Length >= 20),
            TimeSpan.FromSeconds(60), "the copy to be under way", rcmd.Tail);
        var pid = rcmd.CurrentPid("rclone") ?? throw new InvalidOperationException("no rclone pid in rcmd.pids");
        Assert.True(Directory.GetFiles(destination).Length < 40, "the copy ended before rcd could be killed");
        BatchHarness.Signal(pid, "KILL");
        await rcmd.WaitForRestartAsync("rclone", pid, TimeSpan.FromSeconds(60));

        JsonElement status = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await rcmd.Http.PostAsync($"rc/job/status?jobid={jobId}", null);
            status = await response.Content.ReadFromJsonAsync<JsonElement>();
            return status.GetProperty("finished").GetBoolean();
        }, TimeSpan.FromSeconds(180), "job/status to say finished", rcmd.Tail);

        Assert.True(status.GetProperty("success").GetBoolean(), status.ToString());
        Assert.Equal(40, Directory.GetFiles(destination).Length);
        var jobs = await rcmd.Http.GetFromJsonAsync<JsonElement>("api/jobs?type=copy");
        var job = Assert.Single(jobs.GetProperty("items").EnumerateArray());
        Assert.True(job.GetProperty("attempts").GetArrayLength() >= 2, "the job was not retried: " + job);
    }
}

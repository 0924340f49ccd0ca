using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;
using Xunit.Abstractions;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// rclone rcd is killed (SIGKILL) under running work and the AppHost starts it again a second later. A batch retries the
/// items that were cut off and completes; single jobs are never left running: an idempotent copy runs again, a movefile
/// ends failed <c>server_restarted</c> (rcd's runs vanished with it) — also when their Workers died at the same moment.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class RcloneRestartTests(ITestOutputHelper output)
{
    private const int Items = 1000;
    private const long BigFile = 8L * 1024 * 1024;

    [Fact]
    public async Task RcdKilledMidBatch_AppHostRestartsIt_CutOffItemsRetried_BatchCompletes()
    {
        await using var rcmd = await BatchHarness.StartAsync(workers: 2, env => env["RCLONE_BWLIMIT"] = "64K");
        var (id, destination) = await rcmd.StartCopyBatchAsync(Items);
        var rclone = rcmd.CurrentPid("rclone")!.Value;
        var owner = (await rcmd.GetAsync(id)).GetProperty("workerId").GetString()!;
        var worker = rcmd.CurrentPid(owner)!.Value;

        BatchHarness.Signal(rclone, "KILL");
        var restarted = await rcmd.WaitForRestartAsync("rclone", rclone, TimeSpan.FromSeconds(30));
        var end = await rcmd.WaitForEndAsync(id, TimeSpan.FromSeconds(120));

        var report = await rcmd.ReportAsync(id);
        var retried = report.Items.Where(i => i.Attempts > 1).ToList();
        output.WriteLine($"rcd pid {rclone} → {restarted}; ended {BatchHarness.State(end)} ({end.GetProperty("batch").GetRawText()}); "
            + $"attempts per item: {string.Join(", ", report.Items.GroupBy(i => i.Attempts).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}"))}; "
            + $"failed by code: {string.Join(", ", report.Items.Where(i => i.State == "failed").GroupBy(i => i.Code).Select(g => $"{g.Key} {g.Count()}"))}");
        BatchHarness.AssertReportMatchesDisk(report, Items, destination);
        Assert.Equal("succeeded", BatchHarness.State(end));
        Assert.Equal(Items, BatchHarness.Count(end, "succeeded"));
        Assert.NotEmpty(retried); // the calls cut off by the kill (and any sent while rcd was down) ran again
        Assert.Equal(worker, rcmd.CurrentPid(owner)); // the Worker rode out rcd's restart; it was not restarted itself
    }

    [Fact]
    public async Task RcdKilledUnderRunningSingleJobs_CopyRunsAgain_MoveFileFailsServerRestarted()
    {
        await using var rcmd = await BatchHarness.StartAsync(workers: 2, env => env["RCLONE_BWLIMIT"] = "1M");
        var (copy, copyDestination, move, moveSource) = await StartSlowJobsAsync(rcmd, "rcd");
        var rclone = rcmd.CurrentPid("rclone")!.Value;

        BatchHarness.Signal(rclone, "KILL");

        await AssertCopyRanAgainAndMoveFailedAsync(rcmd, copy, copyDestination, move, moveSource);
    }

    [Fact]
    public async Task WorkersAndRcdKilledUnderRunningSingleJobs_AdoptersRunCopyAgain_AndFailMoveFileServerRestarted()
    {
        await using var rcmd = await BatchHarness.StartAsync(workers: 2, env => env["RCLONE_BWLIMIT"] = "1M");
        var (copy, copyDestination, move, moveSource) = await StartSlowJobsAsync(rcmd, "orphan");
        var owners = new List<string>();
        foreach (var id in new[] { copy, move })
        {
            var owner = (await JobAsync(rcmd, id)).GetProperty("workerId").GetString()!;
            if (!owners.Contains(owner))
            {
                owners.Add(owner);
            }
        }

        // The Workers running the two jobs and rcd die together: no live process knows the runs; the restarted or the
        // other Worker finds their leases expired and rcd's runs gone (new rcd pid).
        foreach (var owner in owners)
        {
            BatchHarness.Signal(rcmd.CurrentPid(owner)!.Value, "KILL");
        }

        BatchHarness.Signal(rcmd.CurrentPid("rclone")!.Value, "KILL");
        output.WriteLine($"killed {string.Join(", ", owners)} and rclone");

        await AssertCopyRanAgainAndMoveFailedAsync(rcmd, copy, copyDestination, move, moveSource);
    }

    /// <summary>A copy of a folder with one 8 MiB file and a movefile of another, both running in rcd (at 1 MiB/s).</summary>
    private static async Task<(string Copy, string CopyDestination, string Move, string MoveSource)> StartSlowJobsAsync(BatchHarness rcmd, string name)
    {
        var copySource = rcmd.Combine($"{name}-copy-in");
        Directory.CreateDirectory(copySource);
        WriteRandom(Path.Combine(copySource, "big.bin"), BigFile);
        var moveSource = rcmd.Combine($"{name}-move-in", "big.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(moveSource)!);
        WriteRandom(moveSource, BigFile);
        var copyDestination = rcmd.Combine($"{name}-copy-out");

        var copy = await CreateJobAsync(rcmd.Http, new { type = "copy", source = copySource, destination = copyDestination });
        // To another file system (tmpfs): a move there is a real copy and delete that bwlimit slows, not a rename.
        var moveDestination = Path.Combine("/dev/shm", $"rcmd-e2e-{Guid.NewGuid():N}", "big.bin");
        rcmd.OnDispose(() => Directory.Delete(Path.GetDirectoryName(moveDestination)!, recursive: true));
        var move = await CreateJobAsync(rcmd.Http, new { type = "movefile", source = moveSource, destination = moveDestination });
        foreach (var id in new[] { copy, move })
        {
            await Wait.UntilAsync(async () =>
            {
                var job = await JobAsync(rcmd, id);
                return job.GetProperty("state").GetString() == "running" && job.TryGetProperty("progress", out var progress)
                    && progress.TryGetProperty("bytes", out var bytes) && bytes.GetInt64() > 0;
            }, TimeSpan.FromSeconds(60), $"job {id} to be copying", rcmd.Tail);
        }

        return (copy, copyDestination, move, moveSource);
    }

    private async Task AssertCopyRanAgainAndMoveFailedAsync(BatchHarness rcmd, string copy, string copyDestination, string move, string moveSource)
    {
        JsonElement copied = default, moved = default;
        await Wait.UntilAsync(async () =>
        {
            copied = await JobAsync(rcmd, copy);
            moved = await JobAsync(rcmd, move);
            return IsFinal(copied) && IsFinal(moved);
        }, TimeSpan.FromSeconds(90), "both jobs to end (not left running)", () => $"{copied.GetRawText()}\n{moved.GetRawText()}\n{rcmd.Tail()}");
        output.WriteLine("copy: " + copied.GetRawText());
        output.WriteLine("movefile: " + moved.GetRawText());

        Assert.Equal("succeeded", copied.GetProperty("state").GetString());
        var attempts = copied.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("server_restarted", attempts[0].GetProperty("errorCode").GetString());
        Assert.Equal(BigFile, new FileInfo(Path.Combine(copyDestination, "big.bin")).Length);

        Assert.Equal("failed", moved.GetProperty("state").GetString());
        Assert.Equal("server_restarted", moved.GetProperty("error").GetProperty("code").GetString());
        Assert.Single(moved.GetProperty("attempts").EnumerateArray());
        Assert.True(File.Exists(moveSource), "the interrupted move's source must still be there");
        Assert.Equal(BigFile, new FileInfo(moveSource).Length);
    }

    private static bool IsFinal(JsonElement job) => job.GetProperty("state").GetString() is "succeeded" or "failed" or "canceled";

    private static async Task<JsonElement> JobAsync(BatchHarness rcmd, string id) => await rcmd.Http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}");

    private static async Task<string> CreateJobAsync(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("api/jobs", body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            Assert.Fail($"POST /api/jobs answered {(int)response.StatusCode}: {text}");
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private static void WriteRandom(string path, long size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }
}

using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// Issue 14's restart promises through rclone's own wire, whole system: an async <c>job/batch</c> outlives the Api that
/// ran it (killed -9, restarted by the AppHost, the batch resumed by the new Api); and after every service restarts
/// (Redis from its AOF, rcd, the Workers, the Api) <c>job/status</c> of old RC ids answers as before and new ids are
/// larger than every old one.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class RcRestartTests
{
    [Fact]
    public async Task AsyncJobBatch_ApiKilledMidBatch_NewApiResumesIt_EveryItemsResult_NoCopyTwice()
    {
        // Three synchronous copies one after the other, throttled (rcd's 4 MiB burst, then 1 MiB/s): ~8 s of work.
        await using var rcmd = await BatchHarness.StartAsync(workers: 1, env =>
        {
            env["RCLONE_BWLIMIT"] = "1M";
            env["Rcmd__Rc__BatchLease"] = "00:00:03";
            env["Rcmd__Rc__BatchResumeInterval"] = "00:00:00.500";
        });
        var sources = Enumerable.Range(0, 3).Select(i => rcmd.MakeFiles($"in{i}", 16, 256 * 1024)).ToList();
        var destinations = Enumerable.Range(0, 3).Select(i => rcmd.Combine($"out{i}")).ToList();
        var batchId = await rcmd.StartRcCopyBatchAsync(sources, destinations);

        // The second copy under way: the Api dies mid-batch.
        await Wait.UntilAsync(() => Task.FromResult(Directory.Exists(destinations[1]) && Directory.GetFiles(destinations[1]).Length > 0),
            TimeSpan.FromSeconds(90), "the batch's second copy to be under way", rcmd.Tail);
        var api = rcmd.CurrentPid("api") ?? throw new InvalidOperationException("no api pid in rcmd.pids");
        Assert.False(Directory.Exists(destinations[2]), "the batch ended before the Api could be killed");
        BatchHarness.Signal(api, "KILL");
        await rcmd.WaitForRestartAsync("api", api, TimeSpan.FromSeconds(90));

        var status = await rcmd.RcUntilFinishedAsync(batchId, TimeSpan.FromSeconds(180));

        Assert.True(status.GetProperty("success").GetBoolean(), status.ToString());
        var results = status.GetProperty("output").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.All(results, result => Assert.Empty(result.EnumerateObject())); // each copy's {} as rcd answers a success
        Assert.All(destinations, destination => Assert.Equal(16, Directory.GetFiles(destination).Length));
        var copies = await rcmd.Http.GetFromJsonAsync<JsonElement>("api/jobs?type=copy&pageSize=50");
        Assert.Equal(3, copies.GetProperty("total").GetInt64()); // the copy running when the Api died was waited for, not queued again
    }

    [Fact]
    public async Task AsyncCopies_EveryServiceRestarted_OldIdsAnswerTheSame_NewIdsLarger()
    {
        await using var rcmd = await BatchHarness.StartAsync(workers: 1);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var source = rcmd.MakeFiles($"in{i}", 3, 1024);
            using var started = await rcmd.Http.PostAsync(
                $"rc/sync/copy?srcFs={Uri.EscapeDataString(source)}&dstFs={Uri.EscapeDataString(rcmd.Combine($"out{i}"))}&_async=true", null);
            started.EnsureSuccessStatusCode();
            ids.Add((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetInt64());
        }

        using var batch = await rcmd.Http.PostAsync("rc/job/batch", new StringContent("""
            {"_async": true, "inputs": [{"_path": "rc/noop", "a": 1}]}
            """, Encoding.UTF8, "application/json"));
        batch.EnsureSuccessStatusCode();
        ids.Add((await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetInt64());

        var before = new Dictionary<long, string>();
        foreach (var id in ids)
        {
            before[id] = (await rcmd.RcUntilFinishedAsync(id, TimeSpan.FromSeconds(120))).GetRawText();
        }

        // Every service stopped and started again on the same data directory: Redis (AOF), rcd, the Worker, the Api.
        await rcmd.System.StopAsync();
        await rcmd.System.StartAsync(FreePort.Next(), "--no-web", "--workers", "1");
        using var http = new HttpClient { BaseAddress = rcmd.System.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };

        foreach (var id in ids)
        {
            using var response = await http.PostAsync($"rc/job/status?jobid={id}", null);
            response.EnsureSuccessStatusCode();
            Assert.Equal(before[id], (await response.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());
        }

        using var listed = await http.PostAsync("rc/job/list", null);
        var jobIds = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Equal(ids.Order(), jobIds.Order());
        using var next = await http.PostAsync(
            $"rc/sync/copy?srcFs={Uri.EscapeDataString(rcmd.Combine("in0"))}&dstFs={Uri.EscapeDataString(rcmd.Combine("out-new"))}&_async=true", null);
        next.EnsureSuccessStatusCode();
        var newId = (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetInt64();
        Assert.True(newId > ids.Max(), $"new id {newId} after {string.Join(", ", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)))}");
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// <c>job/stop</c> of an async <c>job/batch</c> through rclone's own wire, whole system (real Worker and rcd): the copy in
/// flight is canceled in rcd, no further input starts, and <c>job/status</c> of the batch ends <c>"context canceled"</c>.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class RcStopTests
{
    [Fact]
    public async Task AsyncJobBatch_StoppedMidCopy_CopyCanceled_NoFurtherInput_StatusContextCanceled()
    {
        // Three synchronous copies one after the other, throttled (rcd's 4 MiB burst, then 1 MiB/s): ~6 s each past the burst.
        await using var rcmd = await BatchHarness.StartAsync(workers: 1, env => env["RCLONE_BWLIMIT"] = "1M");
        var sources = Enumerable.Range(0, 3).Select(i => rcmd.MakeFiles($"in{i}", 40, 256 * 1024)).ToList();
        var destinations = Enumerable.Range(0, 3).Select(i => rcmd.Combine($"out{i}")).ToList();
        var batchId = await rcmd.StartRcCopyBatchAsync(sources, destinations);

        // The first copy past rcd's burst, not done: the batch is stopped mid-copy.
        await Wait.UntilAsync(() => Task.FromResult(Directory.Exists(destinations[0]) && Directory.GetFiles(destinations[0]).Length >= 20),
            TimeSpan.FromSeconds(90), "the batch's first copy to be under way", rcmd.Tail);
        using var stop = await rcmd.Http.PostAsync($"rc/job/stop?jobid={batchId}", null);
        var stopText = await stop.Content.ReadAsStringAsync();
        Assert.True(stop.IsSuccessStatusCode, stopText);
        Assert.Equal("{}", stopText.Trim());
        var copiedAtStop = Directory.GetFiles(destinations[0]).Length;
        Assert.True(copiedAtStop < 40, "the first copy ended before the stop");

        var status = await rcmd.RcUntilFinishedAsync(batchId, TimeSpan.FromSeconds(60));

        Assert.False(status.GetProperty("success").GetBoolean(), status.ToString());
        Assert.Equal("context canceled", status.GetProperty("error").GetString());
        var results = status.GetProperty("output").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.All(results, result => Assert.Equal(("context canceled", "sync/copy"),
            (result.GetProperty("error").GetString(), result.GetProperty("path").GetString())));

        // The copy in flight ends canceled (its Worker stops its rcd run); no other copy was ever queued.
        JsonElement copies = default;
        await Wait.UntilAsync(async () =>
        {
            copies = await rcmd.Http.GetFromJsonAsync<JsonElement>("api/jobs?type=copy&pageSize=50");
            return copies.GetProperty("items").EnumerateArray().All(job => BatchHarness.State(job) == "canceled");
        }, TimeSpan.FromSeconds(60), "the in-flight copy to end canceled", rcmd.Tail);
        Assert.Equal(1, copies.GetProperty("total").GetInt64());
        await Task.Delay(TimeSpan.FromSeconds(3)); // long enough for a further input to have started, had one
        Assert.False(Directory.Exists(destinations[1]) || Directory.Exists(destinations[2]), "an input started after the stop");
        Assert.True(Directory.GetFiles(destinations[0]).Length < 40, "the canceled copy went on to the end");
        Assert.Equal(1, (await rcmd.Http.GetFromJsonAsync<JsonElement>("api/jobs?type=copy&pageSize=50")).GetProperty("total").GetInt64());
    }
}

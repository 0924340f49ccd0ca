using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// Redis goes away in the middle of a batch and comes back (AOF on, as the AppHost runs it). Two kinds of "down" in a row:
/// first Redis hangs (SIGSTOP: connections open, nothing answers — the case where a client could hang forever), then,
/// still stopped, it is killed (SIGKILL) and the AppHost starts it again from its AOF a second later (connections refused,
/// then a fresh server). While it is down the Api answers 503 in the JSON error shape within seconds; afterwards the same
/// Api and Worker processes (not restarted ones) reconnect by themselves and the batch finishes with no item lost.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class BatchRedisOutageTests(ITestOutputHelper output)
{
    private const int Items = 1000;

    [Fact]
    public async Task RedisHungThenKilledMidBatch_ApiAnswers503_ProcessesReconnect_BatchFinishesWithNoItemLost()
    {
        await using var rcmd = await BatchHarness.StartAsync(workers: 2, env => env["RCLONE_BWLIMIT"] = "64K");
        var (id, destination) = await rcmd.StartCopyBatchAsync(Items);
        var services = rcmd.System.ProcessIds.Where(p => p.Key == "api" || p.Key.StartsWith("worker-", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(3, services.Count);
        var redis = rcmd.CurrentPid("redis")!.Value;

        // 1) Hung: every answer is a 503 with the error shape, each within the Redis client's timeouts (not a hang).
        BatchHarness.Signal(redis, "STOP");
        var hung = new List<(HttpStatusCode Status, TimeSpan Took, string Body)>();
        try
        {
            var until = Stopwatch.StartNew();
            while (until.Elapsed < TimeSpan.FromSeconds(8))
            {
                hung.Add(await TimedGetAsync(rcmd.Http, $"api/batches/{id}"));
            }

            hung.Add(await TimedGetAsync(rcmd.Http, "api/jobs?pageSize=5"));
        }
        finally
        {
            // 2) Killed while stopped (SIGKILL reaches a stopped process); the AppHost restarts it after 1 s.
            BatchHarness.Signal(redis, "KILL");
        }

        var refused = new List<(HttpStatusCode Status, TimeSpan Took, string Body)>();
        var restartedRedis = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var answer = await TimedGetAsync(rcmd.Http, $"api/batches/{id}");
            if (answer.Status == HttpStatusCode.OK)
            {
                break;
            }

            refused.Add(answer);
            restartedRedis = rcmd.CurrentPid("redis") ?? 0;
            await Task.Delay(100);
        }

        output.WriteLine("while hung: " + Summary(hung));
        output.WriteLine("after the kill, until 200: " + Summary(refused));
        Assert.NotEmpty(hung);
        Assert.All(hung.Concat(refused), AssertServiceUnavailable);
        Assert.All(hung, a => Assert.True(a.Took < TimeSpan.FromSeconds(15), $"a request took {a.Took.TotalSeconds:0.0} s while Redis hung"));

        var end = await rcmd.WaitForEndAsync(id, TimeSpan.FromSeconds(120));
        Assert.NotEqual(redis, rcmd.CurrentPid("redis"));
        output.WriteLine($"redis pid {redis} → {rcmd.CurrentPid("redis")} (seen during the outage: {restartedRedis})");

        // The same Api and Worker processes carried on: they reconnected, nobody restarted them.
        foreach (var (name, pid) in services)
        {
            Assert.Equal(pid, rcmd.CurrentPid(name));
        }

        var report = await rcmd.ReportAsync(id);
        output.WriteLine($"batch at the end: {end.GetRawText()}");
        output.WriteLine($"not final: {string.Join(", ", report.Items.Where(i => i.State is not ("succeeded" or "failed")).Select(i => $"{i.Index} {i.State}"))}");
        output.WriteLine(string.Join('\n', rcmd.System.Output.Split('\n').Where(l => l.Contains("worker", StringComparison.Ordinal)
            && (l.Contains("Batch", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("lease", StringComparison.OrdinalIgnoreCase))).TakeLast(40)));
        output.WriteLine($"ended {BatchHarness.State(end)}; attempts per item: "
            + string.Join(", ", report.Items.GroupBy(i => i.Attempts).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}")));
        BatchHarness.AssertReportMatchesDisk(report, Items, destination);
        Assert.Equal("succeeded", BatchHarness.State(end));
        Assert.Equal(Items, BatchHarness.Count(end, "succeeded"));
    }

    private static async Task<(HttpStatusCode Status, TimeSpan Took, string Body)> TimedGetAsync(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path);
        return (response.StatusCode, watch.Elapsed, await response.Content.ReadAsStringAsync());
    }

    private static void AssertServiceUnavailable((HttpStatusCode Status, TimeSpan Took, string Body) answer)
    {
        if (answer.Status != HttpStatusCode.ServiceUnavailable)
        {
            Assert.Fail($"{(int)answer.Status} while Redis was down: {answer.Body}");
        }

        using var json = JsonDocument.Parse(answer.Body);
        var error = json.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.True(error.GetProperty("normalizedError").GetProperty("retryable").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("normalizedError").GetProperty("code").GetString()));
        Assert.DoesNotContain("   at ", answer.Body, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Exception", answer.Body, StringComparison.Ordinal);
    }

    private static string Summary(List<(HttpStatusCode Status, TimeSpan Took, string Body)> answers) =>
        answers.Count == 0 ? "none" :
        $"{answers.Count} answers ({string.Join(", ", answers.GroupBy(a => (int)a.Status).Select(g => $"{g.Count()} × {g.Key}"))}), "
        + $"slowest {answers.Max(a => a.Took).TotalSeconds:0.00} s; first body: {answers[0].Body}";
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// kill -9 of the Worker running a 2,000-item batch, five times at random moments, with three Workers (the AppHost
/// restarts each killed one): the batch is adopted each time and finishes; every item has exactly one final result; the
/// report's counts equal the files on disk, byte for byte.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed partial class BatchWorkerKillTests(ITestOutputHelper output)
{
    private const int Items = 2000;
    private const int Kills = 5;

    [Fact]
    public async Task TwoThousandItems_RunningWorkerKilledFiveTimes_FinishesWithEveryItemDoneOnceAndFilesOnDisk()
    {
        await using var rcmd = await BatchHarness.StartAsync(workers: 3, env =>
        {
            // 2,000 KiB at 16 KiB/s: about 2 minutes of copying, so five kills (each followed by an adoption) land inside
            // the run. At 64 KiB/s, and on a quiet machine at 32 KiB/s, a batch ended after three kills.
            env["RCLONE_BWLIMIT"] = "16K";
            // A dead Worker's remote permits ("local", 16 across Workers) come back after this lease; with the default
            // (60 s) five kills in a minute would leave every permit held by dead processes until they expire.
            env["Batches__PermitLease"] = "00:00:05";
        });
        var source = rcmd.MakeFiles("in", Items, 1024);
        var destination = rcmd.Combine("out");
        var id = await rcmd.SubmitAsync(new
        {
            name = "kill -9 five times",
            items = BatchHarness.CopyItems(source, destination, Items),
            options = new { concurrency = 8, checkpointEvery = 10 },
        });

        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = new List<(string Worker, int Pid, long DoneBefore)>();
        var killsPerReplica = new Dictionary<string, int>(StringComparer.Ordinal);
        long lastDone = -1;
        while (kills.Count < Kills)
        {
            // The batch has moved on since the last kill (so it was adopted) by more than what was in flight.
            var job = await rcmd.WaitForAsync(id, j => BatchHarness.IsTerminal(j)
                    || (BatchHarness.State(j) == "running" && j.TryGetProperty("workerId", out _) && Done(j) > lastDone + 20),
                TimeSpan.FromSeconds(60), $"the batch to make progress after kill {kills.Count}");
            Assert.False(BatchHarness.IsTerminal(job), $"the batch ended after {kills.Count} kills; the test needs it running for {Kills}");

            await Task.Delay(random.Next(100, 1500));
            job = await rcmd.GetAsync(id);
            var owner = job.GetProperty("workerId").GetString()!;
            if (BatchHarness.IsTerminal(job) || rcmd.CurrentPid(owner) is not { } pid || killsPerReplica.GetValueOrDefault(owner) >= 3
                || !BatchHarness.TrySignal(pid, "KILL"))
            {
                // Ended (asserted above on the next round), or its Worker is restarting (rcmd.pids may still name the
                // process that just ended), or it was killed three times already: try again at another moment.
                lastDone = Math.Max(lastDone, Done(job) - 20);
                continue;
            }

            killsPerReplica[owner] = killsPerReplica.GetValueOrDefault(owner) + 1;
            kills.Add((owner, pid, Done(job)));
            lastDone = Done(job);
        }

        var end = await rcmd.WaitForEndAsync(id, TimeSpan.FromSeconds(240));
        output.WriteLine($"seed {seed}; kills: {string.Join(", ", kills.Select(k => $"{k.Worker} (pid {k.Pid}) at {k.DoneBefore} done"))}");

        var report = await rcmd.ReportAsync(id);
        BatchHarness.AssertReportMatchesDisk(report, Items, destination);
        var attempts = report.Items.GroupBy(i => i.Attempts).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}");
        var failed = report.Items.Where(i => i.State == "failed").ToList();
        output.WriteLine($"ended {BatchHarness.State(end)}: {Count(end, "succeeded")} succeeded, {Count(end, "failed")} failed "
            + $"({string.Join(", ", failed.GroupBy(f => f.Code).Select(g => $"{g.Key}: {g.Count()}"))}); attempts per item: {string.Join(", ", attempts)}");

        // Copies of local files do not fail: the expected end is every item succeeded, in one recorded rcd call each
        // (a retry would show as attempts 2). An item whose call was in flight at a kill has no result and runs again
        // without counting: the Workers' "resuming N item(s) that were in flight" lines bound those re-runs.
        Assert.Equal("succeeded", BatchHarness.State(end));
        Assert.Equal(Items, Count(end, "succeeded"));
        Assert.All(report.Items, i => Assert.True(i.Attempts >= 1, $"item {i.Index} has {i.Attempts} attempts"));
        Assert.False(end.GetProperty("batch").GetProperty("canResume").GetBoolean());

        // Each kill was followed by an adoption by a live Worker; the log lines of the adoptions that the AppHost's output
        // still holds say how many items each adopter found in flight without a result: the ones running in rcd (at most
        // the concurrency, 8) and the ones rcd had answered whose results were being written (at most 8 more) — only these
        // may have been copied twice, harmlessly — plus the ones read ahead but not yet started (one scan, 16): at most
        // 32 each.
        var recovered = ResumingLine().Matches(rcmd.System.Output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        output.WriteLine($"adoptions seen in the log: {recovered.Count}, in-flight items re-run: {string.Join(" + ", recovered)} = {recovered.Sum()}");
        Assert.All(recovered, r => Assert.InRange(r, 0, 32));
        Assert.Equal(Items, BatchHarness.FilesIn(destination).Count);
    }

    private static long Done(JsonElement job) => Count(job, "succeeded") + Count(job, "failed");

    private static long Count(JsonElement job, string counter) => BatchHarness.Count(job, counter);

    [GeneratedRegex(@"resuming (\d+) item\(s\) that were in flight")]
    private static partial Regex ResumingLine();
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>
/// One whole Rcmd (AppHost, <c>--no-web</c>, N Workers) for one batch test, with short Worker leases so a killed Worker's
/// batch is adopted within seconds: lease 5 s, heartbeat 1 s, lease check 250 ms (all through the AppHost's environment,
/// which every service gets). Processes are found by name in <c>{data}/rcmd.pids</c>, which the AppHost rewrites each
/// time it starts a process again, so a test always kills the process running now.
/// </summary>
public sealed class BatchHarness : IAsyncDisposable
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(5);

    private readonly TempDirectory _root = new("e2e-batch");
    private readonly List<Action> _cleanups = [];

    private BatchHarness()
    {
        Directory.CreateDirectory(_root.Combine("data"));
        File.WriteAllText(_root.Combine("data", "rclone.conf"), string.Empty);
        System = new RcmdSystem(_root.Combine("data"));
        System.Environment["Worker__LeaseDuration"] = LeaseDuration.ToString("c", CultureInfo.InvariantCulture);
        System.Environment["Worker__HeartbeatInterval"] = "00:00:01";
        System.Environment["Worker__LeaseCheckInterval"] = "00:00:00.250";
    }

    public RcmdSystem System { get; }

    public HttpClient Http { get; private set; } = null!;

    public string Combine(params string[] parts) => _root.Combine(parts);

    /// <summary>Starts Rcmd with <paramref name="workers"/> Workers; <paramref name="configure"/> may add environment first.</summary>
    public static async Task<BatchHarness> StartAsync(int workers, Action<IDictionary<string, string?>>? configure = null)
    {
        var harness = new BatchHarness();
        configure?.Invoke(harness.System.Environment);
        await harness.System.StartAsync(FreePort.Next(), "--no-web", "--workers", workers.ToString(CultureInfo.InvariantCulture));
        harness.Http = new HttpClient { BaseAddress = harness.System.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        return harness;
    }

    /// <summary><paramref name="count"/> files of <paramref name="size"/> bytes, each with its own content (so a mix-up shows).</summary>
    public string MakeFiles(string name, int count, int size)
    {
        var dir = Combine(name);
        Directory.CreateDirectory(dir);
        var random = new Random(count * 31 + size);
        var content = new byte[size];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(content);
            File.WriteAllBytes(Path.Combine(dir, FileName(i)), content);
        }

        return dir;
    }

    public static string FileName(int index) => $"f{index:D6}.bin";

    /// <summary>copyfile items for files 0..count-1 of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static object[] CopyItems(string source, string destination, int count) =>
        [.. Enumerable.Range(0, count).Select(i => (object)new
        {
            op = "copyfile",
            source = Path.Combine(source, FileName(i)),
            destination = Path.Combine(destination, FileName(i)),
        })];

    /// <summary>POST /api/batches; asserts 202 and returns the batch id.</summary>
    public async Task<string> SubmitAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync("api/batches", body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            Assert.Fail($"POST /api/batches answered {(int)response.StatusCode}: {text}");
        }

        using var json = JsonDocument.Parse(text);
        Assert.Equal("batch", json.RootElement.GetProperty("type").GetString());
        return json.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Submits a batch copying <paramref name="items"/> 1 KiB files from a new "in" folder to "out" (concurrency 8,
    /// checkpointEvery 10) and waits until it is running with 100 items done. Returns the id and the destination.
    /// </summary>
    public async Task<(string Id, string Destination)> StartCopyBatchAsync(int items)
    {
        var source = MakeFiles("in", items, 1024);
        var destination = Combine("out");
        var id = await SubmitAsync(new { items = CopyItems(source, destination, items), options = new { concurrency = 8, checkpointEvery = 10 } });
        await WaitForAsync(id, j => State(j) == "running" && Count(j, "succeeded") >= 100, TimeSpan.FromSeconds(60), "100 items done");
        return (id, destination);
    }

    public async Task<JsonElement> GetAsync(string id) => await Http.GetFromJsonAsync<JsonElement>($"api/batches/{id}");

    public static string State(JsonElement job) => job.GetProperty("state").GetString()!;

    public static long Count(JsonElement job, string counter) => job.GetProperty("batch").GetProperty(counter).GetInt64();

    public static bool IsTerminal(JsonElement job) => State(job) is "succeeded" or "partially_failed" or "failed" or "canceled";

    /// <summary>Polls the batch until <paramref name="condition"/> holds; the AppHost's last lines are in the failure message.</summary>
    public async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        JsonElement last = default;
        await Wait.UntilAsync(async () =>
        {
            last = await GetAsync(id);
            return condition(last);
        }, timeout, what, () => $"last seen: {(last.ValueKind == JsonValueKind.Undefined ? "-" : last.GetRawText())}\n{Tail()}");
        return last;
    }

    public Task<JsonElement> WaitForEndAsync(string id, TimeSpan timeout) => WaitForAsync(id, IsTerminal, timeout, $"batch {id} to end");

    /// <summary>GET /api/batches/{id}/report.json: every item.</summary>
    public async Task<BatchReport> ReportAsync(string id)
    {
        using var response = await Http.GetAsync($"api/batches/{id}/report.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var items = json.GetProperty("items").EnumerateArray().Select(i => new ReportItem(
            i.GetProperty("index").GetInt64(),
            i.GetProperty("source").GetString()!,
            i.TryGetProperty("destination", out var d) ? d.GetString() : null,
            i.GetProperty("state").GetString()!,
            i.TryGetProperty("code", out var c) ? c.GetString() : null,
            i.TryGetProperty("attempts", out var a) ? a.GetInt32() : 0,
            i.TryGetProperty("finishedAt", out var f) ? f.GetString() : null)).ToList();
        return new BatchReport(json.GetProperty("state").GetString()!, json.GetProperty("totals").Clone(), items);
    }

    /// <summary>The process now running as <paramref name="name"/> (api, redis, rclone, a Worker replica by its name), from <c>rcmd.pids</c>.</summary>
    public int? CurrentPid(string name)
    {
        var path = Path.Combine(System.DataDirectory, "rcmd.pids");
        try
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ', 3);
                if (parts.Length == 3 && parts[2] == name)
                {
                    return int.Parse(parts[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Rewritten at this moment: the caller polls.
        }

        return null;
    }

    /// <summary>Waits until the AppHost has started <paramref name="name"/> again under a new pid.</summary>
    public async Task<int> WaitForRestartAsync(string name, int oldPid, TimeSpan timeout)
    {
        var pid = 0;
        await Wait.UntilAsync(() =>
        {
            pid = CurrentPid(name) ?? 0;
            return Task.FromResult(pid != 0 && pid != oldPid);
        }, timeout, $"the AppHost to restart {name}", Tail);
        return pid;
    }

    /// <summary>Sends a signal to a process; false when there is no such process (it has just ended).</summary>
    public static bool TrySignal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
        })!;
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }

    /// <summary>Sends a signal (KILL, STOP, CONT, TERM) to a process.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Redis keys matching <paramref name="pattern"/> (redis-cli --scan), to check what a request left behind.</summary>
    public HashSet<string> RedisKeys(string pattern)
    {
        var address = System.RedisConnectionString.Split(',')[0];
        var colon = address.LastIndexOf(':');
        using var cli = Process.Start(new ProcessStartInfo("redis-cli",
            ["-h", address[..colon], "-p", address[(colon + 1)..], "--scan", "--pattern", pattern]) { RedirectStandardOutput = true })!;
        var keys = cli.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        cli.WaitForExit();
        Assert.Equal(0, cli.ExitCode);
        return [.. keys];
    }

    /// <summary>
    /// Starts an async <c>job/batch</c> over rclone's wire of one synchronous <c>sync/copy</c> per source, one at a time
    /// (<c>concurrency 1</c>); returns its RC job id.
    /// </summary>
    public async Task<long> StartRcCopyBatchAsync(IReadOnlyList<string> sources, IReadOnlyList<string> destinations)
    {
        var inputs = new JsonArray([.. sources.Select((source, i) => (JsonNode)new JsonObject
        {
            ["_path"] = "sync/copy",
            ["srcFs"] = source,
            ["dstFs"] = destinations[i],
        })]);
        var body = new JsonObject { ["_async"] = true, ["concurrency"] = 1, ["inputs"] = inputs };
        using var started = await Http.PostAsync("rc/job/batch", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        started.EnsureSuccessStatusCode();
        return (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobid").GetInt64();
    }

    /// <summary><c>job/status</c> of an RC job once it says finished; an Api starting again meanwhile is waited for.</summary>
    public async Task<JsonElement> RcUntilFinishedAsync(long rcJobId, TimeSpan timeout)
    {
        JsonElement status = default;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                using var response = await Http.PostAsync($"rc/job/status?jobid={rcJobId}", null);
                if (!response.IsSuccessStatusCode)
                {
                    return false; // the Api is starting again
                }

                status = await response.Content.ReadFromJsonAsync<JsonElement>();
                return status.GetProperty("finished").GetBoolean();
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, $"job/status {rcJobId} to say finished", Tail);
        return status;
    }

    public string Tail() => string.Join('\n', System.Output.Split('\n').TakeLast(60));

    /// <summary>Files in <paramref name="destination"/> (recursive) by name relative to it.</summary>
    public static Dictionary<string, string> FilesIn(string destination) =>
        Directory.Exists(destination)
            ? Directory.GetFiles(destination, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(destination, f), f => f)
            : [];

    /// <summary>
    /// The report against the disk: one result per item index 0..total-1, every one final, the counts equal to the items'
    /// states, each succeeded item's destination present with the source's bytes, and no other file in the destination.
    /// </summary>
    public static void AssertReportMatchesDisk(BatchReport report, int total, string destination)
    {
        Assert.Equal(total, report.Items.Count);
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), report.Items.Select(i => i.Index).Order());
        Assert.All(report.Items, i => Assert.Contains(i.State, new[] { "succeeded", "failed" }));
        var succeeded = report.Items.Where(i => i.State == "succeeded").ToList();
        Assert.Equal(succeeded.Count, report.Totals.GetProperty("succeeded").GetInt64());
        Assert.Equal(report.Items.Count(i => i.State == "failed"), report.Totals.GetProperty("failed").GetInt64());
        Assert.Equal(total, report.Totals.GetProperty("total").GetInt64());
        Assert.Equal(0, report.Totals.GetProperty("pending").GetInt64());
        Assert.Equal(0, report.Totals.GetProperty("running").GetInt64());
        Assert.Equal(0, report.Totals.GetProperty("retryQueued").GetInt64());

        var onDisk = FilesIn(destination);
        Assert.Equal(succeeded.Count, onDisk.Count);
        foreach (var item in succeeded)
        {
            Assert.True(File.Exists(item.Destination), $"item {item.Index} succeeded but {item.Destination} is missing");
            Assert.Equal(File.ReadAllBytes(item.Source), File.ReadAllBytes(item.Destination!));
        }

        Assert.All(report.Items.Where(i => i.State == "failed"), i => Assert.False(string.IsNullOrEmpty(i.Code), $"item {i.Index} failed without a code"));
    }

    /// <summary>Cleanup of something a test made outside the harness's folder (best effort, after the system stopped).</summary>
    public void OnDispose(Action cleanup) => _cleanups.Add(cleanup);

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await System.DisposeAsync();
        foreach (var cleanup in _cleanups)
        {
            try
            {
                cleanup();
            }
            catch (IOException)
            {
            }
        }

        _root.Dispose();
    }
}

/// <summary>The batch tests each start a whole system (5+ processes): one at a time, not in parallel with each other.</summary>
[CollectionDefinition(Name)]
public sealed class BatchCollection
{
    public const string Name = "Batches, whole system";
}

public sealed record BatchReport(string State, JsonElement Totals, IReadOnlyList<ReportItem> Items);

public sealed record ReportItem(long Index, string Source, string? Destination, string State, string? Code, int Attempts, string? FinishedAt);

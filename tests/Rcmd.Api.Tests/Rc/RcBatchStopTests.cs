using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Rcmd.Api.Tests.Rc;

/// <summary>
/// <c>job/stop</c> and <c>job/stopgroup</c> of an async <c>job/batch</c> (its durable stop request, RcBatchStops), and
/// <c>job/list</c>'s bound, through the real Api, real Redis and real rcd. No Worker runs here: a synchronous transfer
/// input stays queued, so it is the batch's input in flight for as long as a test needs.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RcBatchStopTests(RedisAndRcloneFixture fixture, ITestOutputHelper output)
{
    /// <summary>One input answered, one synchronous copy in flight (queued, no Worker), two not started — at concurrency 1.</summary>
    private const string MidwayBatch = """
        {"_async": true, "concurrency": 1, "inputs": [
          {"_path": "rc/noop", "a": 1},
          {"_path": "sync/copy", "srcFs": "/data/in", "dstFs": "s3prod:b"},
          {"_path": "sync/copy", "srcFs": "/data/in", "dstFs": "s3prod:c"},
          {"_path": "rc/noop", "b": 2}]}
        """;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, string? json = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var response = await http.PostAsync(path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));
        return await JsonAsync(response, status);
    }

    private static async Task<long> StartBatchAsync(HttpClient http, string json) =>
        (await PostAsync(http, "/rc/job/batch", json)).GetProperty("jobid").GetInt64();

    private static async Task<IReadOnlyList<Job>> JobsAsync(ApiFactory factory) =>
        (await factory.Services.GetRequiredService<JobStore>().ListAsync(new JobQuery(null, 1, 50), CancellationToken.None)).Items;

    private static async Task<JsonElement> UntilFinishedAsync(HttpClient http, long rcJobId, TimeSpan? within = null)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            var status = await PostAsync(http, $"/rc/job/status?jobid={rcJobId}");
            if (status.GetProperty("finished").GetBoolean())
            {
                return status;
            }

            if (until.Elapsed > (within ?? TimeSpan.FromSeconds(15)))
            {
                throw new TimeoutException($"RC job {rcJobId} did not finish: {status}");
            }

            await Task.Delay(100);
        }
    }

    private static void AssertCanceled(JsonElement result, string path)
    {
        Assert.Equal("context canceled", result.GetProperty("error").GetString());
        Assert.Equal(500, result.GetProperty("status").GetInt32());
        Assert.Equal(path, result.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Object, result.GetProperty("input").ValueKind);
    }

    /// <summary>The batch's end after a stop: failed with rclone's words, the first input's reply kept, the rest cut.</summary>
    private static void AssertStoppedMidway(JsonElement status)
    {
        Assert.True(status.GetProperty("finished").GetBoolean());
        Assert.False(status.GetProperty("success").GetBoolean(), status.ToString());
        Assert.Equal("context canceled", status.GetProperty("error").GetString());
        var results = status.GetProperty("output").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        Assert.Equal(1, results[0].GetProperty("a").GetInt32()); // answered before the stop: kept
        AssertCanceled(results[1], "sync/copy"); // in flight: its job canceled
        AssertCanceled(results[2], "sync/copy"); // not started
        AssertCanceled(results[3], "rc/noop");
    }

    [Fact]
    public async Task JobStop_AsyncBatchMidway_NoFurtherInputStarts_InFlightJobCanceled_EndsContextCanceled()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var batchId = await StartBatchAsync(http, MidwayBatch);
        await Wait.UntilAsync(async () => (await JobsAsync(factory)).Count == 1, TimeSpan.FromSeconds(10), "the batch's first copy to be queued");

        var stopped = await PostAsync(http, $"/rc/job/stop?jobid={batchId}");

        Assert.Empty(stopped.EnumerateObject()); // {} as rcd answers
        AssertStoppedMidway(await UntilFinishedAsync(http, batchId));
        var copy = Assert.Single(await JobsAsync(factory)); // the second copy never queued
        Assert.Equal(("s3prod:b", JobState.Canceled), (copy.Destination, copy.State));
        var list = await PostAsync(http, "/rc/job/list");
        Assert.Contains(batchId, list.GetProperty("finishedIds").EnumerateArray().Select(e => e.GetInt64()));
        var redis = factory.Services.GetRequiredService<RedisConnection>();
        Assert.False(await redis.Database.KeyExistsAsync(redis.Keys.RcBatchStop(batchId))); // the request goes with the end
    }

    [Fact]
    public async Task JobStop_FinishedBatch_AnswersEmpty_StatusUnchanged_UnknownIdJobNotFound()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var batchId = await StartBatchAsync(http, """{"_async": true, "inputs": [{"_path": "rc/noop", "a": 1}]}""");
        var before = await UntilFinishedAsync(http, batchId);

        var stopped = await PostAsync(http, $"/rc/job/stop?jobid={batchId}");
        var unknown = await PostAsync(http, "/rc/job/stop?jobid=987654321", status: HttpStatusCode.InternalServerError);

        Assert.Empty(stopped.EnumerateObject());
        var after = await PostAsync(http, $"/rc/job/status?jobid={batchId}");
        Assert.True(after.GetProperty("success").GetBoolean(), after.ToString());
        Assert.Equal("", after.GetProperty("error").GetString());
        Assert.Equal(before.GetProperty("endTime").GetString(), after.GetProperty("endTime").GetString());
        Assert.Equal(("job not found", 500, "job/stop"), (unknown.GetProperty("error").GetString(), unknown.GetProperty("status").GetInt32(),
            unknown.GetProperty("path").GetString()));
        var redis = factory.Services.GetRequiredService<RedisConnection>();
        Assert.False(await redis.Database.KeyExistsAsync(redis.Keys.RcBatchStop(batchId))); // nothing recorded for an ended batch
    }

    [Fact]
    public async Task JobStop_RecordedWhileItsApiDoesNotSeeIt_ApiRestarted_ResumingApiEndsItStopped()
    {
        // The first Api renews (and reads stop requests) only every 60 s: it stops before it would see the request.
        var slow = new Dictionary<string, string?> { ["Rcmd:Rc:BatchLease"] = "00:03:00", ["Rcmd:Rc:BatchResumeInterval"] = "00:10:00" };
        var first = ApiFactory.Create(fixture.Redis, fixture.Rclone, slow);
        var shared = new Dictionary<string, string?>(slow) { ["Rcmd:RedisPrefix"] = first.Prefix };
        long batchId;
        using (var http = first.CreateClient())
        {
            batchId = await StartBatchAsync(http, MidwayBatch);
            await Wait.UntilAsync(async () => (await JobsAsync(first)).Count == 1, TimeSpan.FromSeconds(10), "the batch's first copy to be queued");
        }

        // Asked of another Api, which does not run the batch: only the Redis request records it.
        using (var other = ApiFactory.Create(fixture.Redis, fixture.Rclone, shared))
        using (var http = other.CreateClient())
        {
            Assert.Empty((await PostAsync(http, $"/rc/job/stop?jobid={batchId}")).EnumerateObject());
            var status = await PostAsync(http, $"/rc/job/status?jobid={batchId}");
            Assert.False(status.GetProperty("finished").GetBoolean(), "the Api running the batch saw the stop before it stopped");
        }

        first.Dispose(); // hands the batch over, its stop unseen
        using var next = ApiFactory.Create(fixture.Redis, fixture.Rclone,
            new Dictionary<string, string?>(shared) { ["Rcmd:Rc:BatchResumeInterval"] = "00:00:00.200" });
        using var again = next.CreateClient();

        AssertStoppedMidway(await UntilFinishedAsync(again, batchId));
        var copy = Assert.Single(await JobsAsync(next));
        Assert.Equal(JobState.Canceled, copy.State);
    }

    [Fact]
    public async Task JobStop_AtAnotherApi_TheBatchsApiSeesItAtItsNextLeaseRenewal()
    {
        // A 3 s lease: renewed, and the stop request read, every second.
        var fast = new Dictionary<string, string?> { ["Rcmd:Rc:BatchLease"] = "00:00:03", ["Rcmd:Rc:BatchResumeInterval"] = "00:10:00" };
        using var running = ApiFactory.Create(fixture.Redis, fixture.Rclone, fast);
        using var http = running.CreateClient();
        var batchId = await StartBatchAsync(http, MidwayBatch);
        await Wait.UntilAsync(async () => (await JobsAsync(running)).Count == 1, TimeSpan.FromSeconds(10), "the batch's first copy to be queued");
        using var other = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?>(fast) { ["Rcmd:RedisPrefix"] = running.Prefix });
        using var otherHttp = other.CreateClient();

        Assert.Empty((await PostAsync(otherHttp, $"/rc/job/stop?jobid={batchId}")).EnumerateObject());

        AssertStoppedMidway(await UntilFinishedAsync(otherHttp, batchId, TimeSpan.FromSeconds(10)));
        Assert.Equal(JobState.Canceled, Assert.Single(await JobsAsync(running)).State);
    }

    [Fact]
    public async Task JobStopGroup_NamesAnAsyncBatch_StopsIt_ItsDefaultGroupToo()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var named = await StartBatchAsync(http, MidwayBatch.Replace("\"_async\": true", "\"_async\": true, \"_group\": \"gui/9\"", StringComparison.Ordinal));
        var unnamed = await StartBatchAsync(http, MidwayBatch);
        await Wait.UntilAsync(async () => (await JobsAsync(factory)).Count == 2, TimeSpan.FromSeconds(10), "each batch's first copy to be queued");

        Assert.Empty((await PostAsync(http, "/rc/job/stopgroup?group=gui/9")).EnumerateObject());
        AssertStoppedMidway(await UntilFinishedAsync(http, named));
        Assert.False((await PostAsync(http, $"/rc/job/status?jobid={unnamed}")).GetProperty("finished").GetBoolean()); // another group

        Assert.Empty((await PostAsync(http, $"/rc/job/stopgroup?group=job/{unnamed}")).EnumerateObject());
        var status = await UntilFinishedAsync(http, unnamed);
        Assert.Equal("gui/9", (await PostAsync(http, $"/rc/job/status?jobid={named}")).GetProperty("group").GetString());
        AssertStoppedMidway(status);
        Assert.All(await JobsAsync(factory), job => Assert.Equal(JobState.Canceled, job.State));
    }

    [Fact]
    public async Task JobStop_OfABatch_ViewerRefused_OperatorStops()
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var viewer = api.WithKey((await api.CreateKeyAsync("viewer")).Key);
        using var @operator = api.WithKey((await api.CreateKeyAsync("operator")).Key);
        var batchId = await StartBatchAsync(@operator, MidwayBatch);
        await Wait.UntilAsync(async () => (await JobsAsync(api.Factory)).Count == 1, TimeSpan.FromSeconds(10), "the batch's first copy to be queued");

        var refused = await PostAsync(viewer, $"/rc/job/stop?jobid={batchId}", status: HttpStatusCode.Forbidden);
        var refusedGroup = await PostAsync(viewer, $"/rc/job/stopgroup?group=job/{batchId}", status: HttpStatusCode.Forbidden);

        Assert.Equal(("job/stop needs the operator role", 403), (refused.GetProperty("error").GetString(), refused.GetProperty("status").GetInt32()));
        Assert.Equal("job/stopgroup needs the operator role", refusedGroup.GetProperty("error").GetString());
        Assert.False((await PostAsync(viewer, $"/rc/job/status?jobid={batchId}")).GetProperty("finished").GetBoolean());
        Assert.Equal(JobState.Queued, Assert.Single(await JobsAsync(api.Factory)).State);

        Assert.Empty((await PostAsync(@operator, $"/rc/job/stop?jobid={batchId}")).EnumerateObject());
        AssertStoppedMidway(await UntilFinishedAsync(viewer, batchId));
    }

    [Fact]
    public async Task JobList_FarMoreUnfinishedJobsThanTheLimit_AnswersTheNewestLimitIds_AllRunning()
    {
        const int limit = 100, unfinished = 100_000;
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?> { ["Rcmd:Rc:JobListLimit"] = "100" });
        using var http = factory.CreateClient();
        var redis = factory.Services.GetRequiredService<RedisConnection>();

        // The indexes job/list reads, as 100,000 queued RC jobs leave them (their records are never read by job/list).
        for (var from = 1; from <= unfinished; from += 5_000)
        {
            var entries = Enumerable.Range(from, 5_000).Select(i => new SortedSetEntry($"j{i}", i)).ToArray();
            var batch = redis.Database.CreateBatch();
            var rc = batch.SortedSetAddAsync(redis.Keys.RcJobs, entries);
            var queued = batch.SortedSetAddAsync(redis.Keys.JobsInState(JobState.Queued), [.. entries.Select(e => new SortedSetEntry(e.Element, 0))]);
            batch.Execute();
            await Task.WhenAll(rc, queued);
        }

        await PostAsync(http, "/rc/job/list"); // warm
        var timings = new List<double>();
        JsonElement list = default;
        var sentBefore = await RedisBytesSentAsync();
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            list = await PostAsync(http, "/rc/job/list");
            timings.Add(watch.Elapsed.TotalMilliseconds);
        }

        // What Redis sent per call: a few ranges and lookups of 100 ids, not the 100,000 unfinished (~2 MB when read whole).
        var sentPerCall = (await RedisBytesSentAsync() - sentBefore) / 20;

        var newest = Enumerable.Range(unfinished - limit + 1, limit).Select(i => (long)i).ToList();
        Assert.Equal(newest, list.GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(newest, list.GetProperty("runningIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Empty(list.GetProperty("finishedIds").EnumerateArray());
        timings.Sort();
        output.WriteLine($"job/list with {unfinished:N0} unfinished RC jobs, limit {limit}: median {timings[timings.Count / 2]:F1} ms, " +
            $"max {timings[^1]:F1} ms, Redis sent {sentPerCall:N0} bytes a call");
        Assert.InRange(sentPerCall, 0, 64 * 1024);
    }

    /// <summary>Redis's <c>total_net_output_bytes</c> (this test's redis-server, one factory at a time), read as an admin.</summary>
    private async Task<long> RedisBytesSentAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var stats = (await server.InfoAsync("stats")).SelectMany(group => group);
        return long.Parse(stats.Single(pair => pair.Key == "total_net_output_bytes").Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

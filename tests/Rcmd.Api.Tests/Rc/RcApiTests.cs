using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Rc;

/// <summary>
/// <c>/rc/</c>'s wire (issue 14) through the real Api, real Redis and real rcd: rclone's parameter merging, reply and
/// error shapes and statuses; transfers queued as Rcmd jobs with RC ids that never repeat.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RcApiTests : IDisposable
{
    private readonly RedisAndRcloneFixture _fixture;
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public RcApiTests(RedisAndRcloneFixture fixture)
    {
        _fixture = fixture;
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?>
        {
            ["Rcmd:Rc:AllowedOrigins:0"] = "http://gui.example",
        });
        _http = _factory.CreateClient();
    }

    private JobStore Store => _factory.Services.GetRequiredService<JobStore>();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static void AssertRcloneError(JsonElement error, string path, int status, string message)
    {
        Assert.Equal(["error", "input", "path", "status"], error.EnumerateObject().Select(p => p.Name).Where(n => n != "normalizedError").Order());
        Assert.Equal(path, error.GetProperty("path").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Equal(message, error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Noop_MergesQueryFormAndJsonAsRcdDoes()
    {
        using var form = await _http.PostAsync("/rc/rc/noop?a=1&b=q", new FormUrlEncodedContent([new("b", "2"), new("c", "3")]));
        using var json = await _http.PostAsync("/rc/rc/noop?a=1&b=q",
            new StringContent("""{"b": 2, "d": {"x": true}}""", Encoding.UTF8, "application/json"));
        using var plain = await _http.PostAsync("/rc/rc/noop?a=1", new StringContent("""{"b": 2}""", Encoding.UTF8, "text/plain"));

        var merged = await JsonAsync(form, HttpStatusCode.OK);
        Assert.Equal(("1", "q", "3"), (merged.GetProperty("a").GetString(), merged.GetProperty("b").GetString(), merged.GetProperty("c").GetString()));
        var decoded = await JsonAsync(json, HttpStatusCode.OK);
        Assert.Equal("1", decoded.GetProperty("a").GetString());
        Assert.Equal(2, decoded.GetProperty("b").GetInt32()); // the JSON body is decoded over the query
        Assert.True(decoded.GetProperty("d").GetProperty("x").GetBoolean());
        var ignored = await JsonAsync(plain, HttpStatusCode.OK); // a body that is not JSON by its type is not read, as rcd does
        Assert.False(ignored.TryGetProperty("b", out _));
    }

    [Fact]
    public async Task Errors_HaveRclonesShapeAndStatuses()
    {
        using var badJson = await _http.PostAsync("/rc/rc/noop", new StringContent("[1]", Encoding.UTF8, "application/json"));
        using var missing = await _http.PostAsync("/rc/sync/copy?srcFs=/tmp", null);
        using var notFound = await _http.PostAsync("/rc/job/status?jobid=424242", null);
        using var get = await _http.GetAsync("/rc/rc/noop");
        using var unknown = await _http.PostAsync("/rc/nope/x", null);
        using var badType = await _http.PostAsync("/rc/job/status", new StringContent("""{"jobid": "x"}""", Encoding.UTF8, "application/json"));

        var bad = await JsonAsync(badJson, HttpStatusCode.BadRequest);
        Assert.StartsWith("failed to read input JSON", bad.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertRcloneError(await JsonAsync(missing, HttpStatusCode.BadRequest), "sync/copy", 400, "Didn't find key \"dstFs\" in input");
        AssertRcloneError(await JsonAsync(notFound, HttpStatusCode.InternalServerError), "job/status", 500, "job not found");
        AssertRcloneError(await JsonAsync(get, HttpStatusCode.MethodNotAllowed), "rc/noop", 405, "method \"GET\" not allowed");
        AssertRcloneError(await JsonAsync(unknown, HttpStatusCode.NotFound), "nope/x", 404, "couldn't find method \"nope/x\"");
        AssertRcloneError(await JsonAsync(badType, HttpStatusCode.BadRequest), "job/status", 400, "couldn't parse key \"jobid\" (\"x\") as int64");
    }

    [Fact]
    public async Task RcdUnreachable_503InRclonesShape_WithRetryAfter()
    {
        using var factory = ApiFactory.Create(_fixture.Redis.ConnectionString, new Uri($"http://127.0.0.1:{FreePort.Next()}/"), _fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/rc/core/version", null);

        var error = await JsonAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(("core/version", 503), (error.GetProperty("path").GetString(), error.GetProperty("status").GetInt32()));
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
    }

    [Fact]
    public async Task Options_200WithoutAuth_CorsForAllowedOriginsOnly()
    {
        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/rc/sync/copy") { Headers = { { "Origin", "http://gui.example" } } };
        using var other = new HttpRequestMessage(HttpMethod.Options, "/rc/sync/copy") { Headers = { { "Origin", "http://evil.example" } } };

        using var yes = await _http.SendAsync(allowed);
        using var no = await _http.SendAsync(other);

        Assert.Equal(HttpStatusCode.OK, yes.StatusCode);
        Assert.Equal("http://gui.example", yes.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Prefer", yes.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, no.StatusCode);
        Assert.False(no.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AsyncCopy_QueuedAsAnRcmdJob_IdsNeverRepeat_StatusAndListAnswerFromRedis()
    {
        using var first = await _http.PostAsync("/rc/sync/copy?srcFs=/data/in&dstFs=s3prod:b&_async=true", null);
        using var second = await _http.PostAsync("/rc/operations/copyfile", new StringContent(
            """{"srcFs": "/data/in", "srcRemote": "a.txt", "dstFs": "s3prod:", "dstRemote": "b/a.txt", "_async": "true", "_group": "mygui/7"}""",
            Encoding.UTF8, "application/json"));

        var one = (await JsonAsync(first, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
        var two = (await JsonAsync(second, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
        Assert.True(two > one);

        var jobs = (await Store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items;
        var copy = Assert.Single(jobs, j => j.Type == JobType.Copy);
        Assert.Equal(("/data/in", "s3prod:b", one, $"job/{one}"), (copy.Source, copy.Destination, copy.Rc!.JobId, copy.Rc.Group));
        var file = Assert.Single(jobs, j => j.Type == JobType.CopyFile);
        Assert.Equal(("/data/in/a.txt", "s3prod:b/a.txt", "mygui/7"), (file.Source, file.Destination, file.Rc!.Group));

        using var statusResponse = await _http.PostAsync($"/rc/job/status?jobid={two}", null);
        var status = await JsonAsync(statusResponse, HttpStatusCode.OK);
        Assert.Equal(["duration", "endTime", "error", "executeId", "finished", "group", "id", "output", "startTime", "success"],
            status.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal((two, "mygui/7", false, false), (status.GetProperty("id").GetInt64(), status.GetProperty("group").GetString(),
            status.GetProperty("finished").GetBoolean(), status.GetProperty("success").GetBoolean()));

        using var stop = await _http.PostAsync($"/rc/job/stop?jobid={one}", null);
        await JsonAsync(stop, HttpStatusCode.OK);
        Assert.Equal(JobState.Canceled, (await Store.GetAsync(copy.Id, CancellationToken.None))!.State);

        using var listResponse = await _http.PostAsync("/rc/job/list", null);
        var list = await JsonAsync(listResponse, HttpStatusCode.OK);
        Assert.Equal([one, two], list.GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([one], list.GetProperty("finishedIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([two], list.GetProperty("runningIds").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task PreferRespondAsync_202WithPreferenceApplied()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/rc/sync/sync?srcFs=/data/in&dstFs=s3prod:b") { Headers = { { "Prefer", "respond-async" } } };

        using var response = await _http.SendAsync(request);

        Assert.True((await JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("jobid").GetInt64() > 0);
        Assert.Equal("respond-async", response.Headers.GetValues("Preference-Applied").Single());
    }

    [Fact]
    public async Task Stats_RcdRunGroupsAreNamedByTheClientsGroup_AFinishedJobsStatsComeFromItsRecord()
    {
        using var started = await _http.PostAsync("/rc/sync/copy?srcFs=/data/in&dstFs=s3prod:b&_async=true&_group=gui/1", null);
        var rcJobId = (await JsonAsync(started, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
        var job = Assert.Single((await Store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items);

        // What a Worker does: run it in rcd under the run's group (an empty copy: the group's stats stay in rcd).
        using var source = new TempDirectory("rc-stats");
        var rclone = _factory.Services.GetRequiredService<Rcmd.Rclone.RcloneClient>();
        await rclone.CallAsync("sync/copy", new System.Text.Json.Nodes.JsonObject
        {
            ["srcFs"] = source.Path, ["dstFs"] = source.Combine("out"), ["_group"] = $"rcmd/{job.Id}/1",
        }, CancellationToken.None);

        using var groupsResponse = await _http.PostAsync("/rc/core/group-list", null);
        var groups = (await JsonAsync(groupsResponse, HttpStatusCode.OK)).GetProperty("groups").EnumerateArray().Select(g => g.GetString()).ToList();
        Assert.Contains("gui/1", groups);
        Assert.DoesNotContain($"rcmd/{job.Id}/1", groups);

        var done = job with
        {
            State = JobState.Succeeded, StartedAt = job.CreatedAt, FinishedAt = job.CreatedAt.AddSeconds(4), UpdatedAt = job.CreatedAt.AddSeconds(4),
            Progress = new JobProgress { Bytes = 4096, TotalBytes = 4096, Transfers = 2, TotalTransfers = 2 },
        };
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(done, JobState.Queued, null, CancellationToken.None));
        using var statsResponse = await _http.PostAsync("/rc/core/stats?group=gui/1", null);
        var stats = await JsonAsync(statsResponse, HttpStatusCode.OK);
        Assert.Equal((4096, 2, 4.0), (stats.GetProperty("bytes").GetInt64(), stats.GetProperty("transfers").GetInt64(), stats.GetProperty("elapsedTime").GetDouble()));
        Assert.True(rcJobId > 0);
    }

    [Fact]
    public async Task JobBatch_EachInputCalled_ResultsInOrderWithErrorsInPlace_TransfersBecomeJobs()
    {
        using var response = await _http.PostAsync("/rc/job/batch", new StringContent("""
            {"concurrency": 2, "inputs": [
              {"_path": "rc/noop", "a": 1},
              {"_path": "sync/copy", "srcFs": "/data/in", "dstFs": "s3prod:b", "_async": true},
              {"_path": "sync/copy", "srcFs": "/data/in"},
              {"a": 2}
            ]}
            """, Encoding.UTF8, "application/json"));

        var results = (await JsonAsync(response, HttpStatusCode.OK)).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        Assert.Equal(1, results[0].GetProperty("a").GetInt32());
        Assert.True(results[1].GetProperty("jobid").GetInt64() > 0);
        AssertRcloneError(results[2], "sync/copy", 400, "Didn't find key \"dstFs\" in input");
        AssertRcloneError(results[3], "job/batch", 400, "Didn't find key \"_path\" in input");
        Assert.Single((await Store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items);
    }

    [Fact]
    public async Task JobBatch_Async_ItsOwnJobId_StatusOutputHasTheResults()
    {
        using var response = await _http.PostAsync("/rc/job/batch", new StringContent("""
            {"_async": true, "inputs": [{"_path": "rc/noop", "a": 1}, {"_path": "nope/x"}]}
            """, Encoding.UTF8, "application/json"));
        using var empty = await _http.PostAsync("/rc/job/batch?_async=true", null);

        var rcJobId = (await JsonAsync(response, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
        Assert.Equal(rcJobId.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("x-rclone-jobid").Single());
        AssertRcloneError(await JsonAsync(empty, HttpStatusCode.BadRequest), "job/batch", 400, "Didn't find key \"inputs\" in input");
        var status = await UntilFinishedAsync(rcJobId);
        Assert.True(status.GetProperty("success").GetBoolean());
        var results = status.GetProperty("output").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(1, results[0].GetProperty("a").GetInt32());
        AssertRcloneError(results[1], "nope/x", 404, "couldn't find method \"nope/x\"");

        using var listResponse = await _http.PostAsync("/rc/job/list", null);
        var list = await JsonAsync(listResponse, HttpStatusCode.OK); // the batch's own id, as job/status knows it
        Assert.Equal([rcJobId], list.GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([rcJobId], list.GetProperty("finishedIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Empty(list.GetProperty("runningIds").EnumerateArray());
    }

    [Fact]
    public async Task JobList_OverTheLimit_TheNewestIdsOnly_RunningBatchAmongThem()
    {
        using var factory = ApiFactory.Create(_fixture.Redis, _fixture.Rclone, new Dictionary<string, string?> { ["Rcmd:Rc:JobListLimit"] = "3" });
        using var http = factory.CreateClient();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            using var started = await http.PostAsync("/rc/sync/copy?srcFs=/data/in&dstFs=s3prod:b&_async=true", null);
            ids.Add((await JsonAsync(started, HttpStatusCode.OK)).GetProperty("jobid").GetInt64());
        }

        // A batch waiting for a synchronous copy (no Worker here): running while it waits.
        using var batch = await http.PostAsync("/rc/job/batch", new StringContent("""
            {"_async": true, "inputs": [{"_path": "sync/copy", "srcFs": "/data/in", "dstFs": "s3prod:c"}]}
            """, Encoding.UTF8, "application/json"));
        var batchId = (await JsonAsync(batch, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
        await Wait.UntilAsync(async () => (await factory.Services.GetRequiredService<JobStore>().ListAsync(new JobQuery(null, 1, 10),
            CancellationToken.None)).Items.Count == 4, TimeSpan.FromSeconds(10), "the batch's copy to be queued");

        using var listResponse = await http.PostAsync("/rc/job/list", null);
        var list = await JsonAsync(listResponse, HttpStatusCode.OK);

        var batchCopy = batchId + 1; // the batch's input took the next id
        Assert.Equal([ids[2], batchId, batchCopy], list.GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([ids[2], batchId, batchCopy], list.GetProperty("runningIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Empty(list.GetProperty("finishedIds").EnumerateArray());
    }

    [Fact]
    public async Task JobBatch_Async_ApiStoppedMidBatch_NextApiResumesIt_WaitsForItsQueuedJob()
    {
        var fast = new Dictionary<string, string?> { ["Rcmd:Rc:BatchResumeInterval"] = "00:00:00.200" };
        var first = ApiFactory.Create(_fixture.Redis, _fixture.Rclone, fast);
        long batchId;
        using (var http = first.CreateClient())
        {
            using var batch = await http.PostAsync("/rc/job/batch", new StringContent("""
                {"_async": true, "concurrency": 1, "inputs": [
                  {"_path": "rc/noop", "a": 1},
                  {"_path": "sync/copy", "srcFs": "/data/in", "dstFs": "s3prod:b"},
                  {"_path": "rc/noop", "b": 2}]}
                """, Encoding.UTF8, "application/json"));
            batchId = (await JsonAsync(batch, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
            var store = first.Services.GetRequiredService<JobStore>();
            await Wait.UntilAsync(async () => (await store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items.Count == 1,
                TimeSpan.FromSeconds(10), "the batch's copy to be queued");
        }

        first.Dispose(); // the Api stops while the batch waits for its copy (no Worker here)
        using var second = ApiFactory.Create(_fixture.Redis, _fixture.Rclone, new Dictionary<string, string?>(fast) { ["Rcmd:RedisPrefix"] = first.Prefix });
        using var again = second.CreateClient();
        var secondStore = second.Services.GetRequiredService<JobStore>();
        using (var waiting = await again.PostAsync($"/rc/job/status?jobid={batchId}", null))
        {
            Assert.False((await JsonAsync(waiting, HttpStatusCode.OK)).GetProperty("finished").GetBoolean());
        }

        // The copy ends (as a Worker would end it): the resumed batch answers it and calls the input after it.
        var copy = Assert.Single((await secondStore.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items);
        var done = copy with { State = JobState.Succeeded, StartedAt = copy.CreatedAt, FinishedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        Assert.Equal(SaveResult.Saved, await secondStore.SaveAsync(done, JobState.Queued, null, CancellationToken.None));
        var status = await UntilFinishedAsync(again, batchId);

        Assert.True(status.GetProperty("success").GetBoolean(), status.ToString());
        var results = status.GetProperty("output").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.Equal(1, results[0].GetProperty("a").GetInt32());
        Assert.Empty(results[1].EnumerateObject()); // the copy's success: {} as rcd answers
        Assert.Equal(2, results[2].GetProperty("b").GetInt32());
        Assert.Single((await secondStore.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items); // not queued twice
    }

    [Fact]
    public async Task SyncCopy_WokenByTheJobsEndEvent_NotBySafetyPoll()
    {
        // The safety poll at 30 s: only the end event can answer the call within the test's 5 s.
        using var factory = ApiFactory.Create(_fixture.Redis, _fixture.Rclone, new Dictionary<string, string?> { ["Rcmd:Rc:SyncSafetyPoll"] = "00:00:30" });
        using var http = factory.CreateClient();
        var store = factory.Services.GetRequiredService<JobStore>();
        await factory.Services.GetRequiredService<Rcmd.Api.Hubs.EventHub>().Subscribed.WaitAsync(TimeSpan.FromSeconds(10));

        var call = http.PostAsync("/rc/operations/copyfile?srcFs=/data/in&srcRemote=a&dstFs=s3prod:b&dstRemote=a", null);
        Job? job = null;
        await Wait.UntilAsync(async () => (job = (await store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items.SingleOrDefault()) is not null,
            TimeSpan.FromSeconds(10), "the copy to be queued");
        await Task.Delay(300); // the call is waiting on its watch now
        var done = job! with { State = JobState.Succeeded, StartedAt = job.CreatedAt, FinishedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        var ended = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(SaveResult.Saved, await store.SaveAsync(done, JobState.Queued, null, CancellationToken.None));

        using var response = await call.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(ended.Elapsed < TimeSpan.FromSeconds(5), $"answered {ended.Elapsed} after the end");
        Assert.Empty((await JsonAsync(response, HttpStatusCode.OK)).EnumerateObject());
        Assert.Equal(0, factory.Services.GetRequiredService<Rcmd.Api.Hubs.JobWatchers>().Count); // the watch is gone with the call
    }

    [Fact]
    public async Task Transfers_DeleteFilePurgeAndSettings_BecomeJobsWithTheirOptions_UnknownSettingsRefused()
    {
        using var deleteFile = await _http.PostAsync("/rc/operations/deletefile?fs=s3prod:b/old&remote=a.txt&_async=true", null);
        using var purge = await _http.PostAsync("/rc/operations/purge?fs=s3prod:b&remote=old&_async=true", null);
        using var settings = await _http.PostAsync("/rc/sync/copy", new StringContent("""
            {"srcFs": "/data/in", "dstFs": "s3prod:b", "_async": true,
             "_config": {"Transfers": 8, "dry_run": true}, "_filter": "{\"IncludeRule\": [\"*.jpg\"]}"}
            """, Encoding.UTF8, "application/json"));
        using var unknown = await _http.PostAsync("/rc/sync/copy", new StringContent("""
            {"srcFs": "/data/in", "dstFs": "s3prod:b", "_async": true, "_config": {"PasswordCommand": "sh"}}
            """, Encoding.UTF8, "application/json"));

        await JsonAsync(deleteFile, HttpStatusCode.OK);
        await JsonAsync(purge, HttpStatusCode.OK);
        await JsonAsync(settings, HttpStatusCode.OK);
        var refused = await JsonAsync(unknown, HttpStatusCode.BadRequest);
        Assert.StartsWith("options.config: Unknown or not allowed setting 'PasswordCommand'", refused.GetProperty("error").GetString(), StringComparison.Ordinal);

        var jobs = (await Store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items;
        Assert.Equal(3, jobs.Count);
        Assert.Equal("s3prod:b/old/a.txt", Assert.Single(jobs, j => j.Type == JobType.DeleteFile).Source);
        Assert.Equal("s3prod:b/old", Assert.Single(jobs, j => j.Type == JobType.Purge).Source);
        var copy = Assert.Single(jobs, j => j.Type == JobType.Copy);
        Assert.True(copy.Options.DryRun);
        Assert.Equal(8, copy.Options.Config!["Transfers"].GetInt32());
        Assert.Equal("*.jpg", copy.Options.Filter!["IncludeRule"][0].GetString());

        // Shown in the job's detail as stored.
        using var detail = await _http.GetAsync($"/api/jobs/{copy.Id}");
        var options = (await JsonAsync(detail, HttpStatusCode.OK)).GetProperty("options");
        Assert.Equal(8, options.GetProperty("config").GetProperty("Transfers").GetInt32());
    }

    [Fact]
    public async Task JobStatus_ArchivedJob_AnswersFromTheSweepsSummary()
    {
        using var started = await _http.PostAsync("/rc/sync/copy?srcFs=/data/in&dstFs=s3prod:b&_async=true", null);
        var rcJobId = (await JsonAsync(started, HttpStatusCode.OK)).GetProperty("jobid").GetInt64();
        var job = Assert.Single((await Store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items);
        var done = job with { State = JobState.Succeeded, StartedAt = job.CreatedAt, FinishedAt = job.CreatedAt.AddSeconds(3), UpdatedAt = job.CreatedAt.AddSeconds(3) };
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(done, JobState.Queued, null, CancellationToken.None));

        // What the retention sweep does once the archive file holds the job.
        var retention = _factory.Services.GetRequiredService<Rcmd.Retention.RetentionStore>();
        var stored = await retention.ReadAsync([job.Id], CancellationToken.None);
        var deleted = await retention.DeleteArchivedAsync(stored, new Rcmd.Retention.ArchiveWrite("rcmd-jobs-test.jsonl.gz", 100, 1),
            DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal([job.Id], deleted);
        Assert.Null(await Store.GetAsync(job.Id, CancellationToken.None));

        using var statusResponse = await _http.PostAsync($"/rc/job/status?jobid={rcJobId}", null);
        var status = await JsonAsync(statusResponse, HttpStatusCode.OK);
        Assert.Equal((rcJobId, true, true, 3.0, $"job/{rcJobId}"), (status.GetProperty("id").GetInt64(), status.GetProperty("finished").GetBoolean(),
            status.GetProperty("success").GetBoolean(), status.GetProperty("duration").GetDouble(), status.GetProperty("group").GetString()));
        using var listResponse = await _http.PostAsync("/rc/job/list", null);
        var list = await JsonAsync(listResponse, HttpStatusCode.OK); // an archived id is still one job/status answers
        Assert.Equal([rcJobId], list.GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([rcJobId], list.GetProperty("finishedIds").EnumerateArray().Select(e => e.GetInt64()));

        using var next = await _http.PostAsync("/rc/sync/copy?srcFs=/data/in&dstFs=s3prod:b&_async=true", null);
        Assert.True((await JsonAsync(next, HttpStatusCode.OK)).GetProperty("jobid").GetInt64() > rcJobId); // ids never repeat
    }

    private Task<JsonElement> UntilFinishedAsync(long rcJobId) => UntilFinishedAsync(_http, rcJobId);

    private static async Task<JsonElement> UntilFinishedAsync(HttpClient http, long rcJobId)
    {
        for (var i = 0; i < 100; i++)
        {
            using var response = await http.PostAsync($"/rc/job/status?jobid={rcJobId}", null);
            var status = await JsonAsync(response, HttpStatusCode.OK);
            if (status.GetProperty("finished").GetBoolean())
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"RC job {rcJobId} did not finish");
    }

    [Fact]
    public void ConfigDump_SecretsRedacted()
    {
        var dump = System.Text.Json.Nodes.JsonNode.Parse("""
            {"s3prod": {"type": "s3", "access_key_id": "AKIA", "secret_access_key": "s", "region": "eu"}, "drive": {"token": "{\"a\":1}", "scope": "drive"}}
            """)!.AsObject();

        var redacted = Rcmd.Api.Rc.RcApi.Redact(dump);

        Assert.Equal("***", (string?)redacted["s3prod"]!["secret_access_key"]);
        Assert.Equal("***", (string?)redacted["s3prod"]!["access_key_id"]);
        Assert.Equal("***", (string?)redacted["drive"]!["token"]);
        Assert.Equal("eu", (string?)redacted["s3prod"]!["region"]);
        Assert.Equal("drive", (string?)redacted["drive"]!["scope"]);
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

/// <summary>/api/batches against the real Api (in memory) and a real redis-server; no Worker runs here.</summary>
[Collection(ApiCollection.Name)]
public sealed class BatchesApiTests : IDisposable
{
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public BatchesApiTests(RedisAndRcloneFixture fixture)
    {
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        _http = _factory.CreateClient();
    }

    private JobStore Jobs => _factory.Services.GetRequiredService<JobStore>();

    private BatchStore Batches => _factory.Services.GetRequiredService<BatchStore>();

    private RedisConnection Redis => _factory.Services.GetRequiredService<RedisConnection>();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    private static string Items(int count, Func<int, string>? item = null) =>
        $$"""{ "name": "t", "items": [{{string.Join(",", Enumerable.Range(0, count).Select(item ?? (i => $$"""{"op":"copyfile","source":"/in/f{{i}}","destination":"/out/f{{i}}"}""")))}}] }""";

    [Fact]
    public async Task Create_Items_202_StoredInOrderAndQueued()
    {
        using var response = await _http.PostAsync("/api/batches", ApiAssert.Json("""
            { "name": "nightly", "items": [
                { "op": "copyfile", "source": "/in/a", "destination": "/out/a" },
                { "op": "movefile", "source": "/in/b", "destination": "remote:bucket/b" },
                { "op": "deletefile", "source": "/tmp/c" } ],
              "options": { "concurrency": 4, "checkpointEvery": 5, "stopRule": { "minItems": 3, "maxFailureRatio": 0.2 } } }
            """));

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/api/batches/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(("batch", "queued"), (job.GetProperty("type").GetString(), job.GetProperty("state").GetString()));
        var batch = job.GetProperty("batch");
        Assert.Equal(("nightly", "items", 3L, 3L), (batch.GetProperty("name").GetString(), batch.GetProperty("kind").GetString(),
            batch.GetProperty("total").GetInt64(), batch.GetProperty("pending").GetInt64()));
        Assert.Equal(4, batch.GetProperty("options").GetProperty("concurrency").GetInt32());
        Assert.Equal(0.2, batch.GetProperty("options").GetProperty("stopRule").GetProperty("maxFailureRatio").GetDouble());

        var items = await Batches.GetItemsAsync(id, 0, 10, Ct);
        Assert.Equal(["/in/a", "/in/b", "/tmp/c"], items.Select(i => i.Source));
        Assert.Equal(BatchOp.DeleteFile, items[2].Op);
        Assert.Equal(3, (await Batches.GetCheckpointAsync(id, Ct)).Counters.Total);
        Assert.Equal(JobState.Queued, (await Jobs.GetAsync(id, Ct))!.State);

        var listed = await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs?type=batch"), HttpStatusCode.OK);
        Assert.Equal(id, listed.GetProperty("items")[0].GetProperty("id").GetString());
        var one = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/batches/{id}"), HttpStatusCode.OK);
        Assert.Equal(3, one.GetProperty("batch").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Create_ThousandsOfItems_StreamedIntoRedis()
    {
        using var response = await _http.PostAsync("/api/batches", ApiAssert.Json(Items(5_000)));

        var id = (await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        Assert.Equal(5_000, await Batches.ItemCountAsync(id, Ct));
        Assert.Equal("/in/f4999", (await Batches.GetItemsAsync(id, 4_999, 1, Ct))[0].Source);
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{ "items": [] }""", "items" },
        { """{ "name": "x" }""", "items" },
        { Items(3, i => i == 2 ? """{"op":"copyfile","source":"/in/f0","destination":"/out/f0"}""" : $$"""{"op":"copyfile","source":"/in/f{{i}}","destination":"/out/f{{i}}"}"""), "items[2]" },
        { Items(700, i => i == 650 ? """{"op":"copyfile","source":"--config=/etc/x","destination":"/out/x"}""" : $$"""{"op":"copyfile","source":"/in/f{{i}}","destination":"/out/f{{i}}"}"""), "items[650].source" },
        { Items(2, i => i == 1 ? """{"op":"copyfile","source":"/in/a --delete-before","destination":"/out/a"}""" : """{"op":"copyfile","source":"/in/b","destination":"/out/b"}"""), "items[1].source" },
        { Items(1, _ => """{"op":"deletefile","source":"/in/a","destination":"/out/a"}"""), "items[0].destination" },
        { Items(1, _ => """{"op":"sync","source":"/in/a","destination":"/out/a"}"""), "items[0].op" },
        { Items(1, _ => """ "just a string" """), "items[0]" },
        { """{ "items": [{"op":"copyfile","source":"/a/x","destination":"/b/x"}], "directory": {"source":"/a","destination":"/b"} }""", "body" },
        { """{ "directory": {"source":"/a","destination":"/a"} }""", "directory.destination" },
        { """{ "items": [{"op":"copyfile","source":"/a/x","destination":"/b/x"}], "options": {"concurrency": 0} }""", "options.concurrency" },
        { """{ "items": [{"op":"copyfile","source":"/a/x","destination":"/b/x"}], "options": {"concurrency": "many"} }""", "options.concurrency" },
        { """{ "items": [{"op":"copyfile" """, "body" },
        { """[1, 2]""", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Create_Invalid_400WithTheField_AndNothingStored(string body, string field)
    {
        using var response = await _http.PostAsync("/api/batches", ApiAssert.Json(body));

        await ApiAssert.ValidationAsync(response, field);
        await AssertNoBatchKeysAsync();
    }

    [Fact]
    public async Task Create_MoreThan100000Items_400AndNothingStored()
    {
        var body = new StringBuilder("""{ "items": [""");
        for (var i = 0; i < BatchValidator.MaxItems + 1; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("""{"op":"deletefile","source":"/in/f""").Append(i).Append("\"}");
        }

        using var response = await _http.PostAsync("/api/batches", ApiAssert.Json(body.Append("]}").ToString()));

        var error = await ApiAssert.ValidationAsync(response, "items");
        Assert.Contains("at most 100000 items", error.GetProperty("fields").GetProperty("items")[0].GetString(), StringComparison.Ordinal);
        await AssertNoBatchKeysAsync();
        Assert.Equal(0, (await Jobs.CountAsync(Ct)).Total);
    }

    [Fact]
    public async Task Create_NotJson_415()
    {
        using var response = await _http.PostAsync("/api/batches", new StringContent("items", Encoding.UTF8, "text/plain"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task UnknownBatch_404_AndASingleJobIsNotABatch()
    {
        await ApiAssert.ErrorAsync(await _http.GetAsync("/api/batches/nope"), HttpStatusCode.NotFound, ErrorCodes.NotFound);
        var single = await ApiAssert.JsonAsync(await _http.PostAsync("/api/jobs",
            ApiAssert.Json("""{ "type": "copy", "source": "/in", "destination": "/out" }""")), HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(await _http.GetAsync($"/api/batches/{single.GetProperty("id").GetString()}/report"),
            HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await ApiAssert.ValidationAsync(await _http.PostAsync("/api/jobs",
            ApiAssert.Json("""{ "type": "batch", "source": "/in", "destination": "/out" }""")), "type");
    }

    [Fact]
    public async Task Report_Filters_Downloads_RetryFailedLinks_ResumeQueues()
    {
        var id = await EndPartiallyFailedAsync();

        var page = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/batches/{id}/report?state=failed&limit=1"), HttpStatusCode.OK);
        Assert.Equal(2, page.GetProperty("matched").GetInt64());
        var first = page.GetProperty("items")[0];
        Assert.Equal((1L, "failed", "not_found", "/in/f1"), (first.GetProperty("index").GetInt64(), first.GetProperty("state").GetString(),
            first.GetProperty("code").GetString(), first.GetProperty("source").GetString()));
        Assert.Equal((6L, 2L, 1L, 3L), (page.GetProperty("totals").GetProperty("total").GetInt64(), page.GetProperty("totals").GetProperty("failed").GetInt64(),
            page.GetProperty("totals").GetProperty("succeeded").GetInt64(), page.GetProperty("totals").GetProperty("pending").GetInt64()));
        Assert.True(page.GetProperty("canResume").GetBoolean());

        var byCode = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/batches/{id}/report?code=access_denied"), HttpStatusCode.OK);
        Assert.Equal([3L], byCode.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("index").GetInt64()));
        var pending = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/batches/{id}/report?state=pending&offset=1"), HttpStatusCode.OK);
        Assert.Equal((3L, 2), (pending.GetProperty("matched").GetInt64(), pending.GetProperty("items").GetArrayLength()));
        await ApiAssert.ValidationAsync(await _http.GetAsync($"/api/batches/{id}/report?state=nope&limit=5000"), "state");

        using var csv = await _http.GetAsync($"/api/batches/{id}/report.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("index,op,source,destination,state,code,message", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("1,copyfile,/in/f1,/out/f1,failed,not_found,", lines[2], StringComparison.Ordinal);
        var json = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/batches/{id}/report.json?state=failed"), HttpStatusCode.OK);
        Assert.Equal(2, json.GetProperty("items").GetArrayLength());

        // retry-failed: a new batch of exactly the failed items, linked both ways.
        var retry = await ApiAssert.JsonAsync(await _http.PostAsync($"/api/batches/{id}/retry-failed", null), HttpStatusCode.Accepted);
        var retryId = retry.GetProperty("id").GetString()!;
        Assert.Equal(id, retry.GetProperty("retryOf").GetString());
        Assert.Equal(id, retry.GetProperty("batch").GetProperty("retryOf").GetString());
        Assert.Equal(["/in/f1", "/in/f3"], (await Batches.GetItemsAsync(retryId, 0, 10, Ct)).Select(i => i.Source));
        var original = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/batches/{id}"), HttpStatusCode.OK);
        Assert.Equal([retryId], original.GetProperty("batch").GetProperty("retriedBy").EnumerateArray().Select(e => e.GetString()));

        // resume: the retryable failure goes back to the retry queue, the permanent one stays; the batch is queued again.
        var resumed = await ApiAssert.JsonAsync(await _http.PostAsync($"/api/batches/{id}/resume", null), HttpStatusCode.Accepted);
        Assert.Equal("queued", resumed.GetProperty("state").GetString());
        var results = await Batches.GetResultsAsync(id, [1, 3], Ct);
        Assert.Equal((BatchItemState.Failed, BatchItemState.RetryQueued), (results[0]!.State, results[1]!.State));
        await ApiAssert.ErrorAsync(await _http.PostAsync($"/api/batches/{id}/resume", null), HttpStatusCode.Conflict, ErrorCodes.Conflict);
    }

    [Fact]
    public async Task Resume_NothingLeft_409()
    {
        var id = await EndPartiallyFailedAsync(runAll: true);

        await ApiAssert.ErrorAsync(await _http.PostAsync($"/api/batches/{id}/resume", null), HttpStatusCode.Conflict, ErrorCodes.Conflict);
    }

    [Fact]
    public async Task Cancel_QueuedBatch_CanBeResumed()
    {
        var id = (await ApiAssert.JsonAsync(await _http.PostAsync("/api/batches", ApiAssert.Json(Items(3))), HttpStatusCode.Accepted))
            .GetProperty("id").GetString()!;

        var canceled = await ApiAssert.JsonAsync(await _http.PostAsync($"/api/jobs/{id}/cancel", null), HttpStatusCode.OK);
        Assert.True(canceled.GetProperty("batch").GetProperty("canResume").GetBoolean());

        var resumed = await ApiAssert.JsonAsync(await _http.PostAsync($"/api/batches/{id}/resume", null), HttpStatusCode.Accepted);
        Assert.Equal("queued", resumed.GetProperty("state").GetString());
        Assert.Equal(JobState.Queued, (await Jobs.GetAsync(id, Ct))!.State);
    }

    /// <summary>
    /// A 6-item batch taken, as a Worker would, to partially_failed: item 0 succeeded, 1 failed for good (not_found),
    /// 3 failed retryably (access_denied marked retryable), 2, 4, 5 not run (or, with <paramref name="runAll"/>, all done).
    /// </summary>
    private async Task<string> EndPartiallyFailedAsync(bool runAll = false)
    {
        var id = (await ApiAssert.JsonAsync(await _http.PostAsync("/api/batches", ApiAssert.Json(Items(6))), HttpStatusCode.Accepted))
            .GetProperty("id").GetString()!;
        var time = TimeProvider.System;
        var job = (await Jobs.GetAsync(id, Ct))!;
        var running = JobStateMachine.Start(job, "test-worker", time);
        Assert.Equal(SaveResult.Saved, await Jobs.SaveAsync(running, JobState.Queued, null, Ct));
        await Batches.RecordAsync(id, 0, new BatchItemResult { State = BatchItemState.Succeeded, Attempts = 1 }, Ct);
        await Batches.RecordAsync(id, 1, new BatchItemResult { State = BatchItemState.Failed, Code = ErrorCodes.NotFound, Message = "object not found", Attempts = 1 }, Ct);
        await Batches.RecordAsync(id, 3, new BatchItemResult { State = BatchItemState.Failed, Code = ErrorCodes.AccessDenied, Retryable = !runAll, Attempts = 3 }, Ct);
        if (runAll)
        {
            foreach (var i in new long[] { 2, 4, 5 })
            {
                await Batches.RecordAsync(id, i, new BatchItemResult { State = BatchItemState.Succeeded, Attempts = 1 }, Ct);
            }
        }

        var checkpoint = await Batches.GetCheckpointAsync(id, Ct);
        var summary = running.Batch!.With(checkpoint.Counters, 0, null);
        summary = summary with { CanResume = summary.HasWorkLeft };
        var ended = JobStateMachine.PartiallyFail(running, summary, BatchRules.PartialError(summary, false, new BatchStopRule()), time);
        Assert.Equal(SaveResult.Saved, await Jobs.SaveAsync(ended, JobState.Running, "test-worker", Ct));
        return id;
    }

    private async Task AssertNoBatchKeysAsync()
    {
        var multiplexer = Redis.Multiplexer;
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        await Task.Yield();
        Assert.Empty(server.Keys(pattern: $"{_factory.Prefix}:batch:*").ToList());
    }
}

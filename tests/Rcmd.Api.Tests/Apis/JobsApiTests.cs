using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class JobsApiTests : IDisposable
{
    private readonly RedisAndRcloneFixture _fixture;
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public JobsApiTests(RedisAndRcloneFixture fixture)
    {
        _fixture = fixture;
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        _http = _factory.CreateClient();
    }

    private JobStore Store => _factory.Services.GetRequiredService<JobStore>();

    private JobQueue Queue => _factory.Services.GetRequiredService<JobQueue>();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task CreateJob_ValidCopy_Returns201StoredListedAndQueued()
    {
        using var response = await _http.PostAsync("/api/jobs",
            ApiAssert.Json("""{ "type": "copy", "source": "/data/in", "destination": "remote:bucket/out", "options": { "dryRun": true } }"""));

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        var id = job.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal($"/api/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("copy", job.GetProperty("type").GetString());
        Assert.Equal("queued", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("options").GetProperty("dryRun").GetBoolean());

        var stored = await Store.GetAsync(id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(("/data/in", "remote:bucket/out", JobState.Queued), (stored.Source, stored.Destination, stored.State));
        Assert.Equal(1, await Queue.LengthAsync(CancellationToken.None));

        var list = await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs"), HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        Assert.Equal(id, list.GetProperty("items")[0].GetProperty("id").GetString());

        var one = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/jobs/{id}"), HttpStatusCode.OK);
        Assert.Equal(id, one.GetProperty("id").GetString());
    }

    public static TheoryData<string, string> InvalidJobs => new()
    {
        { """{ "source": "/a", "destination": "/b" }""", "type" },
        { """{ "type": "copy", "destination": "/b" }""", "source" },
        { """{ "type": "copy", "source": "/a" }""", "destination" },
        { """{ "type": "upload", "source": "/a", "destination": "/b" }""", "type" },
        { """{ "type": "copy", "source": "--config=/etc/passwd", "destination": "/b" }""", "source" },
        { """{ "type": "copy", "source": "/a", "destination": "-b" }""", "destination" },
        { """{ "type": "sync", "source": "/a --delete-before", "destination": "/b" }""", "source" },
        { """{ "type": "copy", "source": ":s3,secret_access_key=abc:bucket", "destination": "/b" }""", "source" },
        { """{ "type": "delete", "source": "/a", "destination": "/b" }""", "destination" },
        { """{ "type": "copy", "source": "/a/", "destination": "/a" }""", "destination" },
        { """{ "type": "copyfile", "source": "/a/", "destination": "/b/f.txt" }""", "source" },
        { """{ "type": "copy", "source": "/a", "destination": "/b", "options": { "dryRun": "yes" } }""", "options.dryRun" },
        { """{ "type": 5, "source": "/a", "destination": "/b" }""", "type" },
        { """{ "type": "copy", "source": "/a", """, "body" },
        { """not json""", "body" },
        { "null", "body" },
        { "", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidJobs))]
    public async Task CreateJob_InvalidRequest_Returns400WithFieldMessageAndQueuesNothing(string body, string field)
    {
        using var response = await _http.PostAsync("/api/jobs", ApiAssert.Json(body));

        await ApiAssert.ValidationAsync(response, field);
        Assert.Equal(0, await Queue.LengthAsync(CancellationToken.None));
        Assert.Equal(0, (await Store.CountAsync(CancellationToken.None)).Total);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CreateJob_TwoMiBBody_Returns400AndQueuesNothing(bool declaresLength)
    {
        var json = JsonSerializer.Serialize(new { type = "copy", source = "/" + new string('a', 2 * 1024 * 1024), destination = "/b" });
        HttpContent content = declaresLength
            ? ApiAssert.Json(json)
            : new StreamContent(new NonSeekableStream(System.Text.Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await _http.PostAsync("/api/jobs", content);

        var error = await ApiAssert.ValidationAsync(response, "body");
        Assert.Contains("larger than", error.GetProperty("fields").GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Queue.LengthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateJob_NotJsonContentType_Returns415ErrorShape()
    {
        using var response = await _http.PostAsync("/api/jobs",
            new StringContent("""{ "type": "copy", "source": "/a", "destination": "/b" }""", System.Text.Encoding.UTF8, "text/plain"));

        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "validation_error");
        Assert.True(error.GetProperty("fields").TryGetProperty("body", out _));
        Assert.Equal(0, await Queue.LengthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ListJobs_PagesAndStateFilter_NewestFirst()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var factory = ApiFactory.Create(_fixture.Redis, _fixture.Rclone, services: s => s.AddSingleton<TimeProvider>(clock));
        using var http = factory.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            using var created = await http.PostAsync("/api/jobs", ApiAssert.Json($$"""{ "type": "copy", "source": "/in{{i}}", "destination": "/out{{i}}" }"""));
            ids.Add((await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!);
        }

        using (await http.PostAsync($"/api/jobs/{ids[1]}/cancel", null))
        {
        }

        var first = await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs?page=1&pageSize=2"), HttpStatusCode.OK);
        Assert.Equal([ids[4], ids[3]], Ids(first));
        Assert.Equal((5L, 1, 2), (first.GetProperty("total").GetInt64(), first.GetProperty("page").GetInt32(), first.GetProperty("pageSize").GetInt32()));

        var last = await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs?page=3&pageSize=2"), HttpStatusCode.OK);
        Assert.Equal([ids[0]], Ids(last));

        var beyond = await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs?page=9&pageSize=2"), HttpStatusCode.OK);
        Assert.Empty(Ids(beyond));

        var queued = await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs?state=queued"), HttpStatusCode.OK);
        Assert.Equal([ids[4], ids[3], ids[2], ids[0]], Ids(queued));
        Assert.Equal(50, queued.GetProperty("pageSize").GetInt32());

        var canceled = await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs?state=Canceled"), HttpStatusCode.OK);
        Assert.Equal([ids[1]], Ids(canceled));

        var counts = await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs/counts"), HttpStatusCode.OK);
        Assert.Equal(5, counts.GetProperty("total").GetInt64());
        Assert.Equal(4, counts.GetProperty("queueLength").GetInt64());
        Assert.Equal(4, counts.GetProperty("byState").GetProperty("queued").GetInt64());
        Assert.Equal(1, counts.GetProperty("byState").GetProperty("canceled").GetInt64());
    }

    [Theory]
    [InlineData("state=bogus", "state")]
    [InlineData("page=0", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=501", "pageSize")]
    public async Task ListJobs_BadQuery_Returns400WithFieldMessage(string query, string field)
    {
        using var response = await _http.GetAsync("/api/jobs?" + query);

        await ApiAssert.ValidationAsync(response, field);
    }

    [Theory]
    [InlineData("0195f3b0a0a07000800000000000dead")]
    [InlineData("x:cancel")]
    public async Task GetJob_Unknown_Returns404NotFound(string id)
    {
        using var response = await _http.GetAsync("/api/jobs/" + Uri.EscapeDataString(id));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task CancelJob_Queued_ReturnsCanceledAndLeavesTheQueue()
    {
        var id = await CreateAsync();

        using var response = await _http.PostAsync($"/api/jobs/{id}/cancel", null);

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("canceled", job.GetProperty("state").GetString());
        Assert.Equal(JobState.Canceled, (await Store.GetAsync(id, CancellationToken.None))!.State);
        Assert.Equal(0, await Queue.LengthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CancelJob_Running_Returns202AndSetsTheCancelFlag()
    {
        var id = await StartAsync(await CreateAsync());

        using var response = await _http.PostAsync($"/api/jobs/{id}/cancel", null);

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("running", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("cancelRequested").GetBoolean());
        Assert.Equal($"/api/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.True(await Store.IsCancelRequestedAsync(id, CancellationToken.None));
        Assert.Equal(JobState.Running, (await Store.GetAsync(id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task CancelJob_ClaimedButNotYetRunning_Returns202AndSetsTheCancelFlag()
    {
        var id = await CreateAsync();
        Assert.Equal(id, await Queue.TryClaimAsync("worker-1", TimeSpan.FromMinutes(1), CancellationToken.None));

        using var response = await _http.PostAsync($"/api/jobs/{id}/cancel", null);

        await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.True(await Store.IsCancelRequestedAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task CancelJob_Terminal_Returns409Conflict()
    {
        var id = await StartAsync(await CreateAsync());
        var running = (await Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(JobStateMachine.Succeed(running, TimeProvider.System), JobState.Running,
            "worker-1", CancellationToken.None));

        using var response = await _http.PostAsync($"/api/jobs/{id}/cancel", null);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.False(await Store.IsCancelRequestedAsync(id, CancellationToken.None));
        Assert.Equal(JobState.Succeeded, (await Store.GetAsync(id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task CancelJob_Waiting_ReturnsCanceledAndLeavesTheWaitingSet()
    {
        var id = await StartAsync(await CreateAsync());
        var running = (await Store.GetAsync(id, CancellationToken.None))!;
        var wait = new JobWait
        {
            Reason = JobWait.RetryReason,
            DueAt = DateTimeOffset.UtcNow.AddMinutes(5),
            Code = Failures.ErrorCodes.RateLimited,
            Message = "429 Too Many Requests",
        };
        Assert.Equal(SaveResult.Saved, await Store.DeferAsync(JobStateMachine.Defer(running, wait, TimeProvider.System), JobState.Running,
            "worker-1", CancellationToken.None, leaseHolder: "worker-1"));
        using (var listed = await _http.GetAsync("/api/jobs?state=waiting"))
        {
            var page = await ApiAssert.JsonAsync(listed, HttpStatusCode.OK);
            var item = Assert.Single(page.GetProperty("items").EnumerateArray());
            Assert.Equal("waiting", item.GetProperty("state").GetString());
            Assert.Equal("retry", item.GetProperty("wait").GetProperty("reason").GetString());
            Assert.Equal("rate_limited", item.GetProperty("wait").GetProperty("code").GetString());
            Assert.Equal(wait.DueAt, item.GetProperty("wait").GetProperty("dueAt").GetDateTimeOffset());
        }

        using var response = await _http.PostAsync($"/api/jobs/{id}/cancel", null);

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("canceled", job.GetProperty("state").GetString());
        Assert.False(job.TryGetProperty("wait", out _));
        Assert.Equal(JobState.Canceled, (await Store.GetAsync(id, CancellationToken.None))!.State);
        Assert.Equal(0, (await Store.WaitingAsync(CancellationToken.None)).Count);
        Assert.False(await Store.IsCancelRequestedAsync(id, CancellationToken.None));
        Assert.Equal(0, await Queue.LengthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CancelJob_Unknown_Returns404NotFound()
    {
        using var response = await _http.PostAsync("/api/jobs/0195f3b0a0a07000800000000000beef/cancel", null);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    private async Task<string> CreateAsync()
    {
        using var response = await _http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    /// <summary>Does what a Worker does when it takes a job: claim it from the queue, then save it Running.</summary>
    private async Task<string> StartAsync(string id)
    {
        Assert.Equal(id, await Queue.TryClaimAsync("worker-1", TimeSpan.FromMinutes(1), CancellationToken.None));
        var job = (await Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(JobStateMachine.Start(job, "worker-1", TimeProvider.System),
            JobState.Queued, null, CancellationToken.None));
        return id;
    }

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();

    /// <summary>A body of unknown length (sent chunked), to test the limit when no Content-Length announces it.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

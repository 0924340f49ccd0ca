using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

/// <summary>The jobs grid's queries (filters, time range, sort) and the detail page's actions (retry now, run again).</summary>
[Collection(ApiCollection.Name)]
public sealed class JobsQueryApiTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(Start);
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public JobsQueryApiTests(RedisAndRcloneFixture fixture)
    {
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, services: s => s.AddSingleton<TimeProvider>(_clock));
        _http = _factory.CreateClient();
    }

    private JobStore Store => _factory.Services.GetRequiredService<JobStore>();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task ListJobs_TypeRemoteErrorCodeFilters_IntersectIndexesNewestFirst()
    {
        var copyToS3 = await CreateAsync("copy", "/data/a", "s3prod:bucket/a");
        var syncLocal = await CreateAsync("sync", "/data/b", "/data/c");
        var copyFromS3 = await CreateAsync("copy", "s3prod:bucket/x", "/data/x");
        var deleteGd = await CreateAsync("delete", "gdrive:old", null);
        var copyLocal = await CreateAsync("copy", "/data/d", "/data/e");
        await FailAsync(copyToS3, ErrorCodes.AccessDenied);
        await FailAsync(copyFromS3, ErrorCodes.NotFound);
        await FailAsync(copyLocal, ErrorCodes.AccessDenied);

        Assert.Equal([copyLocal, copyFromS3, copyToS3], await IdsAsync("type=copy"));
        Assert.Equal([copyFromS3, copyToS3], await IdsAsync("remote=s3prod"));
        Assert.Equal([copyLocal, copyFromS3, syncLocal, copyToS3], await IdsAsync("remote=local"));
        Assert.Equal([deleteGd], await IdsAsync("remote=gdrive&type=delete"));
        Assert.Equal([copyLocal, copyToS3], await IdsAsync("errorCode=access_denied"));
        Assert.Equal([copyToS3], await IdsAsync("errorCode=access_denied&remote=s3prod&state=failed&type=copy"));
        Assert.Empty(await IdsAsync("errorCode=access_denied&state=queued"));
        Assert.Equal([copyToS3, copyFromS3, copyLocal], await IdsAsync("type=copy&sort=created"));

        var page = await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs?type=copy&page=2&pageSize=2"), HttpStatusCode.OK);
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal([copyToS3], Ids(page));
    }

    [Fact]
    public async Task ListJobs_TimeRange_BoundsByCreationTimeInclusive()
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await CreateAsync("copy", $"/in{i}", $"/out{i}"));
        }

        // Created at Start + 1 s, + 2 s, + 3 s, + 4 s.
        var from = Uri.EscapeDataString(Start.AddSeconds(2).ToString("O"));
        var to = Uri.EscapeDataString(Start.AddSeconds(3).ToString("O"));
        Assert.Equal([ids[2], ids[1]], await IdsAsync($"from={from}&to={to}"));
        Assert.Equal([ids[3], ids[2], ids[1]], await IdsAsync($"from={from}"));
        Assert.Equal([ids[0], ids[1], ids[2]], await IdsAsync($"to={to}&sort=created"));

        var page = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/jobs?from={from}&type=copy&pageSize=1"), HttpStatusCode.OK);
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal([ids[3]], Ids(page));
    }

    [Fact]
    public async Task ListJobs_SortByStateOrType_GroupsByNameNewestFirstWithinAndPagesAcrossGroups()
    {
        var copyA = await CreateAsync("copy", "/data/a", "/data/a2");
        var sync = await CreateAsync("sync", "/data/b", "s3prod:b");
        var delete = await CreateAsync("delete", "/data/c", null);
        var copyB = await CreateAsync("copy", "s3prod:d", "/data/d");
        await FailAsync(copyA, ErrorCodes.AccessDenied);
        await FailAsync(delete, ErrorCodes.NotFound);

        // States A–Z: failed (delete, copyA), queued (copyB, sync); types: copy (copyB, copyA), delete, sync.
        Assert.Equal([delete, copyA, copyB, sync], await IdsAsync("sort=state"));
        Assert.Equal([copyB, sync, delete, copyA], await IdsAsync("sort=-state"));
        Assert.Equal([copyB, copyA, delete, sync], await IdsAsync("sort=type"));
        Assert.Equal([sync, delete, copyB, copyA], await IdsAsync("sort=-type"));

        // A page that starts inside one group and ends in the next, with the total of all groups.
        var page = await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs?sort=state&page=2&pageSize=3"), HttpStatusCode.OK);
        Assert.Equal(4, page.GetProperty("total").GetInt64());
        Assert.Equal([sync], Ids(page));
        page = await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs?sort=type&page=2&pageSize=1"), HttpStatusCode.OK);
        Assert.Equal([copyA], Ids(page));

        // With filters each group is intersected with them; sorting by the filtered column keeps newest first.
        Assert.Equal([copyB, sync], await IdsAsync("remote=s3prod&sort=type"));
        Assert.Equal([copyA, copyB], await IdsAsync("type=copy&sort=state"));
        Assert.Equal([copyB, copyA], await IdsAsync("type=copy&sort=-state"));
        Assert.Equal([copyB, copyA], await IdsAsync("type=copy&sort=type"));
        Assert.Equal([delete, copyA], await IdsAsync("state=failed&sort=state"));
    }

    [Theory]
    [InlineData("type=bogus", "type")]
    [InlineData("errorCode=nope", "errorCode")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=12", "to")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("sort=name", "sort")]
    [InlineData("remote=%01x", "remote")]
    public async Task ListJobs_BadFilter_Returns400WithFieldMessage(string query, string field)
    {
        using var response = await _http.GetAsync("/api/jobs?" + query);

        await ApiAssert.ValidationAsync(response, field);
    }

    [Fact]
    public async Task CreateJob_Always_RecordsMaxAttemptsFromRetrySettings()
    {
        var id = await CreateAsync("copy", "/a", "/b");

        Assert.Equal(RetrySettings.Default.Attempts, (await Store.GetAsync(id, CancellationToken.None))!.MaxAttempts);
    }

    [Fact]
    public async Task RetryNow_WaitingJob_QueuesItAtOnceAndLeavesTheWaitingSet()
    {
        var id = await CreateAsync("copy", "/a", "/b");
        var queued = (await Store.GetAsync(id, CancellationToken.None))!;
        var wait = new JobWait { Reason = JobWait.BreakerReason, DueAt = Start.AddHours(1), Message = "Remote s3 is unavailable" };
        Assert.Equal(SaveResult.Saved, await Store.DeferAsync(JobStateMachine.Defer(queued, wait, _clock), JobState.Queued, null,
            CancellationToken.None));

        using var response = await _http.PostAsync($"/api/jobs/{id}/retry-now", null);

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("queued", job.GetProperty("state").GetString());
        Assert.Equal(JobState.Queued, (await Store.GetAsync(id, CancellationToken.None))!.State);
        Assert.Equal(0, (await Store.WaitingAsync(CancellationToken.None)).Count);
        Assert.Equal(1, await _factory.Services.GetRequiredService<JobQueue>().LengthAsync(CancellationToken.None));

        using var again = await _http.PostAsync($"/api/jobs/{id}/retry-now", null);
        await ApiAssert.ErrorAsync(again, HttpStatusCode.Conflict, ErrorCodes.Conflict);
    }

    [Fact]
    public async Task RetryNow_Unknown_Returns404()
    {
        using var response = await _http.PostAsync("/api/jobs/0195f3b0a0a07000800000000000beef/retry-now", null);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task Rerun_FailedJob_CreatesNewQueuedJobWithSameParametersLinkedByRetryOf()
    {
        var id = await CreateAsync("copy", "/data/a", "s3prod:bucket/a");
        await FailAsync(id, ErrorCodes.NotFound);
        _clock.Advance(TimeSpan.FromSeconds(1));

        using var response = await _http.PostAsync($"/api/jobs/{id}/rerun", null);

        var job = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        var newId = job.GetProperty("id").GetString()!;
        Assert.NotEqual(id, newId);
        Assert.Equal($"/api/jobs/{newId}", response.Headers.Location?.OriginalString);
        var stored = (await Store.GetAsync(newId, CancellationToken.None))!;
        Assert.Equal((JobType.Copy, "/data/a", "s3prod:bucket/a", JobState.Queued, id),
            (stored.Type, stored.Source, stored.Destination, stored.State, stored.RetryOf));
        Assert.Empty(stored.Attempts);
        Assert.Equal([newId, id], await IdsAsync("remote=s3prod"));
    }

    [Fact]
    public async Task Rerun_QueuedJob_Returns409()
    {
        var id = await CreateAsync("copy", "/a", "/b");

        using var response = await _http.PostAsync($"/api/jobs/{id}/rerun", null);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, ErrorCodes.Conflict);
    }

    [Fact]
    public async Task FailureStats_AfterOutcomes_ReportsRatiosTopCodesAndRetries()
    {
        _clock.Advance(DateTimeOffset.UtcNow - Start);
        await FailAsync(await CreateAsync("copy", "/a", "/b"), ErrorCodes.AccessDenied);
        await FailAsync(await CreateAsync("copy", "/c", "/d"), ErrorCodes.Unknown);
        var id = await CreateAsync("sync", "/e", "/f");
        var job = (await Store.GetAsync(id, CancellationToken.None))!;
        var running = JobStateMachine.Start(job, "w", _clock);
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(running, JobState.Queued, null, CancellationToken.None));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(JobStateMachine.Succeed(running, _clock), JobState.Running, "w", CancellationToken.None));

        var stats = await ApiAssert.JsonAsync(await _http.GetAsync("/api/stats/failures?window=15m"), HttpStatusCode.OK);

        Assert.Equal("15m", stats.GetProperty("window").GetString());
        Assert.Equal(3, stats.GetProperty("completed").GetInt64());
        Assert.Equal(2, stats.GetProperty("failed").GetInt64());
        Assert.Equal(100.0 * 2 / 3, stats.GetProperty("failureRatioPercent").GetDouble(), 3);
        Assert.Equal(50.0, stats.GetProperty("unknownRatioPercent").GetDouble(), 3);
        Assert.Equal(2, stats.GetProperty("topCodes").GetArrayLength());
        var byType = stats.GetProperty("byType").EnumerateArray().ToDictionary(t => t.GetProperty("type").GetString()!,
            t => t.GetProperty("failureRatioPercent").GetDouble());
        Assert.Equal(100.0, byType["copy"], 3);
        Assert.Equal(0.0, byType["sync"], 3);
        Assert.Equal(1, stats.GetProperty("started").GetInt64());
    }

    [Fact]
    public async Task FailureStats_BadWindow_Returns400()
    {
        using var response = await _http.GetAsync("/api/stats/failures?window=7d");

        await ApiAssert.ValidationAsync(response, "window");
    }

    private async Task<string> CreateAsync(string type, string source, string? destination)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var body = destination is null
            ? $$"""{ "type": "{{type}}", "source": "{{source}}" }"""
            : $$"""{ "type": "{{type}}", "source": "{{source}}", "destination": "{{destination}}" }""";
        using var response = await _http.PostAsync("/api/jobs", ApiAssert.Json(body));
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    /// <summary>Fails a queued job as a Worker's pre-flight check does (Queued → Failed).</summary>
    private async Task FailAsync(string id, string code)
    {
        var job = (await Store.GetAsync(id, CancellationToken.None))!;
        var failed = JobStateMachine.Fail(job, new JobError { Code = code, Message = code, Suggestion = "Check it." }, _clock);
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(failed, JobState.Queued, null, CancellationToken.None));
    }

    private async Task<List<string>> IdsAsync(string query) =>
        Ids(await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs?" + query), HttpStatusCode.OK));

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class SchedulesApiTests : IDisposable
{
    private const string Nightly = """
        { "name": "nightly", "cron": "30 2 * * *", "timeZone": "Europe/Paris",
          "job": { "type": "sync", "source": "/data/in", "destination": "remote:bucket/out" }, "jitter": "10s" }
        """;

    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public SchedulesApiTests(RedisAndRcloneFixture fixture)
    {
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        _http = _factory.CreateClient();
    }

    private JobStore Jobs => _factory.Services.GetRequiredService<JobStore>();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task CreateSchedule_Valid_Returns201WithNextFireTimesInZoneAndUtc()
    {
        using var response = await _http.PostAsync("/api/schedules", ApiAssert.Json(Nightly));

        var view = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        var schedule = view.GetProperty("schedule");
        var id = schedule.GetProperty("id").GetString()!;
        Assert.Equal($"/api/schedules/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("skip", schedule.GetProperty("overlap").GetString());
        Assert.Equal("run_once", schedule.GetProperty("missed").GetString());
        var next = view.GetProperty("nextFireTimes").EnumerateArray().ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next, t =>
        {
            var local = t.GetProperty("local").GetDateTimeOffset();
            Assert.Equal(new TimeSpan(2, 30, 0), local.TimeOfDay);
            Assert.Equal(local.UtcDateTime, t.GetProperty("utc").GetDateTimeOffset().UtcDateTime);
        });

        var list = await ApiAssert.JsonAsync(await _http.GetAsync("/api/schedules"), HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        var one = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/schedules/{id}"), HttpStatusCode.OK);
        Assert.Equal("nightly", one.GetProperty("schedule").GetProperty("name").GetString());
    }

    public static TheoryData<string, string> InvalidSchedules => new()
    {
        { """{ "name": "x", "cron": "every day", "job": { "type": "copy", "source": "/a", "destination": "/b" } }""", "cron" },
        { """{ "name": "x", "cron": "0 0 30 2 *", "job": { "type": "copy", "source": "/a", "destination": "/b" } }""", "cron" },
        { """{ "name": "x", "cron": "@daily", "timeZone": "Mars/Base", "job": { "type": "copy", "source": "/a", "destination": "/b" } }""", "timeZone" },
        { """{ "name": "x", "cron": "@daily", "job": { "type": "copy", "source": "--config=/etc/x", "destination": "/b" } }""", "job.source" },
        { """{ "name": "x", "cron": "@daily", "batch": { "items": [ { "op": "copyfile", "source": "/a/f", "destination": "-x" } ] } }""", "batch.items[0].destination" },
        { """{ "name": "x", "cron": "@daily", "overlap": "maybe", "job": { "type": "copy", "source": "/a", "destination": "/b" } }""", "overlap" },
    };

    [Theory]
    [MemberData(nameof(InvalidSchedules))]
    public async Task CreateSchedule_Invalid_400WithFieldErrorAndNothingStored(string body, string field)
    {
        using var response = await _http.PostAsync("/api/schedules", ApiAssert.Json(body));

        await ApiAssert.ValidationAsync(response, field);
        var list = await ApiAssert.JsonAsync(await _http.GetAsync("/api/schedules"), HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task PauseResumeRunNowAndRuns_Lifecycle_RunRecordedWithItsJob()
    {
        var id = await CreateAsync();

        var paused = await ApiAssert.JsonAsync(await _http.PostAsync($"/api/schedules/{id}/pause", null), HttpStatusCode.OK);
        Assert.True(paused.GetProperty("schedule").GetProperty("paused").GetBoolean());
        Assert.Empty(paused.GetProperty("nextFireTimes").EnumerateArray());
        var resumed = await ApiAssert.JsonAsync(await _http.PostAsync($"/api/schedules/{id}/resume", null), HttpStatusCode.OK);
        Assert.False(resumed.GetProperty("schedule").TryGetProperty("paused", out var p) && p.GetBoolean());

        using var runNow = await _http.PostAsync($"/api/schedules/{id}/run-now", null);
        var run = await ApiAssert.JsonAsync(runNow, HttpStatusCode.Accepted);
        var jobId = run.GetProperty("jobId").GetString()!;
        var job = await Jobs.GetAsync(jobId, CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal(id, job.ScheduleId);
        Assert.Equal($"/api/jobs/{jobId}", runNow.Headers.Location?.OriginalString);

        var runs = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/schedules/{id}/runs?page=1&pageSize=10"), HttpStatusCode.OK);
        Assert.Equal(1, runs.GetProperty("total").GetInt64());
        var first = runs.GetProperty("items")[0];
        Assert.Equal(jobId, first.GetProperty("jobId").GetString());
        Assert.Equal("queued", first.GetProperty("outcome").GetString()); // the job's state now
        Assert.True(first.TryGetProperty("startedAt", out _));
        var view = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/schedules/{id}"), HttpStatusCode.OK);
        Assert.Equal(jobId, view.GetProperty("lastRun").GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task ReplaceAndDelete_ExistingSchedule_ChangedThenGone()
    {
        var id = await CreateAsync();

        var replaced = await ApiAssert.JsonAsync(await _http.PutAsync($"/api/schedules/{id}",
            ApiAssert.Json(Nightly.Replace("30 2 * * *", "0 * * * *", StringComparison.Ordinal))), HttpStatusCode.OK);
        Assert.Equal("0 * * * *", replaced.GetProperty("schedule").GetProperty("cron").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/api/schedules/{id}")).StatusCode);
        await ApiAssert.ErrorAsync(await _http.GetAsync($"/api/schedules/{id}"), HttpStatusCode.NotFound, "not_found");
        await ApiAssert.ErrorAsync(await _http.DeleteAsync($"/api/schedules/{id}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheScheduleEndpoints()
    {
        var document = await ApiAssert.JsonAsync(await _http.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/schedules", paths);
        Assert.Contains("/api/schedules/{id}", paths);
        Assert.Contains("/api/schedules/{id}/run-now", paths);
        Assert.Contains("/api/schedules/{id}/runs", paths);
    }

    private async Task<string> CreateAsync()
    {
        var created = await ApiAssert.JsonAsync(await _http.PostAsync("/api/schedules", ApiAssert.Json(Nightly)), HttpStatusCode.Created);
        return created.GetProperty("schedule").GetProperty("id").GetString()!;
    }
}

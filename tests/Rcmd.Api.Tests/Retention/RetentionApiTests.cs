using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Retention;

[Collection(ApiCollection.Name)]
public sealed class RetentionApiTests : IDisposable
{
    private readonly RedisAndRcloneFixture _fixture;
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public RetentionApiTests(RedisAndRcloneFixture fixture)
    {
        _fixture = fixture;
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?>
        {
            ["Rcmd:Retention:Succeeded"] = "2.00:00:00",
            ["Rcmd:Retention:ArchiveTo"] = "s3archive:rcmd/history",
        });
        _http = _factory.CreateClient();
    }

    private RedisConnection Redis => _factory.Services.GetRequiredService<RedisConnection>();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task GetJob_Archived_Returns410NamingTheArchiveFile()
    {
        var archivedAt = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
        await Redis.Database.SortedSetAddAsync(Redis.Keys.ArchivedJobs, "gone1", archivedAt.ToUnixTimeMilliseconds());

        using var response = await _http.GetAsync("/api/jobs/gone1");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Gone);
        Assert.Equal("s3archive:rcmd/history/rcmd-jobs-2026-05-06.jsonl.gz", body.GetProperty("archived").GetProperty("archiveFile").GetString());
        Assert.Equal("not_found", body.GetProperty("error").GetProperty("normalizedError").GetProperty("code").GetString());
        Assert.Contains("rcmd-jobs-2026-05-06.jsonl.gz", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJob_NeverExisted_Still404()
    {
        using var response = await _http.GetAsync("/api/jobs/nothere");

        await ApiAssert.JsonAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetRetention_ShowsSettingsAndLiveHistoryStart()
    {
        using var created = await _http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/data/in", "destination": "/data/out" }"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var body = await ApiAssert.JsonAsync(await _http.GetAsync("/api/retention"), HttpStatusCode.OK);

        var settings = body.GetProperty("settings");
        Assert.Equal("2.00:00:00", settings.GetProperty("succeeded").GetString());
        Assert.Equal("90.00:00:00", settings.GetProperty("failed").GetString());
        Assert.Equal("s3archive:rcmd/history", settings.GetProperty("archiveTo").GetString());
        Assert.Equal(JsonValueKindString, body.GetProperty("state").GetProperty("liveHistoryStart").ValueKind);
        Assert.Equal(0, body.GetProperty("state").GetProperty("archivedTotal").GetInt64());
        Assert.True(body.GetProperty("redis").GetProperty("usedMemory").GetInt64() > 0);
        Assert.True(body.GetProperty("redis").TryGetProperty("maxMemory", out _));
        // No sweep ran: no next time to show yet.
        Assert.False(body.TryGetProperty("nextSweepAt", out _));
    }

    [Fact]
    public async Task GetRetention_ArchiveToWithCredentials_ShowsThemMasked()
    {
        using var factory = ApiFactory.Create(_fixture.Redis, _fixture.Rclone, new Dictionary<string, string?>
        {
            ["Rcmd:Retention:ArchiveTo"] = ":s3,access_key_id=AKIAEXAMPLEKEY12345,secret_access_key=hunter2secret:rcmd/history",
        });
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/retention");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("hunter2secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLEKEY12345", text, StringComparison.Ordinal);
        Assert.Contains("rcmd/history", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateJob_RedisFull_Returns503WithMessageNothingWrittenThenRecovers()
    {
        _fixture.Redis.Cli("config", "set", "maxmemory-policy", "noeviction");
        _fixture.Redis.Cli("config", "set", "maxmemory", "1");
        HttpResponseMessage refused;
        try
        {
            refused = await _http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/data/in", "destination": "/data/out" }"""));
        }
        finally
        {
            _fixture.Redis.Cli("config", "set", "maxmemory", "0");
        }

        using (refused)
        {
            var error = await ApiAssert.JsonAsync(refused, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("Redis is out of memory", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.True(error.GetProperty("error").GetProperty("normalizedError").GetProperty("retryable").GetBoolean());
            Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());
            Assert.DoesNotContain("   at ", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var counts = await ApiAssert.JsonAsync(await _http.GetAsync("/api/jobs/counts"), HttpStatusCode.OK);
        Assert.Equal(0, counts.GetProperty("total").GetInt64());
        Assert.Equal(0, counts.GetProperty("queueLength").GetInt64());

        using var again = await _http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/data/in", "destination": "/data/out" }"""));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindString = System.Text.Json.JsonValueKind.String;
}

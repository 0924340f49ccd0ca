using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

/// <summary>
/// The path policy through the real Api (issue 13, item 5): what a new user tried — a relative source that copied
/// Redis's files out of the data directory — and its cousins are refused by field, and nothing is queued.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PathPolicyApiTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly string _root = Directory.CreateTempSubdirectory("rcmd-policy-").FullName;
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public PathPolicyApiTests(RedisAndRcloneFixture fixture)
    {
        Directory.CreateDirectory(Path.Combine(Data, "redis"));
        Directory.CreateDirectory(Path.Combine(_root, "in"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "in", "link"), Data);
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?> { ["Rcmd:DataDir"] = Data });
        _http = _factory.CreateClient();
    }

    private string Data => Path.Combine(_root, "data");

    private JobStore Store => _factory.Services.GetRequiredService<JobStore>();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("redis", "source", "validation_error")] // what the new user sent: rcd resolves it in its working directory
    [InlineData("../data/redis", "source", "validation_error")]
    [InlineData("{in}/../data/redis", "source", "validation_error")]
    [InlineData("{data}/redis", "source", "access_denied")]
    [InlineData("{data}", "source", "access_denied")]
    [InlineData("{in}/link/redis", "source", "access_denied")]
    [InlineData(":local:{data}", "source", "access_denied")]
    public async Task CreateJob_PathBreakingThePolicy_RefusedByFieldAndNothingQueued(string source, string field, string code)
    {
        source = source.Replace("{data}", Data, StringComparison.Ordinal).Replace("{in}", Path.Combine(_root, "in"), StringComparison.Ordinal);

        using var response = await _http.PostAsync("/api/jobs",
            ApiAssert.Json($$"""{ "type": "copy", "source": "{{source}}", "destination": "{{_root}}/out" }"""), Ct);

        var status = code == ErrorCodes.AccessDenied ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest;
        var error = await ApiAssert.ErrorAsync(response, status, code);
        Assert.Single(error.GetProperty("fields").GetProperty(field).EnumerateArray());
        Assert.Equal(0, (await Store.CountAsync(Ct)).Total);
        Assert.Equal(0, await _factory.Services.GetRequiredService<JobQueue>().LengthAsync(Ct));
    }

    [Fact]
    public async Task CreateJob_DestinationInDataDirectory_Refused_SourceElsewhereAccepted()
    {
        using var refused = await _http.PostAsync("/api/jobs",
            ApiAssert.Json($$"""{ "type": "sync", "source": "{{_root}}/in", "destination": "{{Data}}/redis" }"""), Ct);
        using var accepted = await _http.PostAsync("/api/jobs",
            ApiAssert.Json($$"""{ "type": "sync", "source": "{{_root}}/in", "destination": "{{_root}}/out" }"""), Ct);

        var error = await ApiAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        Assert.Contains("Rcmd's data directory", error.GetProperty("fields").GetProperty("destination")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("source", error.GetProperty("fields").EnumerateObject().Select(f => f.Name));
        await ApiAssert.JsonAsync(accepted, HttpStatusCode.Created);
        Assert.Equal(1, (await Store.CountAsync(Ct)).Total);
    }

    [Fact]
    public async Task CreateBatch_OneBadItemAmongAThousand_403NamesItAndNothingStored()
    {
        var body = new StringBuilder("""{ "items": [""");
        for (var i = 0; i < 1000; i++)
        {
            var source = i == 421 ? $"{Data}/redis/appendonly.aof" : $"{_root}/in/f{i}.txt";
            body.Append(i == 0 ? "" : ",").Append($$"""{"op":"copyfile","source":"{{source}}","destination":"{{_root}}/out/f{{i}}.txt"}""");
        }

        using var response = await _http.PostAsync("/api/batches", ApiAssert.Json(body.Append("]}").ToString()), Ct);

        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        Assert.Equal(["items[421].source"], error.GetProperty("fields").EnumerateObject().Select(f => f.Name));
        Assert.Equal(0, (await Store.CountAsync(Ct)).Total);
        var multiplexer = _factory.Services.GetRequiredService<RedisConnection>().Multiplexer;
        Assert.Empty(multiplexer.GetServer(multiplexer.GetEndPoints()[0]).Keys(pattern: $"{_factory.Prefix}:batch:*").ToList());
    }

    [Fact]
    public async Task CreateBatch_RelativeDirectoryPair_400()
    {
        using var response = await _http.PostAsync("/api/batches",
            ApiAssert.Json("""{ "directory": { "source": "redis", "destination": "s3prod:b" } }"""), Ct);

        await ApiAssert.ValidationAsync(response, "directory.source");
        Assert.Equal(0, (await Store.CountAsync(Ct)).Total);
    }

    [Fact]
    public async Task Rerun_OldJobIntoTheDataDirectory_RefusedAndNothingQueued()
    {
        // A job stored before the policy existed (an upgrade): submitting it again meets today's rules.
        var old = JobStateMachine.Create("0123456789abcdef0123456789abcdef",
            new JobSubmission(JobType.Copy, $"{_root}/in", $"{Data}/stolen", new JobOptions()), TimeProvider.System);
        Assert.True(await Store.EnqueueAsync(old, Ct));
        var failed = JobStateMachine.Fail(old, new JobError { Code = ErrorCodes.Unknown, Message = "x" }, TimeProvider.System);
        Assert.Equal(SaveResult.Saved, await Store.SaveAsync(failed, JobState.Queued, null, Ct));

        using var response = await _http.PostAsync($"/api/jobs/{old.Id}/rerun", null, Ct);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        Assert.Equal(1, (await Store.CountAsync(Ct)).Total);
    }

    [Fact]
    public async Task Schedule_WithDataDirectoryPath_Refused()
    {
        using var response = await _http.PostAsync("/api/schedules", ApiAssert.Json($$"""
            { "name": "steal", "cron": "*/5 * * * *", "job": { "type": "copy", "source": "{{Data}}", "destination": "{{_root}}/out" } }
            """), Ct);

        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        Assert.True(error.GetProperty("fields").TryGetProperty("job.source", out _), error.ToString());
        var list = await ApiAssert.JsonAsync(await _http.GetAsync("/api/schedules", Ct), HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task BrowseLocal_DataDirectory_Refused_ItsParentListed()
    {
        using var refused = await _http.GetAsync($"/api/remotes/:local/list?path={Uri.EscapeDataString(Data.TrimStart('/'))}", Ct);
        using var parent = await _http.GetAsync($"/api/remotes/:local/list?path={Uri.EscapeDataString(_root.TrimStart('/'))}", Ct);

        await ApiAssert.ErrorAsync(refused, HttpStatusCode.Forbidden, ErrorCodes.AccessDenied);
        await ApiAssert.JsonAsync(parent, HttpStatusCode.OK);
    }
}

using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// The real <c>rclone rc</c> client (Debian's rclone) against Rcmd's <c>/rc/</c> on the running system (issue 14): the
/// calls it makes, the answers it parses, the exit codes it gives on errors — and a transfer that became an Rcmd job.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class RcCompatibilityTests(SystemFixture fixture)
{
    private async Task<(int ExitCode, string Output)> RcAsync(params string[] arguments)
    {
        // --rc-no-auth is not an rclone rc flag: with no --user, rclone rc sends no credentials (local mode).
        using var process = ChildProcess.Start("rclone", ["rc", "--url", new Uri(fixture.System.ApiUrl, "rc/").ToString(), .. arguments],
            new Dictionary<string, string?> { ["RCLONE_CONFIG"] = "/dev/null" });
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromMinutes(2)), "rclone rc did not end: " + process.Output);
        return (process.ExitCode!.Value, process.Output);
    }

    /// <summary>The first JSON object rclone rc printed (its log lines may follow it).</summary>
    private static JsonElement Json(string output)
    {
        var start = output.IndexOf('{', StringComparison.Ordinal);
        Assert.True(start >= 0, "no JSON in: " + output);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(output[start..]));
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task RcloneRc_NoopVersionListremotes_AnswerAsRcdDoes()
    {
        var (noopExit, noop) = await RcAsync("rc/noop", "param1=one", "param2=two");
        var (versionExit, version) = await RcAsync("core/version");
        var (remotesExit, remotes) = await RcAsync("config/listremotes");

        Assert.Equal(0, noopExit);
        Assert.Equal(("one", "two"), (Json(noop).GetProperty("param1").GetString(), Json(noop).GetProperty("param2").GetString()));
        Assert.Equal(0, versionExit);
        Assert.StartsWith("v1.", Json(version).GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, remotesExit);
        Assert.Equal(JsonValueKind.Object, Json(remotes).ValueKind);
    }

    [Fact]
    public async Task RcloneRc_AsyncCopy_BecomesAnRcmdJob_StatusUntilFinished_FilesOnDisk()
    {
        var source = Path.Combine(fixture.Files, "rc-src");
        var destination = Path.Combine(fixture.Files, "rc-dst");
        Directory.CreateDirectory(source);
        for (var i = 0; i < 3; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(source, $"f{i}.txt"), $"rc file {i}");
        }

        var (listExit, list) = await RcAsync("operations/list", $"fs={source}", "remote=");
        Assert.Equal(0, listExit);
        Assert.Equal(3, Json(list).GetProperty("list").GetArrayLength());

        var (startExit, started) = await RcAsync("sync/copy", $"srcFs={source}", $"dstFs={destination}", "_async=true");
        Assert.Equal(0, startExit);
        var jobId = Json(started).GetProperty("jobid").GetInt64();
        Assert.False(string.IsNullOrEmpty(Json(started).GetProperty("executeId").GetString()));

        JsonElement status = default;
        await Wait.UntilAsync(async () =>
        {
            var (exit, output) = await RcAsync("job/status", $"jobid={jobId}");
            Assert.Equal(0, exit);
            status = Json(output);
            return status.GetProperty("finished").GetBoolean();
        }, TimeSpan.FromMinutes(2), "job/status to say finished");

        Assert.True(status.GetProperty("success").GetBoolean(), status.ToString());
        Assert.Equal($"job/{jobId}", status.GetProperty("group").GetString());
        Assert.Equal(jobId, status.GetProperty("id").GetInt64());
        Assert.Equal(3, Directory.GetFiles(destination).Length);

        // The job is an Rcmd job: the Api lists it, and its RC id is never handed out again.
        var (againExit, again) = await RcAsync("sync/copy", $"srcFs={source}", $"dstFs={destination}-2");
        Assert.Equal(0, againExit);
        Assert.Equal("{}", Json(again).ToString().Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
        var (jobsExit, jobs) = await RcAsync("job/list");
        Assert.Equal(0, jobsExit);
        var ids = Json(jobs).GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Contains(jobId, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ids.Max() > jobId);
        Assert.Equal(3, Directory.GetFiles(destination + "-2").Length);
    }

    [Fact]
    public async Task RcloneRc_Errors_InRclonesShape_AndRcloneRcExitsNonZero()
    {
        var (unknownExit, unknown) = await RcAsync("nope/x");
        var (missingExit, missing) = await RcAsync("sync/copy", "srcFs=/tmp");
        var (relativeExit, relative) = await RcAsync("sync/copy", "srcFs=redis", "dstFs=/tmp/rc-stolen");
        var (quitExit, quit) = await RcAsync("core/quit");

        Assert.NotEqual(0, unknownExit);
        Assert.Equal(404, Json(unknown).GetProperty("status").GetInt32());
        Assert.Equal("couldn't find method \"nope/x\"", Json(unknown).GetProperty("error").GetString());
        Assert.NotEqual(0, missingExit);
        Assert.Equal(400, Json(missing).GetProperty("status").GetInt32());
        Assert.Equal("Didn't find key \"dstFs\" in input", Json(missing).GetProperty("error").GetString());
        Assert.Equal("sync/copy", Json(missing).GetProperty("path").GetString());
        Assert.NotEqual(0, relativeExit);
        Assert.Equal("validation_error", Json(relative).GetProperty("normalizedError").GetProperty("code").GetString());
        Assert.NotEqual(0, quitExit);
        Assert.Equal(403, Json(quit).GetProperty("status").GetInt32());
        Assert.Equal(0, (await RcAsync("rc/noop")).ExitCode); // and rcd is still there
    }
}

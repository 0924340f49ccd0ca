using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// A client built on the npm package <c>rclone-sdk</c> (the SDK rclone's GUIs use: JSON bodies, query parameters, the
/// <c>Prefer: respond-async</c> header on async calls) against Rcmd's <c>/rc/</c> on the running system: rc/noop,
/// sync/copy started async, job/status until finished, job/batch, core/stats of the job's group (RcSdk/flow.mjs).
/// The package is installed from npm's configured registry with <c>npm ci</c> (RcSdk/package-lock.json) at test time.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class RcSdkTests(SystemFixture fixture)
{
    [Fact]
    public async Task RcloneSdk_NoopAsyncCopyStatusBatchStats_AsAnRcdClientExpects()
    {
        using var client = new TempDirectory("rc-sdk");
        foreach (var file in new[] { "package.json", "package-lock.json", "flow.mjs" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "RcSdk", file), client.Combine(file));
        }

        using (var install = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], workingDirectory: client.Path))
        {
            Assert.True(await install.WaitForExitAsync(TimeSpan.FromMinutes(4)), "npm ci did not end: " + install.Output);
            Assert.True(install.ExitCode == 0, "npm ci failed: " + install.Output);
        }

        var source = Path.Combine(fixture.Files, "sdk-src");
        var destination = Path.Combine(fixture.Files, "sdk-dst");
        Directory.CreateDirectory(source);
        for (var i = 0; i < 3; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(source, $"s{i}.txt"), $"sdk file {i}");
        }

        using var flow = ChildProcess.Start("node", ["flow.mjs", new Uri(fixture.System.ApiUrl, "rc").ToString(), source, destination],
            workingDirectory: client.Path);
        Assert.True(await flow.WaitForExitAsync(TimeSpan.FromMinutes(3)), "the SDK client did not end: " + flow.Output);
        Assert.True(flow.ExitCode == 0, "the SDK client failed: " + flow.Output);
        var seen = JsonDocument.Parse(flow.Output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;

        Assert.Equal(200, seen.GetProperty("noop").GetProperty("status").GetInt32());
        Assert.Equal("sdk", seen.GetProperty("noop").GetProperty("data").GetProperty("hello").GetString());

        var copy = seen.GetProperty("copy");
        Assert.Equal(202, copy.GetProperty("status").GetInt32()); // the SDK's Prefer: respond-async
        Assert.Equal("respond-async", copy.GetProperty("preferenceApplied").GetString());
        var jobId = copy.GetProperty("data").GetProperty("jobid").GetInt64();
        Assert.Equal(jobId.ToString(System.Globalization.CultureInfo.InvariantCulture), copy.GetProperty("jobIdHeader").GetString());

        var status = seen.GetProperty("status");
        Assert.True(status.GetProperty("finished").GetBoolean() && status.GetProperty("success").GetBoolean(), status.ToString());
        Assert.Equal((jobId, $"job/{jobId}"), (status.GetProperty("id").GetInt64(), status.GetProperty("group").GetString()));
        Assert.Equal(3, Directory.GetFiles(destination).Length);

        var results = seen.GetProperty("batch").GetProperty("data").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results[0].GetProperty("n").GetInt32());
        Assert.StartsWith("v1.", results[1].GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Equal(404, results[2].GetProperty("status").GetInt32());

        var stats = seen.GetProperty("stats");
        Assert.Equal(200, stats.GetProperty("status").GetInt32());
        Assert.Equal(3, stats.GetProperty("data").GetProperty("transfers").GetInt64());
        Assert.True(stats.GetProperty("data").GetProperty("bytes").GetInt64() > 0);
    }
}

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
/// The same calls to a real rcd and to Rcmd's <c>/rc/</c>, their replies compared by shape: the same keys, the same JSON
/// value kinds, recursively. What Rcmd adds is allowed and named here: <c>normalizedError</c> on errors; the keys newer
/// rclone releases give that Rcmd gives already (<c>executeId</c> on an async start and in job/list, job/list's
/// <c>runningIds</c>/<c>finishedIds</c>, core/stats's <c>lastError</c> for a finished job's group).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RcGoldenShapeTests(RedisAndRcloneFixture fixture) : IDisposable
{
    private readonly ApiFactory _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
    private readonly TempDirectory _files = new("rc-golden");

    public void Dispose()
    {
        _factory.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task SameCalls_RcdAndRcmd_SameKeysAndValueKinds()
    {
        Directory.CreateDirectory(_files.Combine("src"));
        await File.WriteAllTextAsync(_files.Combine("src", "a.txt"), "golden");
        using var rcd = fixture.Rclone.CreateHttpClient();
        using var rcmd = _factory.CreateClient();
        var src = _files.Combine("src");
        var calls = new (string Path, string Body, string[] RcmdAdds)[]
        {
            ("rc/noop", """{"a": 1, "b": "x", "c": {"d": true}}""", []),
            ("core/version", "{}", []),
            ("config/listremotes", "{}", []),
            ("operations/list", $$"""{"fs": "{{src}}", "remote": ""}""", []),
            ("operations/about", $$"""{"fs": "{{src}}"}""", []),
            ("operations/size", $$"""{"fs": "{{src}}"}""", []),
            ("core/stats", "{}", []),
            ("core/group-list", "{}", []),
            ("nope/x", "{}", ["normalizedError"]),
            ("sync/copy", $$"""{"srcFs": "{{src}}"}""", ["normalizedError"]),
            ("job/status", """{"jobid": "x"}""", ["normalizedError"]),
        };

        var differences = new List<string>();
        foreach (var (path, body, adds) in calls)
        {
            var (rcdCode, rcdReply) = await CallAsync(rcd, new Uri(fixture.Rclone.Url, path), body);
            var (rcmdCode, rcmdReply) = await CallAsync(rcmd, new Uri("/rc/" + path, UriKind.Relative), body);
            Compare(path, rcdCode, rcdReply, rcmdCode, rcmdReply, adds, differences);
        }

        // A transfer started async, then its status once finished, its group's stats, and the job list.
        var copy = $$"""{"srcFs": "{{src}}", "dstFs": "{{_files.Combine("dst")}}", "_async": true}""";
        var (rcdStart, rcdStarted) = await CallAsync(rcd, new Uri(fixture.Rclone.Url, "sync/copy"), copy);
        var (rcmdStart, rcmdStarted) = await CallAsync(rcmd, new Uri("/rc/sync/copy", UriKind.Relative), copy);
        Compare("sync/copy _async", rcdStart, rcdStarted, rcmdStart, rcmdStarted, ["executeId"], differences);
        Assert.True(rcdStarted.TryGetProperty("jobid", out _) && rcmdStarted.TryGetProperty("jobid", out _), $"rcd: {rcdStarted}\nRcmd: {rcmdStarted}");
        var rcdId = rcdStarted.GetProperty("jobid").GetInt64();
        var rcmdId = rcmdStarted.GetProperty("jobid").GetInt64();
        await FinishRcmdJobAsync(); // no Worker here: the job ends as a Worker would end it
        JsonElement rcdStatus = default;
        await Wait.UntilAsync(async () =>
        {
            rcdStatus = (await CallAsync(rcd, new Uri(fixture.Rclone.Url, "job/status"), $$"""{"jobid": {{rcdId}}}""")).Reply;
            return rcdStatus.GetProperty("finished").GetBoolean();
        }, TimeSpan.FromSeconds(30), "rcd's copy to finish");
        var (rcmdStatusCode, rcmdStatus) = await CallAsync(rcmd, new Uri("/rc/job/status", UriKind.Relative), $$"""{"jobid": {{rcmdId}}}""");
        Compare("job/status (finished)", HttpStatusCode.OK, rcdStatus, rcmdStatusCode, rcmdStatus, ["executeId"], differences);
        var groupStats = (Rcd: await CallAsync(rcd, new Uri(fixture.Rclone.Url, "core/stats"), $$"""{"group": "job/{{rcdId}}"}"""),
            Rcmd: await CallAsync(rcmd, new Uri("/rc/core/stats", UriKind.Relative), $$"""{"group": "job/{{rcmdId}}"}"""));
        Compare("core/stats?group=job/N", groupStats.Rcd.Status, groupStats.Rcd.Reply, groupStats.Rcmd.Status, groupStats.Rcmd.Reply,
            ["lastError"], differences);
        var lists = (Rcd: await CallAsync(rcd, new Uri(fixture.Rclone.Url, "job/list"), "{}"),
            Rcmd: await CallAsync(rcmd, new Uri("/rc/job/list", UriKind.Relative), "{}"));
        Compare("job/list", lists.Rcd.Status, lists.Rcd.Reply, lists.Rcmd.Status, lists.Rcmd.Reply, ["executeId", "runningIds", "finishedIds"],
            differences);

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    private async Task FinishRcmdJobAsync()
    {
        var store = _factory.Services.GetRequiredService<JobStore>();
        var job = Assert.Single((await store.ListAsync(new JobQuery(null, 1, 10), CancellationToken.None)).Items);
        var done = job with
        {
            State = JobState.Succeeded, StartedAt = job.CreatedAt, FinishedAt = job.CreatedAt.AddSeconds(1), UpdatedAt = job.CreatedAt.AddSeconds(1),
            Progress = new JobProgress { Bytes = 6, TotalBytes = 6, Transfers = 1, TotalTransfers = 1 },
        };
        Assert.Equal(SaveResult.Saved, await store.SaveAsync(done, JobState.Queued, null, CancellationToken.None));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Reply)> CallAsync(HttpClient http, Uri uri, string json)
    {
        // rcd (1.60) reads a JSON body only under exactly "application/json": no charset parameter.
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(uri, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>
    /// Keys rclone itself gives as a number or as null depending on the moment: core/stats's <c>eta</c> is null while no
    /// speed is known (rclone's accounting: no ETA without a rate), so a finished group's eta is 0 or null by when it
    /// is asked — seen from rcd in one run in a few under load. Either kind from either side matches.
    /// </summary>
    private static readonly HashSet<string> NumberOrNull = [".eta"];

    /// <summary>Same status, and every key of either reply in the other with the same kind, but for Rcmd's named additions.</summary>
    private static void Compare(string call, HttpStatusCode rcdStatus, JsonElement rcd, HttpStatusCode rcmdStatus, JsonElement rcmd,
        string[] rcmdAdds, List<string> differences)
    {
        if (rcdStatus != rcmdStatus)
        {
            differences.Add($"{call}: status {(int)rcdStatus} from rcd, {(int)rcmdStatus} from Rcmd");
        }

        var expected = Shape(rcd, "");
        var actual = Shape(rcmd, "");
        foreach (var (key, kind) in expected)
        {
            if (!actual.TryGetValue(key, out var other))
            {
                differences.Add($"{call}: {key} ({kind}) missing from Rcmd's reply");
            }
            else if (other != kind && !(NumberOrNull.Contains(key) && kind is "number" or "null" && other is "number" or "null"))
            {
                differences.Add($"{call}: {key} is {kind} from rcd, {other} from Rcmd");
            }
        }

        foreach (var key in actual.Keys.Except(expected.Keys))
        {
            if (!rcmdAdds.Any(a => key == "." + a || key.StartsWith("." + a + ".", StringComparison.Ordinal) || key.StartsWith("." + a + "[", StringComparison.Ordinal)))
            {
                differences.Add($"{call}: {key} only in Rcmd's reply");
            }
        }
    }

    /// <summary>Every path in <paramref name="node"/> (<c>.a.b</c>, <c>.list[]</c>) with its kind; an array by its first item.</summary>
    private static Dictionary<string, string> Shape(JsonElement node, string path)
    {
        var shape = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                shape[path] = "object";
                foreach (var property in node.EnumerateObject())
                {
                    foreach (var (key, kind) in Shape(property.Value, path + "." + property.Name))
                    {
                        shape[key] = kind;
                    }
                }

                break;
            case JsonValueKind.Array:
                shape[path] = "array";
                if (node.GetArrayLength() > 0)
                {
                    foreach (var (key, kind) in Shape(node[0], path + "[]"))
                    {
                        shape[key] = kind;
                    }
                }

                break;
            default:
                shape[path] = node.ValueKind is JsonValueKind.True or JsonValueKind.False ? "boolean" : node.ValueKind.ToString().ToLowerInvariant();
                break;
        }

        return shape;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Rcmd.EndToEnd.Tests.Batches;

/// <summary>One running Rcmd (two Workers, no Web) for the batch tests that do not break processes.</summary>
public sealed class BatchSystemFixture : IAsyncLifetime
{
    public BatchHarness Rcmd { get; private set; } = null!;

    public async Task InitializeAsync() => Rcmd = await BatchHarness.StartAsync(workers: 2);

    public async Task DisposeAsync() => await Rcmd.DisposeAsync();
}

/// <summary>
/// Batches through the whole system's Api: the stop rule on a target that fails 60% of items, resume after the fix and
/// retry-failed; and bad input refused with 400 and clear messages, nothing left behind.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class BatchApiTests(BatchSystemFixture fixture, ITestOutputHelper output) : IClassFixture<BatchSystemFixture>
{
    private BatchHarness Rcmd => fixture.Rcmd;

    [Fact]
    public async Task TargetFailingSixtyPercent_StopRuleFires_ResumeAfterTheFixAndRetryFailed_EveryFileArrives()
    {
        const int count = 100;
        var source = Rcmd.MakeFiles("stop-in", count, 1024);
        var destination = Rcmd.Combine("stop-out");
        Directory.CreateDirectory(destination);
        var blocker = Path.Combine(destination, "blocked");
        await File.WriteAllTextAsync(blocker, "a file where a directory should be");
        // 3 of every 5 items write under "blocked/sub/", and "blocked" is a file: rclone cannot create the directory.
        // (Not directly under "blocked/": rcd caches the Fs of a destination folder that is a file, with its error, for
        // 5 minutes, so a fix would not be seen by the resume — see /tmp/batch-bugs.md.)
        var items = Enumerable.Range(0, count).Select(i => (object)new
        {
            op = "copyfile",
            source = Path.Combine(source, BatchHarness.FileName(i)),
            destination = Path.Combine(i % 5 < 3 ? Path.Combine(blocker, "sub") : destination, BatchHarness.FileName(i)),
        }).ToArray();

        var id = await Rcmd.SubmitAsync(new { name = "60% blocked", items, options = new { concurrency = 2, checkpointEvery = 10, stopRule = new { minItems = 20, maxFailureRatio = 0.5 } } });
        var stopped = await Rcmd.WaitForEndAsync(id, TimeSpan.FromSeconds(60));
        output.WriteLine("stopped: " + stopped.GetRawText());

        var batch = stopped.GetProperty("batch");
        Assert.Equal("partially_failed", BatchHarness.State(stopped));
        Assert.Equal("stop_rule", batch.GetProperty("stopReason").GetString());
        Assert.True(batch.GetProperty("canResume").GetBoolean());
        Assert.True(batch.GetProperty("pending").GetInt64() >= 50, "the stop rule fired soon after minItems, not after hammering every item");
        Assert.Contains("stop rule", stopped.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        var before = (await Rcmd.ReportAsync(id)).Items.Where(i => i.State is "succeeded" or "failed").ToDictionary(i => i.Index);
        Assert.All(before.Values.Where(i => i.State == "failed"), i => Assert.Contains(i.Index % 5, new long[] { 0, 1, 2 }));
        Assert.All(before.Values.Where(i => i.State == "succeeded"), i => Assert.Contains(i.Index % 5, new long[] { 3, 4 }));

        // Fix the target and resume: everything not run yet runs; nothing that finished runs again.
        File.Delete(blocker);
        using (var resumed = await Rcmd.Http.PostAsync($"api/batches/{id}/resume", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
            Assert.Equal("queued", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        }

        var ended = await Rcmd.WaitForAsync(id, j => BatchHarness.IsTerminal(j) && j.GetProperty("attempts").GetArrayLength() >= 2,
            TimeSpan.FromSeconds(60), "the resumed batch to end");
        output.WriteLine("after resume: " + ended.GetRawText());
        var report = await Rcmd.ReportAsync(id);
        Assert.Equal(0, BatchHarness.Count(ended, "pending"));
        Assert.Equal(0, BatchHarness.Count(ended, "retryQueued"));
        foreach (var earlier in before.Values.Where(i => i.State == "succeeded"))
        {
            Assert.Equal(earlier, report.Items.Single(i => i.Index == earlier.Index)); // same attempts and finishedAt: not run again
        }

        Assert.All(report.Items.Where(i => !before.ContainsKey(i.Index)), i => Assert.Equal("succeeded", i.State));
        var permanent = report.Items.Where(i => i.State == "failed").ToList();
        if (permanent.Count == 0)
        {
            Assert.Equal("succeeded", BatchHarness.State(ended));
        }
        else
        {
            // Permanent failures stay failed on resume; retry-failed makes a linked batch of just those.
            Assert.Equal("partially_failed", BatchHarness.State(ended));
            Assert.False(ended.GetProperty("batch").GetProperty("canResume").GetBoolean());
            using var retry = await Rcmd.Http.PostAsync($"api/batches/{id}/retry-failed", null);
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
            var retryJob = await retry.Content.ReadFromJsonAsync<JsonElement>();
            var retryId = retryJob.GetProperty("id").GetString()!;
            Assert.Equal(permanent.Count, BatchHarness.Count(retryJob, "total"));
            var retried = await Rcmd.WaitForEndAsync(retryId, TimeSpan.FromSeconds(60));
            Assert.Equal("succeeded", BatchHarness.State(retried));
            Assert.Equal(id, retried.GetProperty("batch").GetProperty("retryOf").GetString());
            var first = await Rcmd.GetAsync(id);
            Assert.Contains(retryId, first.GetProperty("batch").GetProperty("retriedBy").EnumerateArray().Select(e => e.GetString()));
        }

        var files = BatchHarness.FilesIn(destination);
        Assert.Equal(count, files.Count);
        for (var i = 0; i < count; i++)
        {
            var relative = i % 5 < 3 ? Path.Combine("blocked", "sub", BatchHarness.FileName(i)) : BatchHarness.FileName(i);
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, BatchHarness.FileName(i))), File.ReadAllBytes(files[relative]));
        }
    }

    [Fact]
    public async Task BadInput_EmptyTooManyDuplicateFlagLike_400WithClearMessages_NothingLeftBehind()
    {
        var keysBefore = Rcmd.RedisKeys("rcmd:batch:*");
        var batchesBefore = await BatchCountAsync();
        var source = Rcmd.Combine("bad-in");

        var empty = await PostAsync("""{"items":[]}""");
        AssertField(empty, "items", "at least one item");

        var many = new StringBuilder("""{"items":[""");
        for (var i = 0; i <= 100_000; i++)
        {
            many.Append(i == 0 ? "" : ",").Append($$"""{"op":"copyfile","source":"{{source}}/f{{i}}","destination":"{{source}}-out/f{{i}}"}""");
        }

        var tooMany = await PostAsync(many.Append("]}").ToString());
        AssertField(tooMany, "items", "at most 100000 items");

        var duplicate = await PostAsync(JsonSerializer.Serialize(new
        {
            items = new[]
            {
                new { op = "copyfile", source = $"{source}/a", destination = $"{source}-out/a" },
                new { op = "copyfile", source = $"{source}/b", destination = $"{source}-out/b" },
                new { op = "copyfile", source = $"{source}/a", destination = $"{source}-out/a" },
            },
        }));
        AssertField(duplicate, "items[2]", "Duplicate of items[0]");

        var sameTarget = await PostAsync(JsonSerializer.Serialize(new
        {
            items = new[]
            {
                new { op = "copyfile", source = $"{source}/a", destination = $"{source}-out/x" },
                new { op = "copyfile", source = $"{source}/b", destination = $"{source}-out/x" },
            },
        }));
        AssertField(sameTarget, "items[1]", "same destination as items[0]");

        var flags = await PostAsync(JsonSerializer.Serialize(new
        {
            items = new[]
            {
                new { op = "copyfile", source = "--config=/etc/passwd", destination = $"{source}-out/a" },
                new { op = "copyfile", source = $"{source}/b", destination = "-rf" },
            },
        }));
        AssertField(flags, "items[0].source", "-");
        AssertField(flags, "items[1].destination", "-");

        // A valid item list after a bad one in the same body is still refused whole (nothing half-stored).
        var late = await PostAsync(JsonSerializer.Serialize(new
        {
            items = Enumerable.Range(0, 1200).Select(i => new { op = "copyfile", source = $"{source}/f{i}", destination = i == 1100 ? "-x" : $"{source}-out/f{i}" }),
        }));
        AssertField(late, "items[1100].destination", "-");

        Assert.Equal(batchesBefore, await BatchCountAsync());
        Assert.Equal(keysBefore, Rcmd.RedisKeys("rcmd:batch:*"));
    }

    [Fact]
    public async Task PartialOptions_OmittedFieldsTakeTheirDefaults()
    {
        // The contract's defaults: concurrency 8, checkpointEvery 10, stopRule { minItems 20, maxFailureRatio 0.5 }.
        var source = Rcmd.MakeFiles("partial-in", 2, 1024);
        var id = await Rcmd.SubmitAsync(new
        {
            items = BatchHarness.CopyItems(source, Rcmd.Combine("partial-out"), 2),
            options = new { concurrency = 2, stopRule = new { minItems = 5 } },
        });

        var options = (await Rcmd.WaitForEndAsync(id, TimeSpan.FromSeconds(30))).GetProperty("batch").GetProperty("options");
        Assert.Equal(2, options.GetProperty("concurrency").GetInt32());
        Assert.Equal(10, options.GetProperty("checkpointEvery").GetInt32());
        Assert.Equal(5, options.GetProperty("stopRule").GetProperty("minItems").GetInt32());
        Assert.Equal(0.5, options.GetProperty("stopRule").GetProperty("maxFailureRatio").GetDouble());
    }

    private async Task<long> BatchCountAsync() =>
        (await Rcmd.Http.GetFromJsonAsync<JsonElement>("api/jobs?type=batch&pageSize=1")).GetProperty("total").GetInt64();

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Rcmd.Http.PostAsync("api/batches", content);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)response.StatusCode}: {(body.Length > 600 ? body[..600] + "…" : body)}");
        return (response.StatusCode, body);
    }

    private static void AssertField((HttpStatusCode Status, string Body) answer, string field, string message)
    {
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        using var json = JsonDocument.Parse(answer.Body);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("validation_error", error.GetProperty("normalizedError").GetProperty("code").GetString());
        Assert.True(error.GetProperty("fields").TryGetProperty(field, out var messages), $"no field {field} in {answer.Body}");
        Assert.Contains(messages.EnumerateArray().Select(m => m.GetString()!), m => m.Contains(message, StringComparison.OrdinalIgnoreCase));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Upgrade;

/// <summary>
/// Upgrade in place: a data directory written by the old Rcmd (commit 9c8cf71: its own launcher, StackExchange.Redis
/// 1.2.6; <c>Fixtures/redis-9c8cf71/README.md</c> says how it was made) opens in today's Rcmd (Aspire AppHost,
/// StackExchange.Redis 3.x), and the Api lists what the old one stored: its jobs, its batch and report, the breaker an
/// operator isolated, the notifications that ended as dead letters. New work goes on beside the old.
/// </summary>
public sealed class UpgradeInPlaceTests : IDisposable
{
    private const string Batch = "01a234ee15037f7a8e7cd001737de961";
    private const string FailedJob = "01a234ee13b1720784be970a42c421f8";

    private readonly TempDirectory _directory = new("upgrade");

    [Fact]
    public async Task DataDirectoryOf9c8cf71_OpensInTheAspireApp_JobsBatchBreakerAndDeadLettersListed()
    {
        var data = _directory.Combine("data");
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "redis-9c8cf71", "appendonlydir"), Path.Combine(data, "redis", "appendonlydir"));
        await File.WriteAllTextAsync(Path.Combine(data, "rclone.conf"), "[archive]\ntype = local\n\n[backup]\ntype = local\n");
        await using var rcmd = new RcmdSystem(data);
        rcmd.Environment["Rcmd__Retention__Enabled"] = "false"; // the fixture's jobs age; this test is about reading them, not archiving them
        await rcmd.StartAsync(FreePort.Next(), "--workers", "1", "--no-web");
        using var http = new HttpClient { BaseAddress = rcmd.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };

        var jobs = await http.GetFromJsonAsync<JsonElement>("api/jobs?pageSize=50");
        Assert.Equal(6, jobs.GetProperty("total").GetInt32());
        var listed = jobs.GetProperty("items").EnumerateArray().Select(j => (Id: j.GetProperty("id").GetString(), Type: j.GetProperty("type").GetString(),
            State: j.GetProperty("state").GetString())).ToList();
        Assert.Equal(
            [
                (Batch, "batch", "partially_failed"),
                ("01a234ee14917c87b1c54fc99abb8a5c", "copy", "succeeded"),
                (FailedJob, "copyfile", "failed"),
                ("01a234ee1206759aa1f03845e902e7e3", "copyfile", "succeeded"),
                ("01a234ee11ed777295dc16bd948efad8", "copyfile", "succeeded"),
                ("01a234ee06d577cbb4a762eb326176dc", "copyfile", "succeeded"),
            ],
            listed);
        var failedOnes = await http.GetFromJsonAsync<JsonElement>("api/jobs?state=failed");
        Assert.Equal([FailedJob], failedOnes.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        var failed = await http.GetFromJsonAsync<JsonElement>($"api/jobs/{FailedJob}");
        Assert.Equal("/tmp/oldfix/src/missing.txt", failed.GetProperty("source").GetString());
        Assert.Equal("not_found", failed.GetProperty("attempts")[0].GetProperty("errorCode").GetString());

        var batch = await http.GetFromJsonAsync<JsonElement>($"api/batches/{Batch}");
        Assert.Equal("fixture-batch", batch.GetProperty("batch").GetProperty("name").GetString());
        Assert.Equal((3, 2, 1), (batch.GetProperty("batch").GetProperty("total").GetInt32(), batch.GetProperty("batch").GetProperty("succeeded").GetInt32(),
            batch.GetProperty("batch").GetProperty("failed").GetInt32()));
        var report = await http.GetFromJsonAsync<JsonElement>($"api/batches/{Batch}/report?state=failed");
        var item = Assert.Single(ReportItems(report));
        Assert.Equal("/tmp/oldfix/src/nope.txt", item.GetProperty("source").GetString());

        var remotes = await http.GetFromJsonAsync<JsonElement>("api/remotes");
        var breakers = Remotes(remotes).ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("breaker").GetProperty("state").GetString());
        Assert.True(breakers.TryGetValue("backup", out var backup), remotes.GetRawText());
        Assert.Equal("isolated", backup);
        Assert.Equal("closed", breakers.GetValueOrDefault("archive"));

        var dead = await http.GetFromJsonAsync<JsonElement>("api/notifications/dead");
        Assert.Equal(7, dead.GetProperty("items").GetArrayLength());
        Assert.Contains(dead.GetProperty("items").EnumerateArray(), d => d.GetProperty("event").GetString() == "REMOTE_OFFLINE");

        // The old data is not read-only: a new job runs beside it and is listed with it.
        var source = _directory.Combine("new.txt");
        await File.WriteAllTextAsync(source, "after the upgrade");
        using var created = await http.PostAsJsonAsync("api/jobs", new { type = "copyfile", source, destination = _directory.Combine("copied", "new.txt") });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await Wait.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}")).GetProperty("state").GetString() == "succeeded",
            TimeSpan.FromSeconds(60), "the new job to succeed", () => rcmd.Output);
        Assert.Equal(7, (await http.GetFromJsonAsync<JsonElement>("api/jobs")).GetProperty("total").GetInt32());
    }

    public void Dispose() => _directory.Dispose();

    private static IEnumerable<JsonElement> ReportItems(JsonElement report) => report.GetProperty("items").EnumerateArray();

    private static IEnumerable<JsonElement> Remotes(JsonElement remotes) => remotes.GetProperty("remotes").EnumerateArray();

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}

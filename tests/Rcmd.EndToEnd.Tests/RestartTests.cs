using System.Net.Http.Json;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>Stop all of Rcmd and start it again on the same data directory: the jobs and their states are still there.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task WholeSystem_StoppedAndStarted_KeepsJobHistory()
    {
        using var root = new TempDirectory("restart");
        var data = root.Combine("data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "rclone.conf"), string.Empty);
        var source = root.Combine("in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "survives");

        var ids = new List<string>();
        await using (var first = new RcmdSystem(data))
        {
            await first.StartAsync(FreePort.Next());
            using var http = new HttpClient { BaseAddress = first.ApiUrl };
            for (var i = 0; i < 3; i++)
            {
                using var created = await http.PostAsJsonAsync("api/jobs", new { type = "copy", source, destination = root.Combine($"out{i}") });
                Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
                ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
            }

            foreach (var id in ids)
            {
                await Wait.UntilAsync(async () => await StateAsync(http, id) == "succeeded", TimeSpan.FromSeconds(30), $"job {id} to succeed");
            }

            first.Stop();
        }

        await using var second = new RcmdSystem(data);
        await second.StartAsync(FreePort.Next());
        using var again = new HttpClient { BaseAddress = second.ApiUrl };
        foreach (var id in ids)
        {
            Assert.Equal("succeeded", await StateAsync(again, id));
        }

        var list = await again.GetFromJsonAsync<JsonElement>("api/jobs?pageSize=10");
        Assert.Equal(3, list.GetProperty("total").GetInt64());
    }

    private static async Task<string?> StateAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"api/jobs/{id}")).GetProperty("state").GetString();
}

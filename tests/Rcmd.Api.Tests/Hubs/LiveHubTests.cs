using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Hubs;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Hubs;

/// <summary>The SignalR hub /hubs/events against real Redis and rcd: groups, the events of the Redis channel, the policy.</summary>
[Collection(ApiCollection.Name)]
public sealed class LiveHubTests(RedisAndRcloneFixture fixture)
{
    private static HubConnection Connect(ApiFactory factory, string? key = null) => new HubConnectionBuilder()
        .WithUrl(new Uri(factory.Server.BaseAddress, "hubs/events"), options =>
        {
            options.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
            options.Transports = HttpTransportType.LongPolling;
            if (key is not null)
            {
                options.Headers["X-Api-Key"] = key;
            }
        })
        .Build();

    private static async Task<string> SubmitAsync(HttpClient http)
    {
        using var created = await http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));
        return (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Hub_StatusGroup_ReceivesTheJobUpdateOfASubmittedJob()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        await factory.Services.GetRequiredService<EventHub>().Subscribed.WaitAsync(TimeSpan.FromSeconds(10));
        await using var hub = Connect(factory);
        var received = new List<(string Type, JsonElement Body)>();
        hub.On<string, string>("Event", (type, json) =>
        {
            lock (received)
            {
                received.Add((type, JsonDocument.Parse(json).RootElement.Clone()));
            }
        });
        await hub.StartAsync();
        Assert.True(await hub.InvokeAsync<bool>("Join", "status"));

        var id = await SubmitAsync(http);

        await Wait.UntilAsync(() => Task.FromResult(Count(received, id) > 0), TimeSpan.FromSeconds(5), "the job's update over the hub");
        var update = received.First(r => JobId(r.Body) == id);
        Assert.Equal("job-update", update.Type);
        Assert.Equal("queued", update.Body.GetProperty("job").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Hub_JobGroup_GetsOnlyThatJobAndAStatusMemberGetsNoSecondCopy()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        await factory.Services.GetRequiredService<EventHub>().Subscribed.WaitAsync(TimeSpan.FromSeconds(10));
        var watched = await SubmitAsync(http);
        await using var jobPage = Connect(factory);
        await using var both = Connect(factory);
        var onJobPage = new List<(string Type, JsonElement Body)>();
        var onBoth = new List<(string Type, JsonElement Body)>();
        jobPage.On<string, string>("Event", (type, json) => { lock (onJobPage) { onJobPage.Add((type, JsonDocument.Parse(json).RootElement.Clone())); } });
        both.On<string, string>("Event", (type, json) => { lock (onBoth) { onBoth.Add((type, JsonDocument.Parse(json).RootElement.Clone())); } });
        await jobPage.StartAsync();
        await both.StartAsync();
        Assert.True(await jobPage.InvokeAsync<bool>("Join", "job:" + watched));
        Assert.True(await both.InvokeAsync<bool>("Join", "status"));
        Assert.True(await both.InvokeAsync<bool>("Join", "job:" + watched));

        var other = await SubmitAsync(http);
        using (var cancel = await http.PostAsync($"/api/jobs/{watched}/cancel", null))
        {
            Assert.True(cancel.IsSuccessStatusCode, $"cancel answered {(int)cancel.StatusCode}");
        }

        await Wait.UntilAsync(() => Task.FromResult(Count(onJobPage, watched) > 0 && Count(onBoth, watched) > 0 && Count(onBoth, other) > 0),
            TimeSpan.FromSeconds(5), "the updates over the hub");
        await Task.Delay(300); // a second copy, if one were sent, would arrive by now
        Assert.Equal(0, Count(onJobPage, other));
        Assert.Equal(Count(onJobPage, watched), Count(onBoth, watched)); // each event once, though in both groups
    }

    [Theory]
    [InlineData("everything")]
    [InlineData("job:")]
    [InlineData("job:../x")]
    public async Task Hub_UnknownGroup_IsRefused(string group)
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        await using var hub = Connect(factory);
        await hub.StartAsync();

        Assert.False(await hub.InvokeAsync<bool>("Join", group));
    }

    [Fact]
    public async Task Hub_ApiKeysSet_RefusesAConnectionWithoutAKeyAndAdmitsOneWithIt()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?> { ["Rcmd:ApiKeys"] = "hub-key" });
        await using var anonymous = Connect(factory);
        await using var keyed = Connect(factory, "hub-key");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await keyed.StartAsync();
        Assert.True(await keyed.InvokeAsync<bool>("Join", "status"));
    }

    private static string? JobId(JsonElement body) =>
        body.TryGetProperty("job", out var job) && job.TryGetProperty("id", out var id) ? id.GetString() : null;

    private static int Count(List<(string Type, JsonElement Body)> events, string id)
    {
        lock (events)
        {
            return events.Count(e => JobId(e.Body) == id);
        }
    }
}

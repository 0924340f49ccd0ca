using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Services;

/// <summary>The Web's SignalR client against a real hub on a loopback port (Kestrel, WebSockets), restarted under it.</summary>
public sealed class LiveHubClientTests : IAsyncLifetime
{
    private const string Key = "test-key-123";
    private readonly int _port = FreePort();
    private readonly LiveEvents _events = new(Options.Create(new LiveEventsOptions()), TimeProvider.System, NullLogger<LiveEvents>.Instance);
    private readonly ConcurrentQueue<string> _received = new();
    private readonly List<bool> _connection = [];
    private WebApplication? _server;
    private LiveHubClient? _client;

    public async Task InitializeAsync()
    {
        _events.SubscribeConnection(c =>
        {
            lock (_connection)
            {
                _connection.Add(c);
            }

            return Task.CompletedTask;
        });
        _server = await StartServerAsync();
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync(CancellationToken.None);
            _client.Dispose();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Client_PageNeedsStatus_JoinsTheGroupSendsTheKeyAndPublishesItsEvents()
    {
        using var page = _events.Subscribe(e =>
        {
            _received.Enqueue(e.Job?.Id ?? "?");
            return Task.CompletedTask;
        });
        StartClient();

        await WaitUntilAsync(() => Joined(_server!).Contains("status") && _events.IsConnected);
        Assert.Equal(Key, _server!.Services.GetRequiredService<Recorder>().ApiKeys.Single());
        await SendAsync(_server, "status", TestJobs.Running("live-1"));

        await WaitUntilAsync(() => _received.Contains("live-1"));
    }

    [Fact]
    public async Task Client_JobPageOpensAndCloses_JoinsThenLeavesThatJobsGroupOnly()
    {
        StartClient();
        await WaitUntilAsync(() => _events.IsConnected);

        var page = _events.SubscribeJob("job-7", _ => Task.CompletedTask);
        await WaitUntilAsync(() => Joined(_server!).Contains("job:job-7"));
        Assert.DoesNotContain("status", Joined(_server!));

        page.Dispose();
        await WaitUntilAsync(() => !Joined(_server!).Contains("job:job-7"));
    }

    [Fact]
    public async Task Client_ServerRestarted_ReconnectsRejoinsAndSaysConnectedAgainSoPagesReload()
    {
        using var page = _events.Subscribe(e =>
        {
            _received.Enqueue(e.Job?.Id ?? "?");
            return Task.CompletedTask;
        });
        StartClient();
        await WaitUntilAsync(() => Joined(_server!).Contains("status") && _events.IsConnected);

        await _server!.DisposeAsync();
        await WaitUntilAsync(() => !_events.IsConnected);
        _server = await StartServerAsync();

        await WaitUntilAsync(() => Joined(_server).Contains("status") && _events.IsConnected, TimeSpan.FromSeconds(30));
        lock (_connection)
        {
            Assert.Equal([true, false, true], _connection);
        }

        await SendAsync(_server, "status", TestJobs.Running("after-restart"));
        await WaitUntilAsync(() => _received.Contains("after-restart"));
    }

    private void StartClient()
    {
        var api = Options.Create(new RcmdApiOptions { BaseAddress = new Uri($"http://127.0.0.1:{_port}/"), ApiKey = Key });
        var options = Options.Create(new LiveEventsOptions
        {
            MinReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        });
        _client = new LiveHubClient(_events, api, options, TimeProvider.System, NullLogger<LiveHubClient>.Instance);
        _ = _client.StartAsync(CancellationToken.None);
    }

    private static IReadOnlyCollection<string> Joined(WebApplication server) => [.. server.Services.GetRequiredService<Recorder>().Groups.Keys];

    private static Task SendAsync(WebApplication server, string group, Job job) =>
        server.Services.GetRequiredService<IHubContext<TestHub>>().Clients.Group(group)
            .SendAsync("Event", "job-update", JsonSerializer.Serialize(RcmdEvent.ForJob(job), RcmdJsonContext.Default.RcmdEvent));

    private async Task<WebApplication> StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<Recorder>();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<TestHub>("/hubs/events");
        await app.StartAsync();
        return app;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not become true in time.");
            await Task.Delay(25);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What the test hub saw: the groups joined now and the API keys sent.</summary>
    private sealed class Recorder
    {
        public ConcurrentDictionary<string, int> Groups { get; } = new();

        public ConcurrentBag<string> ApiKeys { get; } = [];
    }

    /// <summary>The Api hub's surface (Join/Leave), recording what the client asks.</summary>
    private sealed class TestHub(Recorder recorder) : Hub
    {
        public override Task OnConnectedAsync()
        {
            recorder.ApiKeys.Add(Context.GetHttpContext()?.Request.Headers["X-Api-Key"].ToString() ?? string.Empty);
            return base.OnConnectedAsync();
        }

        public async Task<bool> Join(string group)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
            recorder.Groups.AddOrUpdate(group, 1, (_, n) => n + 1);
            return true;
        }

        public async Task Leave(string group)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
            recorder.Groups.TryRemove(group, out _);
        }
    }
}

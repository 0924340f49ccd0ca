using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Serialization;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Services;

public sealed class LiveEventsServiceTests : IAsyncLifetime
{
    private const string StreamPath = "/api/sse/status";
    private readonly StubApi _api = new();
    private readonly ManualTimeProvider _time = new();
    private readonly LiveEvents _events;
    private readonly LiveEventsService _service;
    private readonly List<RcmdEvent> _received = [];
    private readonly List<bool> _connection = [];

    public LiveEventsServiceTests()
    {
        var options = Options.Create(new LiveEventsOptions());
        _events = new LiveEvents(options, _time, NullLogger<LiveEvents>.Instance);
        _events.Subscribe(e =>
        {
            lock (_received)
            {
                _received.Add(e);
            }

            return Task.CompletedTask;
        });
        _events.SubscribeConnection(c =>
        {
            lock (_connection)
            {
                _connection.Add(c);
            }

            return Task.CompletedTask;
        });
        _service = new LiveEventsService(new Factory(_api), _events, options, _time, NullLogger<LiveEventsService>.Instance);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        _service.Dispose();
    }

    [Fact]
    public async Task Service_StreamCarriesEvents_PublishesThemThenReconnectsWhenTheStreamEnds()
    {
        var job = TestJobs.Running("j1", percent: 42);
        var data = JsonSerializer.Serialize(RcmdEvent.ForJob(job), RcmdJsonContext.Default.RcmdEvent);
        _api.On(HttpMethod.Get, StreamPath, _ => Stream($": hello\n\nevent: job-update\ndata: {data}\n\nevent: job-update\ndata: not json\n\n"));

        await _service.StartAsync(CancellationToken.None);

        await WaitUntil(() => Connection() is [true, false]);
        var received = Assert.Single(_received);
        Assert.Equal(EventTypes.JobUpdate, received.Type);
        Assert.Equal(42, received.Job!.Progress!.Percent);
        Assert.Equal("text/event-stream", _api.Requests[0].Headers["Accept"]);

        await WaitUntil(() => _time.PendingTimers > 0);
        _time.Advance(LiveEventsConstants.MaxReconnectDelay);
        await WaitUntil(() => _api.RequestsTo(HttpMethod.Get, StreamPath).Count >= 2);
    }

    [Fact]
    public async Task Service_ApiDown_StaysDisconnectedAndKeepsRetrying()
    {
        _api.Down = true;

        await _service.StartAsync(CancellationToken.None);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await WaitUntil(() => _api.Requests.Count >= attempt && _time.PendingTimers > 0);
            _time.Advance(LiveEventsConstants.MaxReconnectDelay);
        }

        await WaitUntil(() => _api.Requests.Count >= 4);
        Assert.False(_events.IsConnected);
        Assert.Empty(Connection());
    }

    private List<bool> Connection()
    {
        lock (_connection)
        {
            return [.. _connection];
        }
    }

    private static HttpResponseMessage Stream(string text) =>
        new(HttpStatusCode.OK) { Content = new StringContent(text, Encoding.UTF8, "text/event-stream") };

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { BaseAddress = StubApi.BaseAddress };
    }
}

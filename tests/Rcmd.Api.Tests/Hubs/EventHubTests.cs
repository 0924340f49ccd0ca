using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Api.Extensions;
using Rcmd.Api.Hubs;
using Rcmd.Storage;

namespace Rcmd.Api.Tests.Hubs;

/// <summary>The fan-out alone (events handed in through <see cref="EventHub.Publish"/>; Redis is never contacted).</summary>
public sealed class EventHubTests : IDisposable
{
    private readonly RedisConnection _redis = new("127.0.0.1:1", new RedisKeys());
    private readonly EventHub _hub;

    public EventHubTests()
    {
        _hub = new EventHub(_redis, Options.Create(new ApiOptions { SseClientBufferSize = 16 }), new JobWatchers(), NullLogger<EventHub>.Instance);
    }

    public void Dispose()
    {
        _hub.Dispose();
        _redis.Dispose();
    }

    [Fact]
    public void Publish_SlowClient_DoesNotHoldUpAFastOne()
    {
        using var slow = _hub.Subscribe(null);
        using var fast = _hub.Subscribe(null);
        var received = new List<ServerSentEvent>();

        for (var i = 0; i < 1000; i++)
        {
            _hub.Publish(Event("job" + i));
            fast.Drain(received);
        }

        Assert.Equal(1000, received.Count);
        Assert.Equal(16, slow.Waiting);
        Assert.Equal(984, slow.Dropped);
    }

    [Fact]
    public void Publish_AssignsIncreasingIdsAndKeepsTheJsonAsPublished()
    {
        using var client = _hub.Subscribe(null);
        var json = Event("a");

        _hub.Publish(json);
        _hub.Publish(Event("b"));

        var received = new List<ServerSentEvent>();
        client.Drain(received);
        Assert.Equal(json, received[0].Data);
        Assert.Equal(("job-update", "a"), (received[0].Type, received[0].JobId));
        Assert.True(received[1].Id > received[0].Id);
    }

    [Fact]
    public void Publish_NotAnEvent_IsIgnored()
    {
        using var client = _hub.Subscribe(null);

        _hub.Publish("not json");
        _hub.Publish("""{"job":{"id":"x"}}""");

        Assert.Equal(0, client.Waiting);
    }

    [Fact]
    public void Subscribe_Disposed_LeavesTheHub()
    {
        var client = _hub.Subscribe(null);
        Assert.Equal(1, _hub.ClientCount);

        client.Dispose();

        Assert.Equal(0, _hub.ClientCount);
    }

    private static string Event(string jobId) =>
        $$$"""{"type":"job-update","at":"2026-01-01T00:00:00+00:00","job":{"id":"{{{jobId}}}","state":"running"}}""";
}

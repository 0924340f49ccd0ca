using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Hubs;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class EventsApiTests(RedisAndRcloneFixture fixture)
{
    [Fact]
    public async Task StreamStatus_JobSubmitted_ReceivesItsJobUpdateWithinTwoSeconds()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        await factory.Services.GetRequiredService<EventHub>().Subscribed.WaitAsync(TimeSpan.FromSeconds(10));
        using var stream = await OpenAsync(http, "/api/sse/status?types=job-update");

        using var created = await http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var received = await stream.NextEventAsync(e => e.Data.GetProperty("job").GetProperty("id").GetString() == id, timeout.Token);
        Assert.Equal("job-update", received.Type);
        Assert.Equal("job-update", received.Data.GetProperty("type").GetString());
        Assert.Equal("queued", received.Data.GetProperty("job").GetProperty("state").GetString());
        Assert.True(long.TryParse(received.Id, out _), "id: " + received.Id);
    }

    [Fact]
    public async Task StreamStatus_Idle_SendsHeartbeatsAndOutlivesTheRequestTimeout()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?>
        {
            ["Rcmd:Api:SseHeartbeatInterval"] = "00:00:00.200",
            ["Rcmd:Api:RequestTimeout"] = "00:00:01",
        });
        using var http = factory.CreateClient();
        using var stream = await OpenAsync(http, "/api/sse/status");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var open = System.Diagnostics.Stopwatch.StartNew();
        var heartbeats = 0;
        while (open.Elapsed < TimeSpan.FromSeconds(2))
        {
            Assert.Equal(": heartbeat", await stream.NextLineAsync(l => l.StartsWith(':') && l != ": connected", timeout.Token));
            heartbeats++;
        }

        Assert.True(heartbeats >= 2, $"{heartbeats} heartbeats");
    }

    [Fact]
    public async Task StreamStatus_ClientLeaves_UnsubscribesFromTheHub()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var hub = factory.Services.GetRequiredService<EventHub>();
        var baseline = hub.ClientCount; // the SignalR hub's relay is a client from the start

        var stream = await OpenAsync(http, "/api/sse/status");
        Assert.Equal(baseline + 1, hub.ClientCount);
        stream.Dispose();

        await Wait.UntilAsync(() => Task.FromResult(hub.ClientCount == baseline), TimeSpan.FromSeconds(5), "the hub to drop the client");
    }

    private static async Task<SseReader> OpenAsync(HttpClient http, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    private sealed record SseEvent(string? Id, string Type, JsonElement Data);

    /// <summary>A minimal Server-Sent Events reader: enough to check the wire format line by line.</summary>
    private sealed class SseReader(HttpResponseMessage response, Stream body) : IDisposable
    {
        private readonly StreamReader _reader = new(body);

        public async Task<string> NextLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
        {
            while (true)
            {
                var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException();
                if (match(line))
                {
                    return line;
                }
            }
        }

        public async Task<SseEvent> NextEventAsync(Func<SseEvent, bool> match, CancellationToken cancellationToken)
        {
            string? id = null, type = null;
            var data = new List<string>();
            while (true)
            {
                var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException();
                if (line.Length == 0)
                {
                    if (type is not null)
                    {
                        var item = new SseEvent(id, type, JsonDocument.Parse(string.Join('\n', data)).RootElement.Clone());
                        if (match(item))
                        {
                            return item;
                        }
                    }

                    (id, type) = (null, null);
                    data.Clear();
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line[6..]);
                }
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            response.Dispose();
        }
    }
}

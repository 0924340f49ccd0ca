using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Storage;
using Rcmd.Testing;
using StackExchange.Redis;

namespace Rcmd.Api.Tests.Apis;

/// <summary>
/// The breaker side of <c>/api/remotes</c> against a real rcd reading a real <c>rclone serve webdav</c> through a
/// loopback proxy the test breaks on purpose: breaker state in the list, reset and isolate, and reads (list, about,
/// size) that fall back to the cached result, a fallback remote, or a 503 with <c>Retry-After</c> while the breaker is open.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RemotesBreakerApiTests(RedisAndRcloneFixture fixture) : IAsyncLifetime
{
    private readonly string _remote = "flaky" + Guid.NewGuid().ToString("N")[..8];
    private readonly WebDavShare _webdav = new();
    private readonly List<RedisConnection> _connections = [];
    private TcpFaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        // One low-level retry: a failing read is one request, not rclone's ten.
        using var rcd = fixture.Rclone.CreateHttpClient();
        using var body = new StringContent("""{"main":{"LowLevelRetries":1}}""", Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        (await rcd.PostAsync(new Uri(fixture.Rclone.Url, "options/set"), body)).EnsureSuccessStatusCode();

        for (var i = 0; i < 3; i++)
        {
            _webdav.AddFile($"dir/f{i}.bin", 1000);
        }

        await _webdav.StartAsync();
        _proxy = new TcpFaultProxy(_webdav.Port);
        fixture.Rclone.AddRemote(_remote, "webdav", ("url", _proxy.Url.ToString()));
    }

    public Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        _proxy.Dispose();
        _webdav.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ListRemotes_EveryRemote_CarriesItsBreaker()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        await FailAsync(factory, _remote, 2);
        await FailAsync(factory, ":webdav", 1);

        var body = await ApiAssert.JsonAsync(await http.GetAsync("/api/remotes"), HttpStatusCode.OK);

        var remote = body.GetProperty("remotes").EnumerateArray().Single(r => r.GetProperty("name").GetString() == _remote);
        var breaker = remote.GetProperty("breaker");
        Assert.Equal("closed", breaker.GetProperty("state").GetString());
        Assert.Equal(2, breaker.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(ErrorCodes.EndpointUnreachable, breaker.GetProperty("lastErrorCode").GetString());
        Assert.Equal("dial tcp: connection refused", breaker.GetProperty("lastErrorMessage").GetString());
        Assert.False(breaker.TryGetProperty("retryInSeconds", out _));

        var inline = Assert.Single(body.GetProperty("otherRemotes").EnumerateArray());
        Assert.Equal(":webdav", inline.GetProperty("name").GetString());
        Assert.Equal("webdav", inline.GetProperty("type").GetString());
        Assert.True(inline.GetProperty("inline").GetBoolean());
        Assert.Equal(1, inline.GetProperty("breaker").GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task ListRemotes_OpenBreaker_ShowsOpenedAtAndRetryIn()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        await FailAsync(factory, _remote, 5);

        var body = await ApiAssert.JsonAsync(await http.GetAsync("/api/remotes"), HttpStatusCode.OK);

        var breaker = body.GetProperty("remotes").EnumerateArray().Single(r => r.GetProperty("name").GetString() == _remote).GetProperty("breaker");
        Assert.Equal("open", breaker.GetProperty("state").GetString());
        Assert.InRange(breaker.GetProperty("retryInSeconds").GetInt32(), 55, 60);
        Assert.True(breaker.GetProperty("openedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task IsolateThenReset_KnownRemote_HeldOpenThenClosedWithOneNotificationEach()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        var isolated = await ApiAssert.JsonAsync(await http.PostAsync($"/api/remotes/{_remote}/breaker/isolate", null), HttpStatusCode.OK);
        var listed = await ApiAssert.JsonAsync(await http.GetAsync("/api/remotes"), HttpStatusCode.OK);
        var reset = await ApiAssert.JsonAsync(await http.PostAsync($"/api/remotes/{_remote}/breaker/reset", null), HttpStatusCode.OK);

        Assert.Equal("isolated", isolated.GetProperty("breaker").GetProperty("state").GetString());
        Assert.Equal(_remote, isolated.GetProperty("name").GetString());
        Assert.Equal("isolated", listed.GetProperty("remotes").EnumerateArray()
            .Single(r => r.GetProperty("name").GetString() == _remote).GetProperty("breaker").GetProperty("state").GetString());
        Assert.Equal("closed", reset.GetProperty("breaker").GetProperty("state").GetString());
        Assert.Equal(["REMOTE_OFFLINE", "REMOTE_ONLINE"], await NotificationsAsync(factory));
    }

    [Fact]
    public async Task IsolateAndReset_UnknownOrExemptRemote_404Or409()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        await ApiAssert.ErrorAsync(await http.PostAsync("/api/remotes/no-such-remote/breaker/reset", null), HttpStatusCode.NotFound, "not_found");
        await ApiAssert.ErrorAsync(await http.PostAsync("/api/remotes/:nosuchbackend/breaker/isolate", null), HttpStatusCode.NotFound, "not_found");
        await ApiAssert.ErrorAsync(await http.PostAsync("/api/remotes/local/breaker/isolate", null), HttpStatusCode.Conflict, "conflict");
        var inline = await ApiAssert.JsonAsync(await http.PostAsync("/api/remotes/:s3/breaker/isolate", null), HttpStatusCode.OK);
        Assert.Equal("isolated", inline.GetProperty("breaker").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Read_HealthyRemote_ListAboutAndSizeFromTheRemote()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        var list = await ApiAssert.JsonAsync(await http.GetAsync($"/api/remotes/{_remote}/list?path=dir"), HttpStatusCode.OK);
        var size = await ApiAssert.JsonAsync(await http.GetAsync($"/api/remotes/{_remote}/size?path=dir"), HttpStatusCode.OK);
        var about = await ApiAssert.JsonAsync(await http.GetAsync($"/api/remotes/{_remote}/about"), HttpStatusCode.OK);

        Assert.Equal("remote", list.GetProperty("source").GetString());
        Assert.False(list.GetProperty("stale").GetBoolean());
        Assert.Equal(["f0.bin", "f1.bin", "f2.bin"], list.GetProperty("result").GetProperty("list").EnumerateArray()
            .Select(i => i.GetProperty("Name").GetString()).Order());
        Assert.Equal(3, size.GetProperty("result").GetProperty("count").GetInt32());
        Assert.Equal(3000, size.GetProperty("result").GetProperty("bytes").GetInt64());
        Assert.Equal("about", about.GetProperty("operation").GetString());
        Assert.Equal(JsonValueKind.Object, about.GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task Read_BreakerOpenWithCachedResult_ServesItStaleWithoutCallingTheRemote()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var fresh = await ApiAssert.JsonAsync(await http.GetAsync($"/api/remotes/{_remote}/list?path=dir"), HttpStatusCode.OK);

        _proxy.Mode = TcpFault.ServiceUnavailable;
        for (var i = 0; i < 5; i++)
        {
            var failure = await http.GetAsync($"/api/remotes/{_remote}/list?path=dir");
            var error = await ApiAssert.ErrorAsync(failure, HttpStatusCode.TooManyRequests, ErrorCodes.RateLimited, retryable: true); // issue 16: 503 = rate_limited
            Assert.Contains("503 Service Unavailable", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var requestsBefore = _proxy.Connections;
        await Task.Delay(1100);
        var stale = await ApiAssert.JsonAsync(await http.GetAsync($"/api/remotes/{_remote}/list?path=dir"), HttpStatusCode.OK);

        Assert.Equal(requestsBefore, _proxy.Connections);
        Assert.Equal("cache", stale.GetProperty("source").GetString());
        Assert.True(stale.GetProperty("stale").GetBoolean());
        Assert.InRange(stale.GetProperty("ageSeconds").GetDouble(), 1, 60);
        Assert.Equal(fresh.GetProperty("result").GetRawText(), stale.GetProperty("result").GetRawText());
        Assert.Equal(BreakerState.Open, (await Store(factory).GetAsync(_remote, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Rc_ReadsWhileTheBreakerIsOpen_CachedReplyMarkedStale_ElseTheBreakersMessageInRclonesShape()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var list = $$$"""{"fs": "{{{_remote}}}:", "remote": "dir", "opt": {"recurse": false}}""";
        using var fresh = await http.PostAsync("/rc/operations/list", new StringContent(list, Encoding.UTF8, "application/json"));
        var freshBody = JsonDocument.Parse(await fresh.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(3, freshBody.GetProperty("list").GetArrayLength());
        Assert.False(freshBody.TryGetProperty("stale", out _));

        await Store(factory).IsolateAsync(_remote, CancellationToken.None);
        using var stale = await http.PostAsync("/rc/operations/list", new StringContent(list, Encoding.UTF8, "application/json"));
        using var uncached = await http.PostAsync($"/rc/operations/size?fs={_remote}:dir", null);

        var staleBody = JsonDocument.Parse(await stale.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.True(staleBody.GetProperty("stale").GetBoolean());
        Assert.True(staleBody.GetProperty("cachedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal(freshBody.GetProperty("list").GetRawText(), staleBody.GetProperty("list").GetRawText());
        var refused = JsonDocument.Parse(await uncached.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
        Assert.Equal((503, "operations/size"), (refused.GetProperty("status").GetInt32(), refused.GetProperty("path").GetString()));
        Assert.StartsWith($"Remote {_remote} is isolated", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.EndpointUnreachable, refused.GetProperty("normalizedError").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Read_BreakerOpenNoCacheNoFallback_503EndpointUnreachableWithRetryAfter()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var opened = System.Diagnostics.Stopwatch.StartNew();
        await FailAsync(factory, _remote, 5);

        using var response = await http.GetAsync($"/api/remotes/{_remote}/list?path=never-read");

        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, ErrorCodes.EndpointUnreachable, retryable: true);
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 59 - (int)Math.Ceiling(opened.Elapsed.TotalSeconds), 60); // the 60 s open period, less the time since it opened
        Assert.Equal($"Remote {_remote} is temporarily unavailable. Retry in {retryAfter} seconds.", error.GetProperty("message").GetString());
        Assert.Equal(0, _proxy.Connections);
    }

    [Fact]
    public async Task RcRead_BreakerOpenNoCache_503InRclonesShapeWithRetryAfterUntilTheProbe()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var opened = System.Diagnostics.Stopwatch.StartNew();
        await FailAsync(factory, _remote, 5);

        using var response = await http.PostAsync($"/rc/operations/size?fs={_remote}:never-read", null);

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal((503, "operations/size"), (body.GetProperty("status").GetInt32(), body.GetProperty("path").GetString()));
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 59 - (int)Math.Ceiling(opened.Elapsed.TotalSeconds), 60); // seconds until its half-open probe (60 s open)
        Assert.Equal($"Remote {_remote} is temporarily unavailable. Retry in {retryAfter} seconds.", body.GetProperty("error").GetString());
        Assert.Equal(0, _proxy.Connections);
    }

    [Fact]
    public async Task Read_BreakerOpenWithFallbackRemote_ReadsTheFallback()
    {
        var replica = _remote + "-replica";
        fixture.Rclone.AddRemote(replica, "webdav", ("url", $"http://127.0.0.1:{_webdav.Port}"));
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone,
            new Dictionary<string, string?> { [$"Breakers:Remotes:{_remote}:Fallback"] = replica });
        using var http = factory.CreateClient();
        await Store(factory).IsolateAsync(_remote, CancellationToken.None);

        var read = await ApiAssert.JsonAsync(await http.GetAsync($"/api/remotes/{_remote}/size?path=dir"), HttpStatusCode.OK);

        Assert.Equal("fallback", read.GetProperty("source").GetString());
        Assert.Equal(replica, read.GetProperty("fallbackRemote").GetString());
        Assert.Equal(_remote, read.GetProperty("remote").GetString());
        Assert.Equal(3, read.GetProperty("result").GetProperty("count").GetInt32());
        Assert.Equal(0, _proxy.Connections);
    }

    [Fact]
    public async Task Read_RemoteNeverAnswers_BoundedByOperationTimeoutAndCounted()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone,
            new Dictionary<string, string?> { [$"Breakers:Remotes:{_remote}:OperationTimeout"] = "00:00:01" });
        using var http = factory.CreateClient();
        _proxy.Mode = TcpFault.Hang;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await http.GetAsync($"/api/remotes/{_remote}/list?path=dir");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.GatewayTimeout, ErrorCodes.UpstreamTimeout, retryable: true);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));
        var breaker = await Store(factory).GetAsync(_remote, CancellationToken.None);
        Assert.Equal(1, breaker.ConsecutiveFailures);
        Assert.Equal(ErrorCodes.UpstreamTimeout, breaker.LastErrorCode);
    }

    [Fact]
    public async Task Read_NotFoundDirectory_404NotCounted()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync($"/api/remotes/{_remote}/list?path=no-such-dir");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, ErrorCodes.NotFound);
        Assert.Equal(0, (await Store(factory).GetAsync(_remote, CancellationToken.None)).ConsecutiveFailures);
    }

    [Fact]
    public async Task Read_UnknownRemoteOrBadPath_404Or400()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        await ApiAssert.ErrorAsync(await http.GetAsync("/api/remotes/no-such-remote/list"), HttpStatusCode.NotFound, "not_found");
        await ApiAssert.ValidationAsync(await http.GetAsync($"/api/remotes/{_remote}/list?path=dir/../../etc"), "path");
    }

    private BreakerStore Store(ApiFactory factory) => new(Connection(factory), Options.Create(new BreakerOptions()), TimeProvider.System);

    /// <summary>A connection to the shared redis-server under the factory's key prefix (disposed with the test).</summary>
    private RedisConnection Connection(ApiFactory factory)
    {
        var connection = new RedisConnection(fixture.Redis.ConnectionString, new RedisKeys(factory.Prefix));
        _connections.Add(connection);
        return connection;
    }

    private async Task FailAsync(ApiFactory factory, string remote, int times)
    {
        var store = Store(factory);
        for (var i = 0; i < times; i++)
        {
            await store.RecordFailureAsync(remote, ErrorCodes.EndpointUnreachable, "dial tcp: connection refused", null, CancellationToken.None);
        }
    }

    /// <summary>The remote events (REMOTE_OFFLINE / REMOTE_ONLINE) in the notifications stream, oldest first.</summary>
    private async Task<IReadOnlyList<string>> NotificationsAsync(ApiFactory factory)
    {
        var connection = Connection(factory);
        var result = await connection.Database.ScriptEvaluateAsync("return redis.call('XRANGE', KEYS[1], '-', '+')", [connection.Keys.Notifications]);
        return [.. ((RedisResult[])result!)
            .Select(entry => (RedisValue[])((RedisResult[])entry!)[1]!)
            .Select(fields => (string)fields[Array.FindIndex(fields, f => f == "event") + 1]!)
            .Where(name => name.StartsWith("REMOTE_", StringComparison.Ordinal))];
    }
}

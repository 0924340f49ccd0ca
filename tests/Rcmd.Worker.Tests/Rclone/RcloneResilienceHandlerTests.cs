using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;
using Rcmd.Rclone;

namespace Rcmd.Worker.Tests.Rclone;

/// <summary>
/// The standard resilience handler (Microsoft.Extensions.Http.Resilience) as the rcd client gets it (<c>AddRcloneClient</c>,
/// <see cref="RcloneResilience"/>) with its durations scaled down (<see cref="Fast"/>: 200 ms attempts, 1 s in all, 50 ms
/// backoff, 0.5 s break) and real time; a fake rcd (the primary handler) answers as each test says.
/// </summary>
public sealed class RcloneResilienceHandlerTests : IDisposable
{
    private readonly List<ServiceProvider> _providers = [];
    private static readonly Uri Rcd = new("http://127.0.0.1:5572/");
    private readonly TimeProvider _time = TimeProvider.System;

    [Fact]
    public async Task Send_503ThenOk_RetriesAndReturnsOk()
    {
        var rcd = new FakeRcd(_time, (call, _, _) => Task.FromResult(call == 0 ? Answer(HttpStatusCode.ServiceUnavailable) : Answer(HttpStatusCode.OK)));

        using var response = await SendAsync(rcd, Control("job/status"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, rcd.Calls.Count);
    }

    [Fact]
    public async Task Send_503WithRetryAfter_WaitsTheDelayItAsksFor()
    {
        var rcd = new FakeRcd(_time, (call, _, _) =>
        {
            var response = Answer(call == 0 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
            if (call == 0)
            {
                response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            }

            return Task.FromResult(response);
        });

        using var response = await SendAsync(rcd, Control("core/stats"), Http(rcd, ("TotalRequestTimeout:Timeout", "00:00:03")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var waited = rcd.Calls[1].At - rcd.Calls[0].At;
        // The computed first backoff (50 ms base, jittered) stays far under 1 s; 1 s can only come from Retry-After.
        Assert.InRange(waited, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Send_RcdKeepsFailing_BreakerOpensAndStopsCallingRcdUntilTheBreakIsOver()
    {
        // Job starts are never retried, so each failure is one attempt the breaker counts; rcd is well again after five.
        var rcd = new FakeRcd(_time, (call, _, _) => Task.FromResult(Answer(call < 5 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK)));
        var http = Http(rcd, ("CircuitBreaker:MinimumThroughput", "5"));

        for (var i = 0; i < 5; i++)
        {
            using var failed = await SendAsync(rcd, JobStart(), http);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => SendAsync(rcd, JobStart(), http));
        Assert.Equal(5, rcd.Calls.Count);

        await Task.Delay(TimeSpan.FromSeconds(0.7)); // past the 0.5 s break
        using var probe = await SendAsync(rcd, Control("job/status"), http);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(6, rcd.Calls.Count);
    }

    [Fact]
    public async Task Send_RcdAnsweredThatTheCallFailed_NotRetriedAndNotHeldAgainstRcd()
    {
        var rcd = new FakeRcd(_time, (_, _, _) =>
        {
            var response = Answer(HttpStatusCode.InternalServerError, """{"error":"job not found","status":500}""");
            response.Headers.Add("X-Rclone-Jobid", "7");
            return Task.FromResult(response);
        });
        var http = Http(rcd, ("CircuitBreaker:MinimumThroughput", "2"));

        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(rcd, Control("job/status"), http);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        Assert.Equal(3, rcd.Calls.Count);
    }

    [Fact]
    public async Task Send_JobStartAnswered503_NotRetried()
    {
        var rcd = new FakeRcd(_time, (_, _, _) => Task.FromResult(Answer(HttpStatusCode.ServiceUnavailable)));

        using var response = await SendAsync(rcd, JobStart());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(rcd.Calls);
    }

    [Fact]
    public async Task Send_JobStartAttemptTimedOut_NotRetried()
    {
        var rcd = new FakeRcd(_time, async (_, _, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return Answer(HttpStatusCode.OK);
        });

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => SendAsync(rcd, JobStart()));

        Assert.Single(rcd.Calls);
    }

    [Fact]
    public async Task Send_LongRunningTransfer_NotCutByTheAttemptTimeout()
    {
        // A batch item's synchronous copyfile may take minutes: here it outlives the 200 ms attempt and 1 s total timeouts.
        var rcd = new FakeRcd(_time, async (_, _, token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), token);
            return Answer(HttpStatusCode.OK);
        });

        using var response = await SendAsync(rcd, Transfer());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(rcd.Calls);
    }

    [Fact]
    public async Task Send_LongRunningTransferFails_NeverSentTwice()
    {
        var rcd = new FakeRcd(_time, (_, _, _) => Task.FromResult(Answer(HttpStatusCode.ServiceUnavailable)));

        using var response = await SendAsync(rcd, Transfer());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(rcd.Calls); // the batch classifies it and retries the item itself
    }

    [Fact]
    public async Task Send_JobStartConnectionRefused_RetriedBecauseItNeverReachedRcd()
    {
        var rcd = new FakeRcd(_time, (call, _, _) => call == 0
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:5572)",
                new SocketException((int)SocketError.ConnectionRefused))
            : Task.FromResult(Answer(HttpStatusCode.OK, """{"jobid":1}""")));

        using var response = await SendAsync(rcd, JobStart());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, rcd.Calls.Count);
    }

    [Fact]
    public async Task Send_ControlCallHangs_EachAttemptTimesOutAndTheTotalTimeoutEndsIt()
    {
        var rcd = new FakeRcd(_time, async (_, _, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return Answer(HttpStatusCode.OK);
        });

        // Retries enough that the total timeout, not the retry count, is what ends it; 2 s so that a slow machine
        // (a CI run's other test projects) still sees the first attempt time out well before the total does.
        var http = Http(rcd, ("TotalRequestTimeout:Timeout", "00:00:02"), ("Retry:MaxRetryAttempts", "30"));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => SendAsync(rcd, Control("core/stats"), http));

        // An attempt never ends before its 200 ms, so 2 s hold at most 10 (+1 started at the end); at least one attempt
        // timed out and was retried; the 30 retries were not used up (the total timeout ended it).
        Assert.InRange(rcd.Calls.Count, 2, 11);
        Assert.InRange(_time.GetUtcNow() - rcd.Calls[0].At, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Send_MoreThanTheConcurrencyLimit_RejectedWithoutReachingRcd()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var rcd = new FakeRcd(_time, (_, _, _) => release.Task);
        var http = Http(rcd, ("RateLimiter:DefaultRateLimiterOptions:PermitLimit", "1"), ("RateLimiter:DefaultRateLimiterOptions:QueueLimit", "0"));

        var first = http.SendAsync(Control("job/status"), CancellationToken.None);
        await Testing.Wait.UntilAsync(() => Task.FromResult(rcd.Calls.Count == 1), TimeSpan.FromSeconds(5), "the first call to reach rcd");
        await Assert.ThrowsAsync<RateLimiterRejectedException>(() => http.SendAsync(Control("job/status"), CancellationToken.None));
        release.SetResult(Answer(HttpStatusCode.OK));
        using var response = await first;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(rcd.Calls);
    }

    [Fact]
    public async Task RcloneClient_Start_SendsExactJsonAndAuthAndIsMarkedAsJobStart()
    {
        var rcd = new FakeRcd(_time, (call, _, _) => Task.FromResult(call == 0
            ? Answer(HttpStatusCode.OK, """{"jobid":42}""")
            : Answer(HttpStatusCode.OK, """{"id":42,"finished":false,"success":false,"error":"","duration":0.5}""")));
        var client = Client(rcd);

        var jobId = await client.StartAsync("sync/copy", new JsonObject { ["srcFs"] = "/a", ["dstFs"] = "/b", ["_async"] = true, ["_group"] = "rcmd/x/1" },
            CancellationToken.None);
        var status = await client.JobStatusAsync(42, CancellationToken.None);

        Assert.Equal(42, jobId);
        Assert.False(status.Finished);
        var start = rcd.Calls[0];
        Assert.Equal(HttpMethod.Post, start.Method);
        Assert.Equal(new Uri(Rcd, "sync/copy"), start.Uri);
        Assert.Equal("application/json", start.ContentType);
        Assert.Equal("Basic " + Convert.ToBase64String("user:pass"u8), start.Authorization);
        using var body = JsonDocument.Parse(start.Body);
        Assert.True(body.RootElement.GetProperty("_async").GetBoolean());
        Assert.Equal("rcmd/x/1", body.RootElement.GetProperty("_group").GetString());
        Assert.True(start.StartsJob);
        Assert.False(rcd.Calls[1].StartsJob);
    }

    [Fact]
    public async Task RcloneClient_StartAnswered503_ThrowsWithoutStartingTwice()
    {
        var rcd = new FakeRcd(_time, (_, _, _) => Task.FromResult(Answer(HttpStatusCode.ServiceUnavailable, """{"error":"busy"}""")));
        var client = Client(rcd);

        var error = await Assert.ThrowsAsync<RcloneException>(() =>
            client.StartAsync("operations/copyfile", new JsonObject { ["_async"] = true }, CancellationToken.None));

        Assert.Equal(503, error.Status);
        Assert.Single(rcd.Calls);
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }

    private RcloneClient Client(FakeRcd rcd) => Provider(rcd).GetRequiredService<RcloneClient>();

    /// <summary>The rcd client's HttpClient, as AddRcloneClient builds it, with <c>Rclone:Resilience:*</c> settings.</summary>
    private HttpClient Http(FakeRcd rcd, params (string Key, string Value)[] resilience) =>
        Provider(rcd, resilience).GetRequiredService<IHttpClientFactory>().CreateClient(nameof(RcloneClient));

    /// <summary>The standard handler's shape with its durations scaled down, so tests run in real time.</summary>
    private static readonly (string Key, string Value)[] Fast =
    [
        ("AttemptTimeout:Timeout", "00:00:00.200"),
        ("TotalRequestTimeout:Timeout", "00:00:01"),
        ("Retry:Delay", "00:00:00.050"),
        ("CircuitBreaker:SamplingDuration", "00:00:02"),
        ("CircuitBreaker:BreakDuration", "00:00:00.500"),
    ];

    private ServiceProvider Provider(FakeRcd rcd, params (string Key, string Value)[] resilience)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rclone:Url"] = Rcd.ToString(),
            ["Rclone:User"] = "user",
            ["Rclone:Password"] = "pass",
        };
        foreach (var (key, value) in Fast.Concat(resilience))
        {
            settings[RcloneResilience.Section + ":" + key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRcloneClient(configuration).ConfigurePrimaryHttpMessageHandler(() => rcd);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    private async Task<HttpResponseMessage> SendAsync(FakeRcd rcd, HttpRequestMessage request, HttpClient? http = null) =>
        await (http ?? Http(rcd)).SendAsync(request, CancellationToken.None);

    private static HttpRequestMessage Control(string method) => new(HttpMethod.Post, new Uri(Rcd, method)) { Content = new StringContent("{}") };

    private static HttpRequestMessage Transfer()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Rcd, "operations/copyfile")) { Content = new StringContent("{}") };
        request.Options.Set(RcloneRequest.LongRunning, true);
        return request;
    }

    private static HttpRequestMessage JobStart()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Rcd, "sync/copy")) { Content = new StringContent("""{"_async":true}""") };
        request.Options.Set(RcloneRequest.StartsJob, true);
        return request;
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body = "{}") =>
        new(status) { Content = new StringContent(body) };

    /// <summary>rcd as the handler sees it: answers with <c>respond(callNumber, request, token)</c> and records each call.</summary>
    private sealed class FakeRcd(TimeProvider time, Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond)
        : HttpMessageHandler
    {
        private readonly List<Call> _calls = [];

        public IReadOnlyList<Call> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int number;
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (_calls)
            {
                number = _calls.Count;
                _calls.Add(new Call(time.GetUtcNow(), request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.ToString(),
                    request.Headers.Authorization?.ToString(), body, request.IsJobStart()));
            }

            return await respond(number, request, cancellationToken);
        }
    }

    private sealed record Call(DateTimeOffset At, HttpMethod Method, Uri Uri, string? ContentType, string? Authorization, string Body,
        bool StartsJob);
}

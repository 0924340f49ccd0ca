using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Rcmd.Rclone;
using Rcmd.Worker.Rclone;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Rclone;

/// <summary>
/// The standard resilience pipeline in front of rcd, on a fake clock: a fake rcd (inner handler) answers as each test
/// says, and the test moves time on until the call completes.
/// </summary>
public sealed class RcloneResilienceHandlerTests
{
    private static readonly Uri Rcd = new("http://127.0.0.1:5572/");
    private readonly FakeTimeProvider _time = new();

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
                response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(8));
            }

            return Task.FromResult(response);
        });

        using var response = await SendAsync(rcd, Control("core/stats"), step: TimeSpan.FromMilliseconds(100));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var waited = rcd.Calls[1].At - rcd.Calls[0].At;
        // The computed first backoff (2 s base, jittered) stays under 3 s; 8 s can only come from Retry-After.
        Assert.InRange(waited, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(8.2));
    }

    [Fact]
    public async Task Send_RcdKeepsFailing_BreakerOpensAndStopsCallingRcdUntilTheBreakIsOver()
    {
        var options = new RcloneResilienceOptions { MaxRetryAttempts = 0, MinimumThroughput = 5 };
        var rcd = new FakeRcd(_time, (_, _, _) => Task.FromResult(Answer(HttpStatusCode.InternalServerError)));
        var pipeline = Pipeline(options);

        for (var i = 0; i < 5; i++)
        {
            using var failed = await SendAsync(rcd, Control("job/status"), pipeline);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => SendAsync(rcd, Control("job/status"), pipeline));
        Assert.Equal(5, rcd.Calls.Count);

        _time.Advance(options.BreakDuration);
        using var probe = await SendAsync(rcd, Control("job/status"), pipeline);
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
        var pipeline = Pipeline(new RcloneResilienceOptions { MinimumThroughput = 2 });

        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(rcd, Control("job/status"), pipeline);
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
        // A batch item's synchronous copyfile may take minutes: it outlives the 10 s attempt and 30 s total timeouts.
        var rcd = new FakeRcd(_time, async (_, _, token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(45), _time, token);
            return Answer(HttpStatusCode.OK);
        });

        using var response = await SendAsync(rcd, Transfer(), step: TimeSpan.FromSeconds(1));

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

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => SendAsync(rcd, Control("core/stats")));

        // 10 s attempts with backoff in between: the 30 s budget fits two or three, never the four retries allow.
        Assert.InRange(rcd.Calls.Count, 2, 3);
        Assert.InRange(_time.GetUtcNow() - rcd.Calls[0].At, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task Send_MoreThanTheConcurrencyLimit_RejectedWithoutReachingRcd()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var rcd = new FakeRcd(_time, (_, _, _) => release.Task);
        var pipeline = Pipeline(new RcloneResilienceOptions { ConcurrencyLimit = 1 });
        using var invoker = new HttpMessageInvoker(new RcloneResilienceHandler(Holder(pipeline)) { InnerHandler = rcd });

        var first = invoker.SendAsync(Control("job/status"), CancellationToken.None);
        await Testing.Wait.UntilAsync(() => Task.FromResult(rcd.Calls.Count == 1), TimeSpan.FromSeconds(5), "the first call to reach rcd");
        await Assert.ThrowsAsync<ConcurrencyLimitRejectedException>(() => invoker.SendAsync(Control("job/status"), CancellationToken.None));
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

    private RcloneClient Client(FakeRcd rcd) =>
        new(new HttpClient(new RcloneResilienceHandler(Holder(Pipeline(new RcloneResilienceOptions()))) { InnerHandler = rcd }),
            Options.Create(new RcloneOptions { Url = Rcd, User = "user", Password = "pass" }));

    private Polly.ResiliencePipeline<HttpResponseMessage> Pipeline(RcloneResilienceOptions options) =>
        RcloneResiliencePipeline.Create(options, _time, NullLogger.Instance, randomizer: () => 0.5);

    private static RcloneResiliencePipeline Holder(Polly.ResiliencePipeline<HttpResponseMessage> pipeline) => new(pipeline);

    /// <summary>Sends through the handler and moves the fake clock on (in <paramref name="step"/>s) until the call completes.</summary>
    private async Task<HttpResponseMessage> SendAsync(FakeRcd rcd, HttpRequestMessage request,
        Polly.ResiliencePipeline<HttpResponseMessage>? pipeline = null, TimeSpan? step = null)
    {
        using var invoker = new HttpMessageInvoker(
            new RcloneResilienceHandler(Holder(pipeline ?? Pipeline(new RcloneResilienceOptions()))) { InnerHandler = rcd }, disposeHandler: false);
        var send = invoker.SendAsync(request, CancellationToken.None);
        var advanced = TimeSpan.Zero;
        while (!send.IsCompleted)
        {
            await Task.Delay(2);
            if (send.IsCompleted)
            {
                break;
            }

            _time.Advance(step ?? TimeSpan.FromMilliseconds(250));
            advanced += step ?? TimeSpan.FromMilliseconds(250);
            Assert.True(advanced < TimeSpan.FromMinutes(2), "the call never completed");
        }

        return await send;
    }

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

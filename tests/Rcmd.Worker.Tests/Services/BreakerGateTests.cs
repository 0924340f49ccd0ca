using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Breakers;
using Rcmd.Events;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Testing;
using Rcmd.Worker.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// The circuit breaker per remote against real failures: a real rcd copies from a real <c>rclone serve webdav</c>
/// behind a loopback TCP proxy the test switches between refusing connections and passing them through, configured in
/// rcd as the remote <c>flaky</c>. The Workers run with a 3 s break (10 s with two Workers) and one run per job (no
/// job retries), so every failed job is exactly one breaker-relevant failure.
/// </summary>
public sealed class BreakerGateTests : IAsyncLifetime
{
    private const string Remote = "flaky";
    private readonly WorkerFixture _system = new();
    private readonly WebDavShare _webdav = new();
    private readonly ConcurrentQueue<RcmdEvent> _remoteEvents = new();
    private TcpFaultProxy _proxy = null!;
    private RedisConnection _redis = null!;

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        // rcd's sync/copy has no --retries loop; one low-level retry makes a refused connection fail the run at once.
        await _system.RcAsync("options/set", new JsonObject { ["main"] = new JsonObject { ["LowLevelRetries"] = 1 } });
        for (var i = 0; i < 3; i++)
        {
            _webdav.AddFile($"dir/f{i}.bin", 4096);
        }

        await _webdav.StartAsync();
        _proxy = new TcpFaultProxy(_webdav.Port, TcpFault.Refuse);
        _system.Rclone.AddRemote(Remote, "webdav", ("url", _proxy.Url.ToString()));

        _redis = new RedisConnection(_system.Redis.ConnectionString, new RedisKeys());
        await _redis.Subscriber.SubscribeInOrderAsync(StackExchange.Redis.RedisChannel.Literal(_redis.Keys.EventsChannel), (_, message) =>
        {
            var item = JsonSerializer.Deserialize((string)message!, RcmdJsonContext.Default.RcmdEvent)!;
            if (item.Type == EventTypes.RemoteStatus)
            {
                _remoteEvents.Enqueue(item);
            }
        });
    }

    public async Task DisposeAsync()
    {
        _redis.Dispose();
        _proxy.Dispose();
        _webdav.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task OneWorker_FiveFailures_OpensSixthWaitsThenHalfOpensAndClosesAfterThreeSuccesses()
    {
        var worker = await _system.StartWorkerAsync("breaker", Settings(breakDuration: "00:00:03"));

        // 5 runs fail with a refused connection: the fifth opens the breaker.
        var failing = new List<Job>();
        for (var i = 0; i < 5; i++)
        {
            failing.Add(await EnqueueCopyAsync($"fail-{i}"));
        }

        foreach (var job in failing)
        {
            var failed = await _system.WaitForStateAsync(job.Id, JobState.Failed);
            Assert.Equal(ErrorCodes.EndpointUnreachable, failed.Error!.Code);
        }

        // The job is saved failed just before its Worker records the outcome on the breaker.
        var open = await WaitForBreakerAsync(b => b.State == BreakerState.Open, "the breaker to open");
        Assert.Equal(5, open.ConsecutiveFailures);
        Assert.Equal(ErrorCodes.EndpointUnreachable, open.LastErrorCode);
        Assert.Contains("connection refused", open.LastErrorMessage, StringComparison.Ordinal);

        // The sixth job is not started: it waits, due when the breaker half-opens.
        var sixth = await EnqueueCopyAsync("sixth");
        var waiting = await _system.WaitForStateAsync(sixth.Id, JobState.Waiting);
        Assert.Equal(JobWait.BreakerReason, waiting.Wait!.Reason);
        Assert.Equal(ErrorCodes.EndpointUnreachable, waiting.Wait.Code);
        Assert.StartsWith($"Remote {Remote} is temporarily unavailable. Retry in ", waiting.Wait.Message, StringComparison.Ordinal);
        Assert.Equal(open.RetryAt, waiting.Wait.DueAt);
        Assert.Empty(waiting.Attempts);
        Assert.Empty(await _system.RcdRunsOfAsync(sixth.Id));

        // The remote recovers. After the break the sixth job runs as the half-open probe and succeeds.
        _proxy.Mode = TcpFault.Pass;
        var probed = await _system.WaitForStateAsync(sixth.Id, JobState.Succeeded, TimeSpan.FromSeconds(20));
        Assert.Single(probed.Attempts);
        Assert.True(probed.Attempts[0].StartedAt >= open.RetryAt);
        await WaitForBreakerAsync(b => b is { State: BreakerState.HalfOpen, HalfOpenSuccesses: 1 }, "one half-open success");

        // Two more successes (one probe at a time) close it.
        var more = new[] { await EnqueueCopyAsync("seventh"), await EnqueueCopyAsync("eighth") };
        foreach (var job in more)
        {
            await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(20));
        }

        var closed = await WaitForBreakerAsync(b => b.State == BreakerState.Closed, "the breaker to close");
        Assert.Equal(0, closed.ConsecutiveFailures);
        Assert.Equal(3, Directory.GetFiles(_system.Data.Combine("eighth")).Length);

        Assert.Equal([BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed], await SettledRemoteStatesAsync());
        Assert.Equal([NotificationTypes.RemoteOffline, NotificationTypes.RemoteOnline], await NotificationsAsync());
        Assert.Contains($"circuit breaker of remote {Remote} is open", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoWorkers_ManyFailuresAtOnce_EachTransitionAndEventHappensExactlyOnce()
    {
        var settings = Settings(breakDuration: "00:00:10");
        var workers = await Task.WhenAll(_system.StartWorkerAsync("breaker-a", settings), _system.StartWorkerAsync("breaker-b", settings));

        var first = new List<Job>();
        for (var i = 0; i < 12; i++)
        {
            first.Add(await EnqueueCopyAsync($"burst-{i}"));
        }

        // Every job either failed (ran while closed) or waits for the breaker (refused once it opened).
        var resolved = new List<Job>();
        foreach (var job in first)
        {
            resolved.Add(await _system.WaitForJobAsync(job.Id, j => j.State == JobState.Failed || j is { State: JobState.Waiting, Wait.Reason: JobWait.BreakerReason },
                TimeSpan.FromSeconds(20), $"job {job.Id} to fail or wait for the breaker"));
        }

        var failed = resolved.Where(j => j.State == JobState.Failed).ToList();
        Assert.InRange(failed.Count, 5, 12);
        Assert.All(failed, j => Assert.Equal(ErrorCodes.EndpointUnreachable, j.Error!.Code));
        await WaitForBreakerAsync(b => b.ConsecutiveFailures == failed.Count, $"{failed.Count} failures recorded");
        Assert.Equal([BreakerState.Open], await SettledRemoteStatesAsync());
        Assert.Equal([NotificationTypes.RemoteOffline], await NotificationsAsync());

        // Recovery: the waiting jobs and a few new ones run after the break; the breaker closes once.
        _proxy.Mode = TcpFault.Pass;
        var later = new List<Job>();
        for (var i = 0; i < 4; i++)
        {
            later.Add(await EnqueueCopyAsync($"later-{i}"));
        }

        foreach (var job in resolved.Where(j => j.State == JobState.Waiting).Concat(later))
        {
            await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(40));
        }

        await WaitForBreakerAsync(b => b.State == BreakerState.Closed, "the breaker to close");
        Assert.Equal([BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed], await SettledRemoteStatesAsync());
        Assert.Equal([NotificationTypes.RemoteOffline, NotificationTypes.RemoteOnline], await NotificationsAsync());

        // Each transition was made (and logged) by one Worker only.
        var log = string.Join('\n', workers.Select(w => w.Output));
        Assert.Equal(1, Count(log, $"Remote {Remote} circuit breaker closed -> open"));
        Assert.Equal(1, Count(log, $"Remote {Remote} circuit breaker open -> half_open"));
        Assert.Equal(1, Count(log, $"Remote {Remote} circuit breaker half_open -> closed"));
    }

    [Fact]
    public async Task OneWorker_RemoteFailingWithARunInFlight_NextJobWaitsUntilThatRunEnds()
    {
        await _system.StartWorkerAsync("breaker-suspect", Settings(breakDuration: "00:01:00"));
        var breakers = Breakers();
        for (var i = 0; i < 4; i++)
        {
            await breakers.RecordFailureAsync(Remote, ErrorCodes.EndpointUnreachable, "dial tcp: connect: connection refused", null,
                CancellationToken.None);
        }

        // 4 failures, threshold 5: one run in flight decides whether the breaker opens; the remote now hangs, so it stays in flight.
        _proxy.Mode = TcpFault.Hang;
        var hanging = await EnqueueCopyAsync("hanging");
        await _system.WaitForStateAsync(hanging.Id, JobState.Running);
        await Wait.UntilAsync(async () => await breakers.RunsInFlightAsync(Remote, CancellationToken.None) == 1, TimeSpan.FromSeconds(10),
            "the run to be counted in flight", () => _system.Diagnostics(hanging));

        // The next job is not started: it waits (reason breaker), due again shortly, and asks again while the run is in flight.
        var next = await EnqueueCopyAsync("next");
        var waiting = await _system.WaitForStateAsync(next.Id, JobState.Waiting);
        Assert.Equal(JobWait.BreakerReason, waiting.Wait!.Reason);
        Assert.Equal($"Remote {Remote} is failing: 1 run in flight decides whether its circuit opens. Retry in 1 second.", waiting.Wait.Message);
        Assert.InRange(waiting.Wait.DueAt - waiting.UpdatedAt, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Empty(waiting.Attempts);
        await Task.Delay(1000);
        Assert.Empty(await _system.RcdRunsOfAsync(next.Id));
        var suspect = await breakers.GetAsync(Remote, CancellationToken.None);
        Assert.Equal((BreakerState.Closed, 4), (suspect.State, suspect.ConsecutiveFailures));

        // The run in flight ends (canceled: says nothing about the remote) and the remote recovers: the next job runs.
        _proxy.Mode = TcpFault.Pass;
        await _system.Store.RequestCancelAsync(hanging.Id, CancellationToken.None);
        await _system.WaitForStateAsync(hanging.Id, JobState.Canceled, TimeSpan.FromSeconds(20));
        var succeeded = await _system.WaitForStateAsync(next.Id, JobState.Succeeded, TimeSpan.FromSeconds(20));
        Assert.Single(succeeded.Attempts);
        await WaitForBreakerAsync(b => b is { State: BreakerState.Closed, ConsecutiveFailures: 0 }, "the success to reset the count");
        Assert.Equal(0, await breakers.RunsInFlightAsync(Remote, CancellationToken.None));
    }

    [Fact]
    public async Task LocalJobs_RemoteBreakerOpen_RunUntouched()
    {
        await _system.StartWorkerAsync("breaker-local", Settings(breakDuration: "00:01:00"));
        await Breakers().IsolateAsync(Remote, CancellationToken.None);
        var source = _system.MakeFiles("local-src", 2, 100);

        var local = await _system.EnqueueAsync(JobType.Copy, source, _system.Data.Combine("local-dst"));
        var onFlaky = await EnqueueCopyAsync("isolated");

        await _system.WaitForStateAsync(local.Id, JobState.Succeeded);
        var waiting = await _system.WaitForStateAsync(onFlaky.Id, JobState.Waiting);
        Assert.StartsWith($"Remote {Remote} is isolated by an operator", waiting.Wait!.Message, StringComparison.Ordinal);
        Assert.Equal(0, _proxy.Connections);
    }

    private static Dictionary<string, string> Settings(string breakDuration) => new()
    {
        ["Breakers__BreakDuration"] = breakDuration,
        ["Breakers__HalfOpenRetryInterval"] = "00:00:00.300",
        [RetrySettings.AttemptsVariable] = "1",
        ["Worker__WaitingPollInterval"] = "00:00:00.100",
    };

    private Task<Job> EnqueueCopyAsync(string destination) =>
        _system.EnqueueAsync(JobType.Copy, $"{Remote}:dir", _system.Data.Combine(destination));

    private BreakerStore Breakers() => new(_redis, Options.Create(new BreakerOptions()), TimeProvider.System);

    /// <summary>The states announced by remote-status events so far, once no more arrive for a moment.</summary>
    private async Task<IReadOnlyList<BreakerState>> SettledRemoteStatesAsync()
    {
        var count = -1;
        while (count != _remoteEvents.Count)
        {
            count = _remoteEvents.Count;
            await Task.Delay(500);
        }

        Assert.All(_remoteEvents, e => Assert.Equal(Remote, e.Remote!.Name));
        return [.. _remoteEvents.Select(e => e.Remote!.State)];
    }

    private async Task<BreakerSnapshot> WaitForBreakerAsync(Func<BreakerSnapshot, bool> condition, string what)
    {
        BreakerSnapshot? last = null;
        await Wait.UntilAsync(async () => condition(last = await Breakers().GetAsync(Remote, CancellationToken.None)),
            TimeSpan.FromSeconds(10), what, () => $"breaker: {last}\n{_system.Diagnostics()}");
        return last!;
    }

    /// <summary>The remote events (REMOTE_OFFLINE / REMOTE_ONLINE) in the notifications stream, oldest first; job events left out.</summary>
    private async Task<IReadOnlyList<string>> NotificationsAsync()
    {
        var result = await _redis.Database.ScriptEvaluateAsync("return redis.call('XRANGE', KEYS[1], '-', '+')", [_redis.Keys.Notifications]);
        var entries = ((RedisResult[])result!).Select(entry =>
        {
            var fields = (RedisValue[])((RedisResult[])entry!)[1]!;
            return Enumerable.Range(0, fields.Length / 2).ToDictionary(i => (string)fields[2 * i]!, i => (string)fields[2 * i + 1]!);
        });
        var remote = entries.Where(e => e["event"].StartsWith("REMOTE_", StringComparison.Ordinal)).ToList();
        Assert.All(remote, e => Assert.Equal(Remote, e["remote"]));
        return [.. remote.Select(e => e["event"])];
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rcmd.Breakers;
using Rcmd.Core.Tests.Storage;
using Rcmd.Events;
using Rcmd.Failures;
using Rcmd.Notifications;
using Rcmd.Serialization;
using Rcmd.Storage;
using Rcmd.Testing;
using StackExchange.Redis;

namespace Rcmd.Core.Tests.Breakers;

/// <summary>
/// The breaker in a real redis-server, shared by several callers that each have their own connection (as Workers in
/// separate processes do): one transition and one event per change of state, whatever the number of callers.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class BreakerStoreTests(RedisFixture redis) : IDisposable
{
    private const string Remote = "flaky";
    private readonly RedisKeys _keys = new("t" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeTimeProvider _time = new();
    private readonly List<RedisConnection> _connections = [];

    private static CancellationToken Ct => TestTimeout.Token;

    [Fact]
    public async Task Store_FailuresRecorded_ReadBackAsWritten()
    {
        var store = NewStore();

        await store.RecordFailureAsync(Remote, ErrorCodes.EndpointUnreachable, "dial tcp: connection refused", null, Ct);
        await store.RecordFailureAsync(Remote, ErrorCodes.RateLimited, "429 Too Many Requests", null, Ct);
        var read = await NewStore().GetAsync(Remote, Ct);

        Assert.Equal(BreakerState.Closed, read.State);
        Assert.Equal(2, read.ConsecutiveFailures);
        Assert.Equal(ErrorCodes.RateLimited, read.LastErrorCode);
        Assert.Equal("429 Too Many Requests", read.LastErrorMessage);
        Assert.Equal(_time.GetUtcNow(), read.LastFailureAt);
        Assert.Equal(2, read.Version);
        Assert.Equal([Remote], (await store.ListAsync(Ct)).Select(b => b.Remote));
    }

    [Fact]
    public async Task Store_HealthyPath_WritesNothing()
    {
        var store = NewStore();

        var acquired = await store.AcquireAsync(Remote, "p", Ct);
        var inFlight = await NewStore().RunsInFlightAsync(Remote, Ct);
        await store.RecordSuccessAsync(Remote, "p", Ct);

        Assert.True(acquired.Decision!.Admitted);
        Assert.Equal(1, inFlight);
        Assert.False(await Connection().Database.KeyExistsAsync(_keys.Breaker(Remote)));
        Assert.False(await Connection().Database.KeyExistsAsync(_keys.BreakerRuns(Remote)));
        Assert.Empty(await store.ListAsync(Ct));
    }

    [Fact]
    public async Task Store_RunsInFlight_CountedAcrossCallersUntilTheirOutcome()
    {
        var (a, b) = (NewStore(), NewStore());

        // On a healthy remote the leases are written without waiting (another connection sees them a moment later).
        await a.AcquireAsync(Remote, "r1", Ct);
        await b.AcquireAsync(Remote, "r2", Ct);
        await b.AcquireAsync(Remote, "r3", Ct);
        await RunsInFlightBecomeAsync(a, 3);
        await a.RecordSuccessAsync(Remote, "r1", Ct);
        await b.RecordFailureAsync(Remote, ErrorCodes.NetworkError, "connection reset by peer", "r2", Ct);
        await RunsInFlightBecomeAsync(a, 1);
        await a.ReleaseAsync(Remote, "r3", Ct);

        await RunsInFlightBecomeAsync(b, 0);
        Assert.Equal(1, (await a.GetAsync(Remote, Ct)).ConsecutiveFailures);
    }

    [Fact]
    public async Task Store_HealthyRemote_ManyCallersAtOnce_AllAdmitted()
    {
        var callers = Enumerable.Range(0, 4).Select(_ => NewStore()).ToList();
        foreach (var caller in callers)
        {
            await caller.GetAsync(Remote, Ct); // connected before the race: 1.2.6 connects synchronously, starving the pool
        }

        var steps = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            callers[i % callers.Count].AcquireAsync(Remote, $"run-{i}", Ct))));

        Assert.All(steps, s => Assert.True(s.Decision!.Admitted));
        await RunsInFlightBecomeAsync(callers[0], 20);
    }

    private static Task RunsInFlightBecomeAsync(BreakerStore store, int expected) =>
        Wait.UntilAsync(async () => await store.RunsInFlightAsync(Remote, Ct) == expected, TimeSpan.FromSeconds(5),
            $"{expected} runs in flight on {Remote}");

    [Fact]
    public async Task Store_FailingRemote_ManyCallersAtOnce_AdmitOnlyWhatCanOpenTheBreaker()
    {
        var store = NewStore();
        await store.RecordFailureAsync(Remote, ErrorCodes.EndpointUnreachable, "dial tcp: connection refused", null, Ct);
        var callers = Enumerable.Range(0, 4).Select(_ => NewStore()).ToList();
        foreach (var caller in callers)
        {
            await caller.GetAsync(Remote, Ct); // connected before the race: 1.2.6 connects synchronously, starving the pool
        }

        // 1 failure, threshold 5: 4 runs may be in flight, whoever asks and however they race.
        var steps = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            callers[i % callers.Count].AcquireAsync(Remote, $"run-{i}", Ct))));

        Assert.Equal(4, steps.Count(s => s.Decision!.Admitted));
        Assert.All(steps.Where(s => !s.Decision!.Admitted), s =>
        {
            Assert.Equal(BreakerState.Closed, s.Decision!.State);
            Assert.InRange(s.Decision.RunsInFlight!.Value, 1, 4);
            Assert.Equal(_time.GetUtcNow() + BreakerSettings.Default.HalfOpenRetryInterval, s.Decision.RetryAt);
        });
        Assert.Equal(4, await store.RunsInFlightAsync(Remote, Ct));

        // The admitted runs fail in turn; nothing else gets through, and the fourth failure of theirs opens the breaker.
        var ids = Enumerable.Range(0, 20).Where(i => steps[i].Decision!.Admitted).Select(i => $"run-{i}").ToList();
        foreach (var id in ids)
        {
            Assert.False((await store.AcquireAsync(Remote, "late", Ct)).Decision!.Admitted);
            await store.RecordFailureAsync(Remote, ErrorCodes.EndpointUnreachable, "dial tcp: connection refused", id, Ct);
        }

        var open = await store.GetAsync(Remote, Ct);
        Assert.Equal(BreakerState.Open, open.State);
        Assert.Equal(5, open.ConsecutiveFailures);
        Assert.Equal(0, await store.RunsInFlightAsync(Remote, Ct));
    }

    [Fact]
    public async Task Store_FailingRemote_RunLeaseRunsOut_NoLongerCounted()
    {
        var store = NewStore();
        for (var i = 0; i < 4; i++)
        {
            await store.RecordFailureAsync(Remote, ErrorCodes.UpstreamTimeout, "i/o timeout", null, Ct);
        }

        var held = await store.AcquireAsync(Remote, "held", Ct);
        var refused = await store.AcquireAsync(Remote, "next", Ct);
        _time.Advance(BreakerSettings.Default.OperationTimeout - TimeSpan.FromSeconds(1));
        var stillRefused = await store.AcquireAsync(Remote, "next", Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        var admitted = await store.AcquireAsync(Remote, "next", Ct);

        Assert.True(held.Decision!.Admitted);
        Assert.False(refused.Decision!.Admitted);
        Assert.Equal(1, refused.Decision.RunsInFlight);
        Assert.False(stillRefused.Decision!.Admitted);
        Assert.True(admitted.Decision!.Admitted);
        Assert.Equal(1, await store.RunsInFlightAsync(Remote, Ct));
    }

    [Fact]
    public async Task Store_TwoCallersRecordFailuresAtOnce_ExactlyOneOpenTransitionEventAndStreamEntry()
    {
        var (a, b) = (NewStore(), NewStore());
        var events = await ListenAsync();

        // 5 failures each, interleaved: together they cross the threshold of 5 once.
        var steps = new ConcurrentBag<BreakerStep>();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
            steps.Add(await (i % 2 == 0 ? a : b).RecordFailureAsync(Remote, ErrorCodes.EndpointUnreachable, $"refused #{i}", null, Ct)))));

        var opened = steps.Where(s => s.Transition is not null).ToList();
        var transition = Assert.Single(opened).Transition!;
        Assert.Equal((BreakerState.Closed, BreakerState.Open), (transition.From, transition.To));
        var stored = await a.GetAsync(Remote, Ct);
        Assert.Equal(BreakerState.Open, stored.State);
        Assert.Equal(10, stored.ConsecutiveFailures);
        Assert.Equal(10, stored.Version);

        var remoteEvents = await events.SettleAsync();
        var published = Assert.Single(remoteEvents);
        Assert.Equal(EventTypes.RemoteStatus, published.Type);
        Assert.Equal(Remote, published.Remote!.Name);
        Assert.Equal(BreakerState.Open, published.Remote.State);

        var entry = Assert.Single(await ReadStreamAsync());
        Assert.Equal(NotificationTypes.RemoteOffline, entry["event"]);
        Assert.Equal(Remote, entry["remote"]);
        var data = JsonSerializer.Deserialize(entry["data"], RcmdJsonContext.Default.RemoteStatus)!;
        Assert.Equal(BreakerState.Open, data.State);
        Assert.Equal(ErrorCodes.EndpointUnreachable, data.LastErrorCode);
    }

    [Fact]
    public async Task Store_ManyCallersAcquireWhenBreakIsOver_OneHalfOpenTransitionAndOneProbe()
    {
        var store = NewStore();
        for (var i = 0; i < 5; i++)
        {
            await store.RecordFailureAsync(Remote, ErrorCodes.UpstreamTimeout, "i/o timeout", null, Ct);
        }

        _time.Advance(TimeSpan.FromSeconds(60));
        var events = await ListenAsync();
        var callers = Enumerable.Range(0, 4).Select(_ => NewStore()).ToList();
        foreach (var caller in callers)
        {
            await caller.GetAsync(Remote, Ct); // connected before the race: 1.2.6 connects synchronously, starving the pool
        }

        var steps = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            callers[i % callers.Count].AcquireAsync(Remote, $"probe-{i}", Ct))));

        Assert.Single(steps, s => s.Decision!.Admitted);
        Assert.Single(steps, s => s.Transition is not null);
        Assert.All(steps.Where(s => !s.Decision!.Admitted), s => Assert.Equal(BreakerState.HalfOpen, s.Decision!.State));
        var published = Assert.Single(await events.SettleAsync());
        Assert.Equal(BreakerState.HalfOpen, published.Remote!.State);
        Assert.Single(await ReadStreamAsync()); // the OFFLINE of the opening; half-opening notifies nobody
    }

    [Fact]
    public async Task Store_FullCycle_OfflineThenOnlineInTheStream()
    {
        var store = NewStore();
        for (var i = 0; i < 5; i++)
        {
            await store.RecordFailureAsync(Remote, ErrorCodes.NetworkError, "connection reset by peer", null, Ct);
        }

        _time.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 3; i++)
        {
            var probe = await store.AcquireAsync(Remote, $"p{i}", Ct);
            Assert.True(probe.Decision!.Admitted);
            await store.RecordSuccessAsync(Remote, probe.Decision.ProbeId, Ct);
        }

        Assert.Equal(BreakerState.Closed, (await store.GetAsync(Remote, Ct)).State);
        Assert.Equal([NotificationTypes.RemoteOffline, NotificationTypes.RemoteOnline], (await ReadStreamAsync()).Select(e => e["event"]));
    }

    [Fact]
    public async Task Store_IsolateAndReset_SeenByEveryCaller()
    {
        var (operator_, worker) = (NewStore(), NewStore());

        await operator_.IsolateAsync(Remote, Ct);
        var refused = await worker.AcquireAsync(Remote, "p", Ct);
        await operator_.ResetAsync(Remote, Ct);
        var admitted = await worker.AcquireAsync(Remote, "p", Ct);

        Assert.False(refused.Decision!.Admitted);
        Assert.Equal(BreakerState.Isolated, refused.Decision.State);
        Assert.True(admitted.Decision!.Admitted);
    }

    [Fact]
    public async Task Store_InlineRemoteName_KeyedByBackend()
    {
        var store = NewStore();

        await store.RecordFailureAsync(":webdav", ErrorCodes.EndpointUnreachable, "refused", null, Ct);

        Assert.True(await Connection().Database.KeyExistsAsync($"{_keys.Prefix}:breaker::webdav"));
        Assert.Equal([":webdav"], (await store.ListAsync(Ct)).Select(b => b.Remote));
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    private BreakerStore NewStore() => new(Connection(), Options.Create(new BreakerOptions()), _time);

    private RedisConnection Connection()
    {
        var connection = new RedisConnection(redis.Server.ConnectionString, _keys);
        _connections.Add(connection);
        return connection;
    }

    private async Task<EventListener> ListenAsync()
    {
        var listener = new EventListener();
        await Connection().Subscriber.SubscribeInOrderAsync(RedisChannel.Literal(_keys.EventsChannel), (_, message) => listener.Add((string)message!));
        return listener;
    }

    private async Task<IReadOnlyList<Dictionary<string, string>>> ReadStreamAsync()
    {
        var result = await Connection().Database.ScriptEvaluateAsync("return redis.call('XRANGE', KEYS[1], '-', '+')", [_keys.Notifications]);
        return [.. ((RedisResult[])result!).Select(entry =>
        {
            var fields = (RedisValue[])((RedisResult[])entry!)[1]!;
            return Enumerable.Range(0, fields.Length / 2).ToDictionary(i => (string)fields[2 * i]!, i => (string)fields[2 * i + 1]!);
        })];
    }

    private sealed class EventListener
    {
        private readonly ConcurrentQueue<RcmdEvent> _events = new();

        public void Add(string json) => _events.Enqueue(JsonSerializer.Deserialize(json, RcmdJsonContext.Default.RcmdEvent)!);

        /// <summary>Waits until no event arrived for a while, then returns them all.</summary>
        public async Task<IReadOnlyList<RcmdEvent>> SettleAsync()
        {
            var count = -1;
            while (count != _events.Count)
            {
                count = _events.Count;
                await Task.Delay(300);
            }

            return [.. _events];
        }
    }
}

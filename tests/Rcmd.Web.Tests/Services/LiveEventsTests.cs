using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Services;

public sealed class LiveEventsTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly LiveEvents _events;

    public LiveEventsTests() => _events = new LiveEvents(
        Options.Create(new LiveEventsOptions { RenderInterval = TimeSpan.FromMilliseconds(100) }), _time, NullLogger<LiveEvents>.Instance);

    [Fact]
    public void Groups_TwoPagesOfOneJobAndTheStatusPage_JoinOnceLeaveWithTheLastPage()
    {
        var changes = new List<string>();
        _events.GroupChanged += (group, needed) => changes.Add((needed ? "+" : "-") + group);

        var first = _events.SubscribeJob("j1", _ => Task.CompletedTask);
        var second = _events.SubscribeJob("j1", _ => Task.CompletedTask);
        var status = _events.SubscribeJobs(_ => Task.CompletedTask);
        Assert.Equal(["job:j1", "status"], _events.Groups.Order(StringComparer.Ordinal));

        first.Dispose();
        Assert.Equal(["+job:j1", "+status"], changes);
        second.Dispose();
        status.Dispose();
        second.Dispose();

        Assert.Equal(["+job:j1", "+status", "-job:j1", "-status"], changes);
        Assert.Empty(_events.Groups);
        Assert.Equal(0, _events.SubscriberCount);
    }

    [Fact]
    public async Task SubscribeJob_OtherJobsEvents_AreNotHandedOn()
    {
        var received = new List<string>();
        using var subscription = _events.SubscribeJob("mine", jobs =>
        {
            received.AddRange(jobs.Select(j => j.Id));
            return Task.CompletedTask;
        });

        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("other")));
        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("mine")));

        await Task.Delay(50);
        Assert.Equal(["mine"], received);
    }

    [Fact]
    public async Task Subscribe_UntilDisposed_ReceivesEveryEvent()
    {
        var received = new List<string>();
        var subscription = _events.Subscribe(e =>
        {
            received.Add(e.Job!.Id);
            return Task.CompletedTask;
        });

        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("a")));
        subscription.Dispose();
        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("b")));

        Assert.Equal(["a"], received);
        Assert.Equal(0, _events.SubscriberCount);
    }

    [Fact]
    public async Task Publish_OneSubscriberThrows_OthersStillReceive()
    {
        var received = 0;
        using var bad = _events.Subscribe(_ => throw new InvalidOperationException("boom"));
        using var good = _events.Subscribe(_ =>
        {
            received++;
            return Task.CompletedTask;
        });

        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued()));

        Assert.Equal(1, received);
    }

    [Fact]
    public async Task SetConnected_OnlyChanges_AreAnnounced()
    {
        var states = new List<bool>();
        using var subscription = _events.SubscribeConnection(c =>
        {
            states.Add(c);
            return Task.CompletedTask;
        });

        await _events.SetConnectedAsync(true);
        await _events.SetConnectedAsync(true);
        await _events.SetConnectedAsync(false);

        Assert.Equal([true, false], states);
        Assert.False(_events.IsConnected);
    }

    [Fact]
    public async Task SubscribeJobs_BurstOfUpdates_FirstGoesAtOnceRestCoalesceToNewestPerJob()
    {
        var batches = new List<IReadOnlyList<Job>>();
        using var subscription = _events.SubscribeJobs(jobs =>
        {
            lock (batches)
            {
                batches.Add(jobs);
            }

            return Task.CompletedTask;
        });
        var a = TestJobs.Running("a", percent: 1);
        var b = TestJobs.Running("b", percent: 1);

        await _events.PublishAsync(RcmdEvent.ForJob(a));
        Assert.Single(batches);

        for (var percent = 2; percent <= 50; percent++)
        {
            await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.WithProgress(a, percent, seconds: percent)));
            await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.WithProgress(b, percent, seconds: percent)));
        }

        Assert.Single(batches); // nothing more until the interval has passed
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await WaitUntil(() => batches.Count == 2);

        var second = batches[1].ToDictionary(j => j.Id);
        Assert.Equal(2, second.Count);
        Assert.Equal(50, second["a"].Progress!.Percent);
        Assert.Equal(50, second["b"].Progress!.Percent);
    }

    [Fact]
    public async Task SubscribeJobs_Filter_DropsOtherJobs()
    {
        var seen = new List<string>();
        using var subscription = _events.SubscribeJobs(jobs =>
        {
            seen.AddRange(jobs.Select(j => j.Id));
            return Task.CompletedTask;
        }, job => job.Id == "mine");

        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("other")));
        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("mine")));

        Assert.Equal(["mine"], seen);
    }

    [Fact]
    public async Task SubscribeJobs_DisposedWhileWaiting_NeverCallsBack()
    {
        var calls = 0;
        var subscription = _events.SubscribeJobs(_ =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        });
        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("a")));
        await _events.PublishAsync(RcmdEvent.ForJob(TestJobs.Queued("b")));

        subscription.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, calls);
        Assert.Equal(0, _events.SubscriberCount);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}

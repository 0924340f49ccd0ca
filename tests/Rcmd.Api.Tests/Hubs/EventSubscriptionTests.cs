using Rcmd.Api.Hubs;

namespace Rcmd.Api.Tests.Hubs;

public sealed class EventSubscriptionTests
{
    [Fact]
    public void Post_SeveralUpdatesOfOneJobWaiting_OnlyTheNewestIsSent()
    {
        using var subscription = new EventSubscription(capacity: 10);

        subscription.Post(Update(1, "a"));
        subscription.Post(Update(2, "b"));
        subscription.Post(Update(3, "a"));
        subscription.Post(Update(4, "a"));

        var sent = Drain(subscription);
        Assert.Equal([(2L, "b"), (4L, "a")], sent.Select(e => (e.Id, e.JobId!)));
        Assert.Equal(2, subscription.Coalesced);
        Assert.Equal(0, subscription.Dropped);
    }

    [Fact]
    public void Post_AfterADrain_IsSentAgain()
    {
        using var subscription = new EventSubscription(capacity: 10);
        subscription.Post(Update(1, "a"));
        Assert.Single(Drain(subscription));

        subscription.Post(Update(2, "a"));

        Assert.Equal([2L], Drain(subscription).Select(e => e.Id));
    }

    [Fact]
    public void Post_EventsAboutNoJob_AreNeverMerged()
    {
        using var subscription = new EventSubscription(capacity: 10);

        subscription.Post(new ServerSentEvent(1, "remote-offline", null, "{}"));
        subscription.Post(new ServerSentEvent(2, "remote-offline", null, "{}"));

        Assert.Equal([1L, 2L], Drain(subscription).Select(e => e.Id));
    }

    [Fact]
    public void Post_MailboxFull_DropsTheOldest()
    {
        using var subscription = new EventSubscription(capacity: 3);

        for (var i = 1; i <= 5; i++)
        {
            subscription.Post(Update(i, "job" + i));
        }

        Assert.Equal([3L, 4L, 5L], Drain(subscription).Select(e => e.Id));
        Assert.Equal(2, subscription.Dropped);
    }

    [Fact]
    public void Post_TypeNotWanted_IsIgnored()
    {
        using var subscription = new EventSubscription(capacity: 10, types: new HashSet<string> { "job-update" });

        subscription.Post(new ServerSentEvent(1, "remote-offline", null, "{}"));
        subscription.Post(Update(2, "a"));

        Assert.Equal([2L], Drain(subscription).Select(e => e.Id));
    }

    [Fact]
    public async Task WaitAsync_EventPosted_Completes()
    {
        using var subscription = new EventSubscription(capacity: 10);
        var waiting = subscription.WaitAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        subscription.Post(Update(1, "a"));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitAsync_Disposed_ReturnsFalseAndCallsBack()
    {
        EventSubscription? left = null;
        var subscription = new EventSubscription(capacity: 10, onDispose: s => left = s);

        subscription.Dispose();
        subscription.Post(Update(1, "a"));

        Assert.False(await subscription.WaitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Same(subscription, left);
        Assert.Equal(0, subscription.Waiting);
    }

    private static ServerSentEvent Update(long id, string jobId) =>
        new(id, "job-update", jobId, $$$"""{"type":"job-update","job":{"id":"{{{jobId}}}"}}""");

    private static List<ServerSentEvent> Drain(EventSubscription subscription)
    {
        var list = new List<ServerSentEvent>();
        subscription.Drain(list);
        return list;
    }
}

using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Core.Tests.Storage;

public sealed class RedisKeysTests
{
    [Fact]
    public void Keys_DefaultPrefix_FollowTheDocumentedScheme()
    {
        var keys = new RedisKeys();

        Assert.Equal("rcmd", keys.Prefix);
        Assert.Equal("rcmd:job:abc", keys.Job("abc"));
        Assert.Equal("rcmd:job:abc:cancel", keys.CancelRequest("abc"));
        Assert.Equal("rcmd:jobs:all", keys.AllJobs);
        Assert.Equal("rcmd:jobs:queue", keys.Queue);
        Assert.Equal("rcmd:jobs:leases", keys.Leases);
        Assert.Equal("rcmd:jobs:owners", keys.LeaseOwners);
        Assert.Equal("rcmd:jobs:waiting", keys.Waiting);
        Assert.Equal("rcmd:events", keys.EventsChannel);
        Assert.Equal("rcmd:jobs:wake", keys.WakeChannel);
    }

    [Theory]
    [InlineData(JobState.Queued, "t1:jobs:state:queued")]
    [InlineData(JobState.Running, "t1:jobs:state:running")]
    [InlineData(JobState.Waiting, "t1:jobs:state:waiting")]
    [InlineData(JobState.Succeeded, "t1:jobs:state:succeeded")]
    [InlineData(JobState.Failed, "t1:jobs:state:failed")]
    [InlineData(JobState.Canceled, "t1:jobs:state:canceled")]
    public void JobsInState_EachState_ItsOwnIndex(JobState state, string expected)
    {
        Assert.Equal(expected, new RedisKeys("t1").JobsInState(state));
    }

    [Fact]
    public void Keys_TwoPrefixes_NeverCollide()
    {
        var a = new RedisKeys("a");
        var b = new RedisKeys("b");

        var keysA = new[] { a.Job("x"), a.CancelRequest("x"), a.AllJobs, a.Queue, a.Leases, a.LeaseOwners, a.Waiting, a.EventsChannel, a.WakeChannel };
        var keysB = new[] { b.Job("x"), b.CancelRequest("x"), b.AllJobs, b.Queue, b.Leases, b.LeaseOwners, b.Waiting, b.EventsChannel, b.WakeChannel };

        Assert.Empty(keysA.Intersect(keysB));
        Assert.Equal(keysA.Length, keysA.Distinct().Count());
    }
}

using Rcmd.Storage;

namespace Rcmd.Core.Tests.Breakers;

public sealed class BreakerKeysTests
{
    [Fact]
    public void Keys_BreakersNotificationsAndCache_FollowTheDocumentedScheme()
    {
        var keys = new RedisKeys();

        Assert.Equal("rcmd:breaker:s3prod", keys.Breaker("s3prod"));
        Assert.Equal("rcmd:breaker::webdav", keys.Breaker(":webdav"));
        Assert.Equal("rcmd:breaker:s3prod:runs", keys.BreakerRuns("s3prod"));
        Assert.Equal("rcmd:breakers", keys.Breakers);
        Assert.Equal("rcmd:notifications", keys.Notifications);
        Assert.Equal("rcmd:cache:s3prod:list:abc", keys.Cache("s3prod", "list", "abc"));
        Assert.Equal("rcmd:cache:index", keys.CacheIndex);
    }
}

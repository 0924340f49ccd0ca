using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Infrastructure;

/// <summary>One real redis-server for every test that needs one; each test isolates itself with its own key prefix.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}

/// <summary>A token for the whole run: a hung server fails the tests instead of hanging them.</summary>
public static class TestTimeout
{
    private static readonly CancellationTokenSource Source = new(TimeSpan.FromMinutes(10));

    public static CancellationToken Token => Source.Token;
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

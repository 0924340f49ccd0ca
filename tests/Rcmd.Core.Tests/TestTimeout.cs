namespace Rcmd.Core.Tests;

/// <summary>A token for the Redis and rcd calls of the whole test run: a hung server fails the tests instead of hanging them.</summary>
public static class TestTimeout
{
    private static readonly CancellationTokenSource Source = new(TimeSpan.FromMinutes(10));

    public static CancellationToken Token => Source.Token;
}

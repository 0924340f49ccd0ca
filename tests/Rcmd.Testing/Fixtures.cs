using Xunit;

namespace Rcmd.Testing;

/// <summary>One real redis-server for a test class or collection.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>One real redis-server and one real rclone rcd for a test class or collection.</summary>
public sealed class RedisAndRcloneFixture : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();

    public RcloneServer Rclone { get; } = new();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Redis.StartAsync(), Rclone.StartAsync()).ConfigureAwait(false);
    }

    public Task DisposeAsync()
    {
        Redis.Dispose();
        Rclone.Dispose();
        return Task.CompletedTask;
    }
}

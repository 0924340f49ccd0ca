using Rcmd.Testing;

namespace Rcmd.Api.Tests.Infrastructure;

/// <summary>One redis-server and one rclone rcd for every integration test of the Api (they run one class at a time).</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<RedisAndRcloneFixture>
{
    public const string Name = "api";
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Errors;

/// <summary>Errors that no handler writes itself still answer the one error shape.</summary>
[Collection(ApiCollection.Name)]
public sealed class ErrorResponseTests(RedisAndRcloneFixture fixture)
{
    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/nothing-here")]
    public async Task UnknownRoute_Returns404NotFound(string path)
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync(path);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task WrongMethod_Returns405ErrorShape()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.DeleteAsync("/api/jobs");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, "validation_error");
    }

    [Fact]
    public async Task RedisStopped_JobsAnswer503EndpointUnreachableWithinTenSeconds()
    {
        using var redis = new RedisServer();
        await redis.StartAsync();
        using var factory = ApiFactory.Create(redis, fixture.Rclone);
        using var http = factory.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(10);
        using (var before = await http.GetAsync("/api/jobs"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        redis.Stop();

        using var list = await http.GetAsync("/api/jobs");
        await ApiAssert.ErrorAsync(list, HttpStatusCode.ServiceUnavailable, "endpoint_unreachable", retryable: true);
        Assert.NotNull(list.Headers.RetryAfter);
        using var create = await http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));
        await ApiAssert.ErrorAsync(create, HttpStatusCode.ServiceUnavailable, "endpoint_unreachable", retryable: true);
        using var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Health_RedisUp_ReportsHealthyWithTheRedisCheck()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/health");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.StartsWith("Healthy", body.GetProperty("checks").GetProperty("redis").GetString(), StringComparison.Ordinal);
        _ = factory.Services.GetRequiredService<RedisConnection>();
    }
}

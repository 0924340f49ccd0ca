using System.Net;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(RedisAndRcloneFixture fixture)
{
    [Fact]
    public async Task OpenApiDocument_Development_DescribesEveryEndpoint()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/openapi/v1.json");

        var document = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/jobs", paths);
        Assert.Contains("/api/jobs/counts", paths);
        Assert.Contains("/api/jobs/{id}", paths);
        Assert.Contains("/api/jobs/{id}/cancel", paths);
        Assert.Contains("/api/remotes", paths);
        Assert.Contains("/api/sse/status", paths);
        var create = document.GetProperty("paths").GetProperty("/api/jobs").GetProperty("post");
        Assert.Equal("CreateJob", create.GetProperty("operationId").GetString());
        Assert.True(create.GetProperty("responses").TryGetProperty("400", out _));
    }
}

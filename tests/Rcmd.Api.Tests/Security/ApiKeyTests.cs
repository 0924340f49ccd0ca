using System.Net;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

[Collection(ApiCollection.Name)]
public sealed class ApiKeyTests(RedisAndRcloneFixture fixture)
{
    private const string Key = "key-one";

    [Theory]
    [InlineData("/api/jobs")]
    [InlineData("/api/jobs/counts")]
    [InlineData("/api/remotes")]
    [InlineData("/api/sse/status")]
    public async Task ApiKeysSet_NoKey_Returns401InvalidCredentials(string path)
    {
        using var factory = WithKeys();
        using var http = factory.CreateClient();

        using var response = await http.GetAsync(path);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
    }

    [Fact]
    public async Task ApiKeysSet_WrongKey_Returns401AndQueuesNothing()
    {
        using var factory = WithKeys();
        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", "key-three");

        using var response = await http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.DoesNotContain("key-three", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Key)]
    [InlineData("key-two")]
    public async Task ApiKeysSet_OneOfTheKeys_IsAdmitted(string key)
    {
        using var factory = WithKeys();
        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);

        using var response = await http.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));

        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task ApiKeysSet_HealthEndpoints_StayAnonymous(string path)
    {
        using var factory = WithKeys();
        using var http = factory.CreateClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiKeysUnset_NoKey_IsAdmitted()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/jobs");

        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    private ApiFactory WithKeys() => ApiFactory.Create(fixture.Redis, fixture.Rclone,
        new Dictionary<string, string?> { ["Rcmd:ApiKeys"] = $"{Key}, key-two" });
}

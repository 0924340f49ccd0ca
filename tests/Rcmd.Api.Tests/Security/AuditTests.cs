using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>The audit trail in Redis: every mutation (refused ones too), the filters of GET /api/audit, no secrets, the bound.</summary>
[Collection(ApiCollection.Name)]
public sealed class AuditTests(RedisAndRcloneFixture fixture)
{
    [Fact]
    public async Task Mutations_AreAudited_WithWhoRoleActionTargetOutcomeAndAddress()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var (operatorKey, _) = await api.CreateKeyAsync("operator", name: "ci");
        var (viewerKey, _) = await api.CreateKeyAsync("viewer", name: "dash");
        using var ci = api.WithKey(operatorKey, remote: "10.0.0.7");
        using var dash = api.WithKey(viewerKey, remote: "10.0.0.8");

        using var created = await ci.PostAsync("/api/jobs", ApiAssert.Json("""{ "type": "copy", "source": "/a", "destination": "/b" }"""));
        var jobId = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        using var canceled = await ci.PostAsync($"/api/jobs/{jobId}/cancel", null);
        using var refused = await dash.PostAsync("/api/remotes/s3/breaker/isolate", null);
        using var read = await dash.GetAsync("/api/jobs");

        var entries = await QueryAsync(api, string.Empty);
        var submit = Single(entries, "CreateJob");
        Assert.Equal("key:ci", submit.GetProperty("user").GetString());
        Assert.Equal("operator", submit.GetProperty("role").GetString());
        Assert.Equal("succeeded", submit.GetProperty("outcome").GetString());
        Assert.Equal(201, submit.GetProperty("status").GetInt32());
        Assert.Equal("10.0.0.7", submit.GetProperty("address").GetString());
        Assert.Equal(jobId, Single(entries, "CancelJob").GetProperty("target").GetString());
        var denied = Single(entries, "IsolateRemoteBreaker");
        Assert.Equal("denied", denied.GetProperty("outcome").GetString());
        Assert.Equal("key:dash", denied.GetProperty("user").GetString());
        Assert.Equal("s3", denied.GetProperty("target").GetString());
        Assert.DoesNotContain(entries, e => e.GetProperty("action").GetString() == "ListJobs"); // reads are not audited
    }

    [Fact]
    public async Task Audit_FiltersByUserActionAndSince_AndHoldsNoSecrets()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (key, _) = await api.CreateKeyAsync("admin", name: "robot");
        await api.CreateUserAsync("paula", "secret-password-9", "operator");
        using (var wrong = api.WithBasic("paula", "wrong-password-x"))
        {
            using var refused = await wrong.PostAsync("/api/jobs", ApiAssert.Json("{}"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var admin = api.Admin();
        using var raw = await admin.GetAsync("/api/audit");
        var text = await raw.Content.ReadAsStringAsync();
        var byUser = await QueryAsync(api, "?user=admin");
        var byAction = await QueryAsync(api, "?action=createapikey");
        var since = await QueryAsync(api, "?since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O")));

        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password-9", text, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-x", text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecureApi.AdminPassword, text, StringComparison.Ordinal);
        Assert.All(byUser, e => Assert.Equal("admin", e.GetProperty("user").GetString()));
        Assert.Contains(byUser, e => e.GetProperty("action").GetString() == "CreateUser" && e.GetProperty("target").GetString() == "paula");
        var keyEntry = Assert.Single(byAction);
        Assert.Contains("(robot)", keyEntry.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Empty(since);
        var anonymous = Single(await QueryAsync(api, "?user=anonymous"), "CreateJob");
        Assert.Equal("denied", anonymous.GetProperty("outcome").GetString());
        Assert.True(anonymous.GetProperty("at").GetDateTimeOffset() >= before);
    }

    [Fact]
    public async Task AuditStream_IsBoundedByCount()
    {
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?> { ["Rcmd:Auth:AuditMaxEntries"] = "100" });
        using var admin = api.Admin();

        for (var i = 0; i < 400; i++)
        {
            using var response = await admin.PostAsync("/api/errors/classify", ApiAssert.Json("""{ "message": "x" }"""));
        }

        var redis = api.Factory.Services.GetRequiredService<RedisConnection>();
        var length = await redis.Database.StreamLengthAsync(redis.Keys.Audit);
        Assert.InRange(length, 100, 250); // MAXLEN ~ trims whole macro nodes: about the bound, never the 400 appended
    }

    private static async Task<List<JsonElement>> QueryAsync(SecureApi api, string query)
    {
        using var admin = api.Admin();
        var page = await ApiAssert.JsonAsync(await admin.GetAsync("/api/audit" + query), HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    private static JsonElement Single(List<JsonElement> entries, string action) =>
        Assert.Single(entries, e => e.GetProperty("action").GetString() == action);
}

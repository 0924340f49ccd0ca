using System.Net;
using System.Text.Json;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>
/// The dashboard's sessions (<c>POST /api/auth/sessions</c>) against real Redis: a password becomes a session token that
/// acts as that user with their role, audited by name; sign-out, a deleted account or a changed role end it at once;
/// wrong passwords lock the account and count per browser address, as HTTP Basic does.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SessionTests(RedisAndRcloneFixture fixture)
{
    private const string Job = """{ "type": "copy", "source": "/a", "destination": "/b" }""";

    [Fact]
    public async Task SignIn_ViewerSession_ActsAsTheViewerAndIsRefusedAMutation()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await api.CreateUserAsync("vera", "viewer-password", "viewer");

        var (token, body) = await SignInAsync(api, "vera", "viewer-password");
        using var asVera = api.WithBearer(token);
        var me = await ApiAssert.JsonAsync(await asVera.GetAsync("/api/auth/me"), HttpStatusCode.OK);
        using var submit = await asVera.PostAsync("/api/jobs", ApiAssert.Json(Job));

        Assert.StartsWith("rcmds_", token, StringComparison.Ordinal);
        Assert.Equal("vera", body.GetProperty("user").GetString());
        Assert.Equal("viewer", body.GetProperty("role").GetString());
        Assert.Equal("vera", me.GetProperty("name").GetString());
        Assert.Equal("viewer", me.GetProperty("role").GetString());
        Assert.Equal("session:password", me.GetProperty("via").GetString());
        await ApiAssert.ErrorAsync(submit, HttpStatusCode.Forbidden, "access_denied");
        var audit = await AuditAsync(api);
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "CreateSession" && e.GetProperty("user").GetString() == "vera"
            && e.GetProperty("outcome").GetString() == "succeeded");
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "CreateJob" && e.GetProperty("user").GetString() == "vera"
            && e.GetProperty("outcome").GetString() == "denied");
        Assert.DoesNotContain("viewer-password", JsonSerializer.Serialize(audit), StringComparison.Ordinal);
        Assert.DoesNotContain(token, JsonSerializer.Serialize(audit), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_EndsTheSessionAtOnce()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await api.CreateUserAsync("otto", "operator-password", "operator");
        var (token, _) = await SignInAsync(api, "otto", "operator-password");
        using var asOtto = api.WithBearer(token);

        using var signOut = await asOtto.DeleteAsync("/api/auth/sessions/current");
        using var after = await asOtto.GetAsync("/api/jobs");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        var error = await ApiAssert.ErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Contains("session", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedOrRecreatedAccount_ItsSessionEndsAtOnce()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await api.CreateUserAsync("dora", "operator-password", "operator");
        var (token, _) = await SignInAsync(api, "dora", "operator-password");
        using var asDora = api.WithBearer(token);
        Assert.Equal(HttpStatusCode.OK, (await asDora.GetAsync("/api/jobs")).StatusCode);

        using var admin = api.Admin();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/auth/users/dora")).StatusCode);
        await api.CreateUserAsync("dora", "operator-password", "viewer"); // same name, another role: not the same account

        using var after = await asDora.GetAsync("/api/jobs");
        await ApiAssert.ErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task WrongPassword_UntilLocked_401WithRetryAfterForTheLock()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await api.CreateUserAsync("lena", "operator-password", "operator");
        using var http = api.Anonymous();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var wrong = await http.PostAsync("/api/auth/sessions", ApiAssert.Json(new { name = "lena", password = "guess-" + i }));
            statuses.Add(wrong.StatusCode);
            Assert.Null(wrong.Headers.RetryAfter);
        }

        using var fifth = await http.PostAsync("/api/auth/sessions", ApiAssert.Json(new { name = "lena", password = "guess-5" }));
        using var right = await http.PostAsync("/api/auth/sessions", ApiAssert.Json(new { name = "lena", password = "operator-password" }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        foreach (var locked in new[] { fifth, right })
        {
            var error = await ApiAssert.ErrorAsync(locked, HttpStatusCode.Unauthorized, "invalid_credentials");
            Assert.Contains("locked", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.InRange(locked.Headers.RetryAfter!.Delta!.Value.TotalMinutes, 14, 15);
        }
    }

    [Fact]
    public async Task FailedSignIns_CountPerBrowserAddress_OtherBrowsersOfTheSameDashboardUnaffected()
    {
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?> { ["Rcmd:Auth:FailuresPerWindow"] = "3" });
        await api.CreateUserAsync("ivan", "operator-password", "operator");
        using var dashboard = api.Anonymous(remote: "10.0.0.5");

        for (var i = 0; i < 3; i++)
        {
            using var wrong = await dashboard.PostAsync("/api/auth/sessions",
                ApiAssert.Json(new { name = "nobody-" + i, password = "x", clientAddress = "203.0.113.7" }));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var limited = await dashboard.PostAsync("/api/auth/sessions",
            ApiAssert.Json(new { name = "ivan", password = "operator-password", clientAddress = "203.0.113.7" }));
        using var other = await dashboard.PostAsync("/api/auth/sessions",
            ApiAssert.Json(new { name = "ivan", password = "operator-password", clientAddress = "198.51.100.9" }));

        await ApiAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited", retryable: true);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task SignIn_MissingFields_400PerField()
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var http = api.Anonymous();

        using var response = await http.PostAsync("/api/auth/sessions", ApiAssert.Json("{}"));

        await ApiAssert.ValidationAsync(response, "name");
    }

    private static async Task<(string Token, JsonElement Body)> SignInAsync(SecureApi api, string name, string password)
    {
        using var http = api.Anonymous();
        using var response = await http.PostAsync("/api/auth/sessions", ApiAssert.Json(new { name, password }));
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        return (body.GetProperty("token").GetString()!, body);
    }

    private static async Task<List<JsonElement>> AuditAsync(SecureApi api)
    {
        using var admin = api.Admin();
        var page = await ApiAssert.JsonAsync(await admin.GetAsync("/api/audit?limit=1000"), HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().ToList();
    }
}

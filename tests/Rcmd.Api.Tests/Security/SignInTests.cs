using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>Server mode against real Redis and rcd: the ways to sign in, lockout, the per-address limit, key expiry and revocation.</summary>
[Collection(ApiCollection.Name)]
public sealed class SignInTests(RedisAndRcloneFixture fixture)
{
    private const string Job = """{ "type": "copy", "source": "/a", "destination": "/b" }""";

    [Fact]
    public async Task ServerMode_NoCredentials_401WithChallengeAndNothingQueued()
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var http = api.Anonymous();

        using var response = await http.PostAsync("/api/jobs", ApiAssert.Json(Job));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic" && h.Parameter!.Contains("realm=\"rcmd\"", StringComparison.Ordinal));
        Assert.Equal(0, await QueueLengthAsync(api));
    }

    [Fact]
    public async Task BootstrapAdmin_Basic_IsAdmittedAsAdmin()
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var admin = api.Admin();

        using var me = await admin.GetAsync("/api/auth/me");

        var body = await ApiAssert.JsonAsync(me, HttpStatusCode.OK);
        Assert.Equal("admin", body.GetProperty("name").GetString());
        Assert.Equal("admin", body.GetProperty("role").GetString());
        Assert.Equal("basic", body.GetProperty("via").GetString());
        Assert.Equal("server", body.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task OperatorKey_XApiKeyAndBearer_SubmitAJob()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var (key, _) = await api.CreateKeyAsync("operator");
        using var header = api.WithKey(key);
        using var bearer = api.WithBearer(key);

        using var byHeader = await header.PostAsync("/api/jobs", ApiAssert.Json(Job));
        using var byBearer = await bearer.PostAsync("/api/jobs", ApiAssert.Json(Job));

        await ApiAssert.JsonAsync(byHeader, HttpStatusCode.Created);
        await ApiAssert.JsonAsync(byBearer, HttpStatusCode.Created);
        Assert.Equal(2, await QueueLengthAsync(api));
    }

    [Fact]
    public async Task ViewerAccount_Basic_ReadsButMayNotSubmit403WithTheReason()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await api.CreateUserAsync("vera", "viewer-password", "viewer");
        using var vera = api.WithBasic("vera", "viewer-password");

        using var list = await vera.GetAsync("/api/jobs");
        using var submit = await vera.PostAsync("/api/jobs", ApiAssert.Json(Job));

        await ApiAssert.JsonAsync(list, HttpStatusCode.OK);
        var error = await ApiAssert.ErrorAsync(submit, HttpStatusCode.Forbidden, "access_denied");
        Assert.Equal("Your role (viewer) may not do this: it needs the operator role.", error.GetProperty("message").GetString());
        Assert.Equal(0, await QueueLengthAsync(api));
    }

    [Fact]
    public async Task WrongPassword_FiveTimes_LocksTheAccountEvenForTheRightPassword()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await api.CreateUserAsync("olga", "operator-password", "operator");

        for (var i = 0; i < 5; i++)
        {
            using var wrong = api.WithBasic("olga", "guess-" + i);
            using var refused = await wrong.GetAsync("/api/jobs");
            await ApiAssert.ErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using var right = api.WithBasic("olga", "operator-password");
        using var locked = await right.GetAsync("/api/jobs");

        var error = await ApiAssert.ErrorAsync(locked, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Contains("locked", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var admin = api.Admin();
        var users = await ApiAssert.JsonAsync(await admin.GetAsync("/api/auth/users"), HttpStatusCode.OK);
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("name").GetString() == "olga" && u.TryGetProperty("lockedUntil", out _));
    }

    [Fact]
    public async Task FailedSignIns_PastTheLimitFromOneAddress_429WithRetryAfter_OtherAddressesUnaffected()
    {
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?> { ["Rcmd:Auth:FailuresPerWindow"] = "3" });

        for (var i = 0; i < 3; i++)
        {
            using var guess = api.WithBasic("nobody" + i, "guess", remote: "10.9.9.9");
            using var refused = await guess.GetAsync("/api/jobs");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var fourth = api.WithBasic("admin", SecureApi.AdminPassword, remote: "10.9.9.9");
        using var limited = await fourth.GetAsync("/api/jobs");
        using var elsewhere = api.WithBasic("admin", SecureApi.AdminPassword, remote: "10.9.9.10");
        using var admitted = await elsewhere.GetAsync("/api/jobs");

        await ApiAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited", retryable: true);
        Assert.NotNull(limited.Headers.RetryAfter);
        await ApiAssert.JsonAsync(admitted, HttpStatusCode.OK);
    }

    [Fact]
    public async Task ApiKey_Revoked_IsRefusedAtOnce()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var (key, id) = await api.CreateKeyAsync("viewer");
        using var http = api.WithKey(key);
        await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs"), HttpStatusCode.OK);

        using var admin = api.Admin();
        using var revoke = await admin.DeleteAsync($"/api/auth/keys/{id}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        await ApiAssert.ErrorAsync(await http.GetAsync("/api/jobs"), HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task ApiKey_PastItsExpiry_IsRefused()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var (key, _) = await api.CreateKeyAsync("viewer", expiresAt: DateTimeOffset.UtcNow.AddSeconds(2));
        using var http = api.WithKey(key);
        await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs"), HttpStatusCode.OK);

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        await ApiAssert.ErrorAsync(await http.GetAsync("/api/jobs"), HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task ApiKeys_List_ShowsNameRoleUseAndExpiry_NeverTheKey()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var expires = DateTimeOffset.UtcNow.AddDays(3);
        var (key, id) = await api.CreateKeyAsync("operator", expires, name: "ci");
        using (var http = api.WithKey(key))
        {
            await ApiAssert.JsonAsync(await http.GetAsync("/api/jobs"), HttpStatusCode.OK);
        }

        using var admin = api.Admin();
        using var response = await admin.GetAsync("/api/auth/keys");
        var text = await response.Content.ReadAsStringAsync();
        var list = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(key[5..20], text, StringComparison.Ordinal);
        var entry = Assert.Single(list.EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        Assert.Equal("ci", entry.GetProperty("name").GetString());
        Assert.Equal("operator", entry.GetProperty("role").GetString());
        Assert.True(entry.TryGetProperty("lastUsed", out _), "lastUsed not recorded: " + entry);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), entry.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.False(entry.TryGetProperty("key", out _));
    }

    [Theory]
    [InlineData("X-Api-Key", "rcmd_forged0000000000000000000000000000000000")]
    [InlineData("Authorization", "Bearer rcmd_forged")]
    [InlineData("Authorization", "Basic !!!not-base64")]
    [InlineData("Authorization", "Digest username=\"admin\"")]
    [InlineData("Authorization", "Basic YWRtaW4=")] // "admin", no colon
    public async Task ForgedOrMalformedCredentials_401_NothingQueued(string header, string value)
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var http = api.Anonymous();
        http.DefaultRequestHeaders.TryAddWithoutValidation(header, value);

        using var response = await http.PostAsync("/api/jobs", ApiAssert.Json(Job));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.DoesNotContain("forged", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await QueueLengthAsync(api));
    }

    [Fact]
    public async Task ConfiguredKey_InServerMode_IsAnAdminKey()
    {
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?> { ["Rcmd:ApiKeys"] = "configured-key-1" });
        using var http = api.WithKey("configured-key-1");

        await ApiAssert.JsonAsync(await http.GetAsync("/api/auth/users"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Users_CreateListDelete_LastAdminCannotBeDeleted()
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var admin = api.Admin();
        await api.CreateUserAsync("Ops.Team", "operator-password", "operator");

        var list = await ApiAssert.JsonAsync(await admin.GetAsync("/api/auth/users"), HttpStatusCode.OK);
        var lastAdmin = await admin.DeleteAsync("/api/auth/users/admin");
        var deleted = await admin.DeleteAsync("/api/auth/users/ops.team");
        var duplicate = await admin.PostAsync("/api/auth/users", ApiAssert.Json(new { name = "admin", password = "whatever-123", role = "viewer" }));
        var invalid = await admin.PostAsync("/api/auth/users", ApiAssert.Json(new { name = "x y", password = "short", role = "root" }));

        Assert.Equal(new[] { "admin", "ops.team" }, list.EnumerateArray().Select(u => u.GetProperty("name").GetString()!).ToArray());
        Assert.DoesNotContain("hash", list.ToString(), StringComparison.OrdinalIgnoreCase);
        await ApiAssert.ErrorAsync(lastAdmin, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ApiAssert.ErrorAsync(duplicate, HttpStatusCode.Conflict, "conflict");
        var error = await ApiAssert.ValidationAsync(invalid, "name");
        Assert.True(error.GetProperty("fields").TryGetProperty("password", out _));
        Assert.True(error.GetProperty("fields").TryGetProperty("role", out _));
    }

    [Fact]
    public async Task Setup_WithTheToken_SetsTheFirstAdminOnce()
    {
        const string token = "one-time-setup-token-0123456789";
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["Rcmd:Auth:BootstrapAdminPassword"] = null,
            ["Rcmd:Auth:SetupToken"] = token,
        });
        using var http = api.Anonymous();

        using var wrong = await http.PostAsync("/api/auth/setup", ApiAssert.Json(new { token = "guess-guess-guess-guess", password = "first-admin-pw" }));
        using var set = await http.PostAsync("/api/auth/setup", ApiAssert.Json(new { token, password = "first-admin-pw" }));
        using var again = await http.PostAsync("/api/auth/setup", ApiAssert.Json(new { token, password = "second-admin-pw" }));
        using var admin = api.WithBasic("admin", "first-admin-pw");
        using var me = await admin.GetAsync("/api/auth/me");

        await ApiAssert.ValidationAsync(wrong, "token");
        await ApiAssert.JsonAsync(set, HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(again, HttpStatusCode.Conflict, "conflict");
        Assert.Equal("admin", (await ApiAssert.JsonAsync(me, HttpStatusCode.OK)).GetProperty("role").GetString());
    }

    [Fact]
    public async Task LocalMode_NoCredentials_IsAdmittedAsLocalAdmin()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        var me = await ApiAssert.JsonAsync(await http.GetAsync("/api/auth/me"), HttpStatusCode.OK);
        using var breaker = await http.PostAsync("/api/remotes/none/breaker/reset", null);

        Assert.Equal("local", me.GetProperty("mode").GetString());
        Assert.Equal("admin", me.GetProperty("role").GetString());
        Assert.NotEqual(HttpStatusCode.Unauthorized, breaker.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, breaker.StatusCode);
    }

    private static async Task<long> QueueLengthAsync(SecureApi api)
    {
        var redis = api.Factory.Services.GetRequiredService<RedisConnection>();
        return await redis.Database.ListLengthAsync(redis.Keys.Queue);
    }
}

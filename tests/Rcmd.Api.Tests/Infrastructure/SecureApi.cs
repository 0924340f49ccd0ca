using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Infrastructure;

/// <summary>
/// The real Api in server mode (against the real redis-server and rcd of the fixture) with the bootstrap admin, and
/// clients signed in as anyone. TestServer has no socket, so the caller's address comes from the test-only header
/// <see cref="RemoteHeader"/> (default 127.0.0.1), set by a startup filter of this test project — the Api reads
/// <c>Connection.RemoteIpAddress</c> as it would from Kestrel.
/// </summary>
public sealed class SecureApi : IDisposable
{
    public const string AdminPassword = "bootstrap-admin-pw";
    public const string RemoteHeader = "X-Test-Remote-Address";

    private SecureApi(ApiFactory factory) => Factory = factory;

    public ApiFactory Factory { get; }

    public static async Task<SecureApi> StartAsync(RedisAndRcloneFixture fixture, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Rcmd:Auth:Mode"] = "server",
            ["Rcmd:Auth:BootstrapAdminPassword"] = AdminPassword,
            // Every path allowed unless a test narrows it: the path policy's allow-lists have tests of their own.
            ["Rcmd:Paths:LocalRoots:0"] = "/",
            ["Rcmd:Paths:Remotes:0"] = "*",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var api = new SecureApi(ApiFactory.Create(fixture.Redis, fixture.Rclone, all,
            services => services.AddSingleton<IStartupFilter, RemoteAddressFilter>()));
        using var probe = api.Anonymous();
        using var health = await probe.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        return api;
    }

    public HttpClient Anonymous(string? remote = null)
    {
        var http = Factory.CreateClient();
        if (remote is not null)
        {
            http.DefaultRequestHeaders.Add(RemoteHeader, remote);
        }

        return http;
    }

    public HttpClient WithKey(string key, string? remote = null)
    {
        var http = Anonymous(remote);
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    public HttpClient WithBearer(string key)
    {
        var http = Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public HttpClient WithBasic(string user, string password, string? remote = null)
    {
        var http = Anonymous(remote);
        http.DefaultRequestHeaders.Authorization = Basic(user, password);
        return http;
    }

    public HttpClient Admin() => WithBasic("admin", AdminPassword);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Creates an API key as the admin; returns the key (shown once) and its id.</summary>
    public async Task<(string Key, string Id)> CreateKeyAsync(string role, DateTimeOffset? expiresAt = null, string? name = null)
    {
        using var admin = Admin();
        using var response = await admin.PostAsync("/api/auth/keys",
            ApiAssert.Json(new { name = name ?? role + "-key", role, expiresAt }));
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        return (body.GetProperty("key").GetString()!, body.GetProperty("id").GetString()!);
    }

    public async Task CreateUserAsync(string name, string password, string role)
    {
        using var admin = Admin();
        using var response = await admin.PostAsync("/api/auth/users", ApiAssert.Json(new { name, password, role }));
        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    public void Dispose() => Factory.Dispose();

    /// <summary>Sets the connection's remote address from <see cref="RemoteHeader"/> (default loopback), before anything else runs.</summary>
    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(RemoteHeader, out var value)
                    ? IPAddress.Parse(value.ToString())
                    : IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

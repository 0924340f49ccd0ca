using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Rcmd.Api.Security;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>
/// The modes on the real Api process (dotnet Rcmd.Api.dll on a free loopback port, real Redis and rcd): local mode refuses
/// a non-loopback address, server mode refuses to start with no way to sign in, and starts with the bootstrap password.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ModeTests(RedisAndRcloneFixture fixture)
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://127.1.2.3:80", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://10.0.0.5:5080", false)]
    [InlineData("http://example.org:5080", false)]
    [InlineData("not a url", false)]
    public void LoopbackGuard_IsLoopbackUrl(string url, bool loopback) => Assert.Equal(loopback, LoopbackGuard.IsLoopbackUrl(url));

    [Theory]
    [InlineData(null, "urls", "http://127.0.0.1:1;http://localhost:2", false)]
    [InlineData(null, "urls", "http://127.0.0.1:1;http://0.0.0.0:2", true)]
    [InlineData("local", "http_ports", "8080", true)]
    [InlineData("local", "Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080", true)]
    [InlineData("server", "urls", "http://0.0.0.0:8080", false)]
    [InlineData("Server", "http_ports", "8080", false)]
    [InlineData("serverr", "urls", "http://127.0.0.1:1", true)]
    public void LoopbackGuard_Refusal(string? mode, string key, string value, bool refused)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rcmd:Auth:Mode"] = mode,
            [key] = value,
        }).Build();

        var refusal = LoopbackGuard.Refusal(configuration);

        Assert.Equal(refused, refusal is not null);
        Assert.DoesNotContain('\n', refusal ?? string.Empty);
    }

    [Fact]
    public void Lockout_LocksAtTheThreshold_ForTheDuration_AndASuccessClears()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var state = default(LockoutState);

        for (var i = 0; i < 4; i++)
        {
            state = Lockout.AfterFailure(state, now, threshold: 5, TimeSpan.FromMinutes(15));
            Assert.False(Lockout.IsLocked(state, now));
        }

        state = Lockout.AfterFailure(state, now, threshold: 5, TimeSpan.FromMinutes(15));

        Assert.True(Lockout.IsLocked(state, now.AddMinutes(14)));
        Assert.False(Lockout.IsLocked(state, now.AddMinutes(15)));
        Assert.Equal(0, state.Failures);
        Assert.Equal(default, Lockout.AfterSuccess());
    }

    [Fact]
    public async Task LocalMode_NonLoopbackAddress_RefusesToStartWithOneLine()
    {
        using var api = StartApi(new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{FreePort.Next()}" });

        Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(60)), "still running:\n" + api.Output);

        Assert.Equal(LoopbackGuard.RefusedExitCode, api.ExitCode);
        var line = Assert.Single(api.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Local mode refuses to listen on a non-loopback address (http://0.0.0.0:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerMode_NoWayToSignIn_RefusesToStart()
    {
        using var api = StartApi(new Dictionary<string, string?>
        {
            ["Rcmd__Auth__Mode"] = "server",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
        });

        Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(60)), "still running:\n" + api.Output);

        Assert.True(api.ExitCode == AuthBootstrap.RefusedExitCode, $"exit {api.ExitCode}:\n{api.Output}");
        Assert.Single(api.Output.Split('\n'), l => l.Contains("Server mode refused: no way to sign in", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OidcAuthority_PlainHttpOffLoopback_RefusesToStartInOneLine()
    {
        using var api = StartApi(new Dictionary<string, string?>
        {
            ["Rcmd__Auth__Mode"] = "server",
            ["Rcmd__Auth__Oidc__Authority"] = "http://idp.example.com/",
            ["Rcmd__Auth__Oidc__ClientId"] = "rcmd",
            ["Rcmd__Auth__Oidc__RoleMap__rcmd-admins"] = "admin",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
        });

        Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(60)), "still running:\n" + api.Output);

        Assert.True(api.ExitCode == AuthBootstrap.RefusedExitCode, $"exit {api.ExitCode}:\n{api.Output}");
        Assert.Single(api.Output.Split('\n'), l => l.Contains("Rcmd__Auth__Oidc__Authority must use https (idp.example.com is not loopback", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerMode_BootstrapPassword_StartsAndAsksForCredentialsOverHttp()
    {
        var port = FreePort.Next();
        const string password = "process-admin-pw";
        using var api = StartApi(new Dictionary<string, string?>
        {
            ["Rcmd__Auth__Mode"] = "server",
            ["Rcmd__Auth__BootstrapAdminPassword"] = password,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Wait.UntilAsync(async () =>
        {
            try
            {
                using var alive = await http.GetAsync("/alive");
                return alive.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return !api.HasExited ? false : throw new InvalidOperationException("the Api exited:\n" + api.Output);
            }
        }, TimeSpan.FromSeconds(60), "the Api to answer /alive");

        using var anonymous = await http.GetAsync("/api/jobs");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me") { Headers = { Authorization = SecureApi.Basic("admin", password) } };
        using var admin = await http.SendAsync(request);

        await ApiAssert.ErrorAsync(anonymous, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Equal("admin", (await ApiAssert.JsonAsync(admin, HttpStatusCode.OK)).GetProperty("role").GetString());
        Assert.DoesNotContain(password, api.Output, StringComparison.Ordinal);
    }

    private ChildProcess StartApi(IDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string?>(fixture.Rclone.ServiceEnvironment())
        {
            ["ConnectionStrings__redis"] = fixture.Redis.ConnectionString,
            ["Rcmd__RedisPrefix"] = "m" + Guid.NewGuid().ToString("N")[..12],
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Rcmd.Api.dll")], environment, AppContext.BaseDirectory);
    }
}

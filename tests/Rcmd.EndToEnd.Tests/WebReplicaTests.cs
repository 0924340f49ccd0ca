using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rcmd.Testing;
using Xunit.Abstractions;
using Cookie = Microsoft.Playwright.Cookie;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// Server mode beyond one dashboard process: a second Rcmd.Web (its built output, as the AppHost runs it) on another
/// loopback port, on the same Redis and Api — a sign-in on one is accepted by the other (one data-protection key ring, in
/// Redis) and a sign-out on one ends it on both (the Api session is gone; the other replica notices on its next check) —
/// and the live feed of a signed-in dashboard over the Api's SignalR hub, which refuses a connection without credentials.
/// (A Web restart keeping the session: <see cref="SignInTests.SignedIn_WebRestarted_TheSameCookieStillWorks"/>.)
/// </summary>
[Collection(ServerModeCollection.Name)]
public sealed partial class WebReplicaTests(ServerModeFixture fixture, ITestOutputHelper output) : BrowserTests
{
    [Fact]
    public async Task TwoWebReplicas_OneRedis_SignInOnOneIsAcceptedByTheOther_SignOutOnOneEndsItOnBoth()
    {
        await CreateUserAsync("rita", "replica-password", "viewer");
        var second = new Uri($"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}/");
        using var web2 = StartSecondWeb(second);
        await WaitAliveAsync(second, web2);

        // Sign in on the first replica; the browser sends the same cookie to the second (same host, another port).
        var page = await NewPageAsync(1280, 900);
        await page.GotoAsync(new Uri(fixture.System.WebUrl, "signin").ToString());
        await page.GetByTestId("signin-name").FillAsync("rita");
        await page.GetByTestId("signin-password").FillAsync("replica-password");
        await page.GetByTestId("signin-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("rita", new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "rcmd.auth");

        await page.GotoAsync(new Uri(second, "jobs").ToString());
        Assert.EndsWith("/jobs", page.Url, StringComparison.Ordinal); // admitted: the second replica decrypted the first's cookie
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("rita", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("user-role")).ToHaveTextAsync("viewer");

        // Sign out on the second replica: the first one stops admitting the cookie it issued.
        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync(new Regex("/signin\\?signedOut=1$"));
        var replay = await Chromium.NewContextAsync();
        await replay.AddCookiesAsync([new Cookie { Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path }]);
        var replayPage = await replay.NewPageAsync();
        var signedOut = Stopwatch.StartNew();
        await Wait.UntilAsync(async () =>
        {
            await replayPage.GotoAsync(new Uri(fixture.System.WebUrl, "jobs").ToString());
            return replayPage.Url.Contains("/signin?", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(40), "the first replica to refuse the cookie signed out on the second", () => web2.Output);
        output.WriteLine($"the first replica refused the signed-out cookie {signedOut.Elapsed.TotalSeconds:F1} s after the sign-out on the second");
        // A replica checks a session with the Api at most every 15 s (DashboardAuthConstants.ValidationCacheLifetime).
        Assert.True(signedOut.Elapsed < TimeSpan.FromSeconds(20), $"the first replica admitted the signed-out cookie for {signedOut.Elapsed}");
    }

    [Fact]
    public async Task SignedInDashboard_GetsLiveUpdatesOverTheHub_AndTheHubRefusesAConnectionWithoutCredentials()
    {
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var anonymous = await http.PostAsync("hubs/events/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var page = await NewPageAsync(1280, 900);
        await page.GotoAsync(new Uri(fixture.System.WebUrl, "signin").ToString());
        await page.GetByTestId("signin-name").FillAsync("admin");
        await page.GetByTestId("signin-password").FillAsync(ServerModeFixture.AdminPassword);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("admin", new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        // The Web's hub connection signs in with the session of a user who has a page open.
        await Assertions.Expect(page.GetByTestId("live-indicator")).ToHaveAttributeAsync("data-connected", "true",
            new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });

        var source = Path.Combine(fixture.Files, "live-auth-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "live");
        http.DefaultRequestHeaders.Authorization = AdminBasic();
        using var submitted = await http.PostAsJsonAsync("api/jobs",
            new { type = "copy", source, destination = Path.Combine(fixture.Files, "live-auth-out") });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString();

        // Well inside the status page's 30 s resync: only the live feed brings the new row this soon.
        await Assertions.Expect(page.GetByTestId($"job-row-{id}")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 10_000 });
    }

    /// <summary>A second Rcmd.Web with the first one's settings (server mode, the Api, Redis, OIDC) on <paramref name="url"/>.</summary>
    private ChildProcess StartSecondWeb(Uri url)
    {
        var dll = WebDll();
        var environment = new Dictionary<string, string?>(fixture.System.Environment)
        {
            ["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Rcmd__Auth__Mode"] = "server",
            ["services__api__http__0"] = fixture.System.ApiUrl.ToString().TrimEnd('/'),
            ["ConnectionStrings__redis"] = fixture.System.RedisConnectionString,
            ["Rcmd__DataDir"] = fixture.System.DataDirectory,
        };
        return ChildProcess.Start("dotnet", [dll], environment, Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(dll))))!);
    }

    /// <summary><c>Rcmd.Web/bin/&lt;configuration&gt;/net10.0/Rcmd.Web.dll</c>, built with the AppHost this project references.</summary>
    private static string WebDll()
    {
        var configuration = typeof(WebReplicaTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rcmd.Aspire.sln")))
            {
                var dll = Path.Combine(dir.FullName, "Rcmd.Web", "bin", configuration, "net10.0", "Rcmd.Web.dll");
                Assert.True(File.Exists(dll), dll + " is missing: build Rcmd.AppHost");
                return dll;
            }
        }

        throw new InvalidOperationException("the repository root (Rcmd.Aspire.sln) was not found above " + AppContext.BaseDirectory);
    }

    private static async Task WaitAliveAsync(Uri web, ChildProcess process)
    {
        using var http = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, "the second Web exited: " + process.Output);
            try
            {
                return (await http.GetAsync("alive")).IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the second Web to answer /alive", () => process.Output);
    }

    private async Task CreateUserAsync(string name, string password, string role)
    {
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        http.DefaultRequestHeaders.Authorization = AdminBasic();
        using var response = await http.PostAsJsonAsync("api/auth/users", new { name, password, role });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
    }

    private static AuthenticationHeaderValue AdminBasic() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + ServerModeFixture.AdminPassword)));
}

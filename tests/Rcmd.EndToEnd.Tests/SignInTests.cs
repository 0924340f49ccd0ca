using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Cookie = Microsoft.Playwright.Cookie;
using Rcmd.Testing;
using StackExchange.Redis;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// The dashboard in server mode, in Chromium: sign-in and the user menu, sign-out ends the session, lockout after wrong
/// passwords, a viewer sees no mutating buttons and the Api refuses what they forge, the security headers and no CSP
/// violation on the main pages, and a sign-in that survives a Web restart (data-protection keys in Redis).
/// </summary>
[Collection(ServerModeCollection.Name)]
public sealed partial class SignInTests(ServerModeFixture fixture) : BrowserTests
{
    private Uri Web => fixture.System.WebUrl;

    [Fact]
    public async Task SignIn_ReturnsToThePage_UserMenuShowsNameAndRole_SignOutEndsTheOldCookie()
    {
        var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();

        var signInPage = await page.GotoAsync(new Uri(Web, "jobs").ToString());
        Assert.Matches(SignInUrl(), page.Url);
        Assert.Contains("returnUrl=%2Fjobs", page.Url, StringComparison.Ordinal);
        await SubmitSignInAsync(page, "admin", ServerModeFixture.AdminPassword);

        await page.WaitForURLAsync(new Regex("/jobs$"));
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("admin");
        await Assertions.Expect(page.GetByTestId("user-role")).ToHaveTextAsync("admin");
        await Assertions.Expect(page.GetByTestId("nav-audit")).ToBeVisibleAsync();
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "rcmd.auth");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.DoesNotContain(ServerModeFixture.AdminPassword, cookie.Value, StringComparison.Ordinal);

        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync(new Regex("/signin\\?signedOut=1$"));
        await Assertions.Expect(page.GetByTestId("signin-message")).ToHaveTextAsync("You are signed out.");

        // The cookie from before sign-out, in a fresh browser: its Api session is gone, so it admits nothing.
        var replay = await Chromium.NewContextAsync();
        await replay.AddCookiesAsync([new Cookie { Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path }]);
        var replayPage = await replay.NewPageAsync();
        await replayPage.GotoAsync(new Uri(Web, "jobs").ToString());
        Assert.Matches(SignInUrl(), replayPage.Url);
        Assert.NotNull(signInPage);
    }

    [Fact]
    public async Task WrongPassword_UntilLocked_SaysLockedForMinutes()
    {
        await CreateUserAsync("lockme", "right-password-1", "operator");
        var page = await Chromium.NewPageAsync();
        await page.GotoAsync(new Uri(Web, "signin").ToString());

        for (var i = 0; i < 4; i++)
        {
            await SubmitSignInAsync(page, "lockme", "wrong-" + i);
            await Assertions.Expect(page.GetByTestId("signin-message")).ToHaveTextAsync("The user name or password is not valid.");
        }

        await SubmitSignInAsync(page, "lockme", "wrong-5");
        await Assertions.Expect(page.GetByTestId("signin-message")).ToContainTextAsync(new Regex("locked .* try again in 1[45] minutes"));
        await SubmitSignInAsync(page, "lockme", "right-password-1");
        await Assertions.Expect(page.GetByTestId("signin-message")).ToContainTextAsync("locked");
        Assert.EndsWith("/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_SeesNoMutatingButtons_AndTheApiRefusesAForgedSubmit()
    {
        await CreateUserAsync("vera", "viewer-password", "viewer");
        var page = await SignedInPageAsync("vera", "viewer-password");

        await page.GotoAsync(new Uri(Web, "jobs").ToString());
        await Assertions.Expect(page.GetByTestId("user-role")).ToHaveTextAsync("viewer");
        await Assertions.Expect(page.GetByTestId("refresh-jobs")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("needs-operator").First).ToContainTextAsync("New job: needs the operator role (you are a viewer).");
        Assert.Equal(0, await page.GetByTestId("new-job").CountAsync());
        Assert.Equal(0, await page.GetByTestId("nav-new-job").CountAsync());
        Assert.Equal(0, await page.GetByTestId("nav-audit").CountAsync());

        await page.GotoAsync(new Uri(Web, "schedules").ToString());
        await Assertions.Expect(page.GetByTestId("refresh-schedules")).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByTestId("new-schedule").CountAsync());

        await page.GotoAsync(new Uri(Web, "jobs/new").ToString());
        await Assertions.Expect(page.GetByTestId("needs-operator").First).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByTestId("submit-job").CountAsync());

        // The Files page reads remotes, which needs the operator role: the Api's refusal is shown, the page stays up.
        await page.GotoAsync(new Uri(Web, "browse").ToString());
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("needs the operator role", new LocatorAssertionsToContainTextOptions { Timeout = 15_000 });

        // A forged submit with the viewer's own session (what the dashboard holds for her) is refused by the Api.
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        using var signIn = await http.PostAsJsonAsync("api/auth/sessions", new { name = "vera", password = "viewer-password" });
        var token = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        using var forged = new HttpRequestMessage(HttpMethod.Post, "api/jobs")
        {
            Content = JsonContent.Create(new { type = "copy", source = "/tmp/a", destination = "/tmp/b" }),
        };
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("needs the operator role", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPage_SecurityHeaders_AndNoContentSecurityPolicyViolations()
    {
        var page = await SignedInPageAsync("admin", ServerModeFixture.AdminPassword);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                violations.Add(message.Text);
            }
        };

        foreach (var path in new[] { "", "jobs", "jobs/new", "schedules", "failures", "retention", "audit", "browse", "signin" })
        {
            var response = await page.GotoAsync(new Uri(Web, path).ToString());
            var headers = await response!.AllHeadersAsync();
            Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Contains("connect-src 'self' ws: wss:", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Equal("DENY", headers["x-frame-options"]);
            Assert.Equal("nosniff", headers["x-content-type-options"]);
            Assert.True(headers.ContainsKey("referrer-policy"));
            if (path != "signin")
            {
                await Assertions.Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
            }
        }

        Assert.DoesNotContain(violations, v => v.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignedIn_WebRestarted_TheSameCookieStillWorks()
    {
        var page = await SignedInPageAsync("admin", ServerModeFixture.AdminPassword);
        var cookies = await page.Context.CookiesAsync();

        var web = fixture.System.ProcessIds["web"];
        using (var kill = Process.Start("kill", ["-KILL", web.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var http = new HttpClient { BaseAddress = Web, Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(async () =>
        {
            try
            {
                return fixture.System.ProcessIds.GetValueOrDefault("web") != web && (await http.GetAsync("alive")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the Web to be restarted after its kill", () => fixture.System.Output);

        var after = await Chromium.NewContextAsync();
        await after.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        var again = await after.NewPageAsync();
        await again.GotoAsync(new Uri(Web, "jobs").ToString());
        // Admitted (not sent to /signin): the new process decrypted the cookie. Its first page renders slowly (cold start).
        Assert.EndsWith("/jobs", again.Url, StringComparison.Ordinal);
        await Assertions.Expect(again.GetByTestId("user-name")).ToHaveTextAsync("admin", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });

        // The key ring that decrypted the cookie is the one in Redis (the Web keeps none on disk).
        using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.System.RedisConnectionString);
        Assert.True(await redis.GetDatabase().ListLengthAsync("rcmd:web:dataprotection") > 0);
    }

    private async Task<IPage> SignedInPageAsync(string user, string password)
    {
        var page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        await page.GotoAsync(new Uri(Web, "signin").ToString());
        await SubmitSignInAsync(page, user, password);
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync(user, new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        return page;
    }

    private static async Task SubmitSignInAsync(IPage page, string user, string password)
    {
        await page.GetByTestId("signin-name").FillAsync(user);
        await page.GetByTestId("signin-password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private async Task CreateUserAsync(string name, string password, string role)
    {
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + ServerModeFixture.AdminPassword)));
        using var response = await http.PostAsJsonAsync("api/auth/users", new { name, password, role });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("/signin\\?")]
    private static partial Regex SignInUrl();
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rcmd.EndToEnd.Tests.Oidc;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// OpenID Connect sign-in against a real provider on loopback (<see cref="OidcProvider"/>, OpenIddict): in Chromium,
/// "Sign in with Test IdP", the provider's own login form, back on the dashboard as the role the Api mapped from the
/// <c>groups</c> claim; a user whose groups map to no role is refused with the reason; the audit trail names the user
/// and the provider; and a forged ID token gets no session from the Api.
/// </summary>
[Collection(ServerModeCollection.Name)]
public sealed partial class OidcSignInTests(ServerModeFixture fixture) : BrowserTests
{
    private Uri Web => fixture.System.WebUrl;

    [Fact]
    public async Task OidcUser_InAMappedGroup_SignsInAsOperator_SubmitsAJob_ButSeesNoAdminPages()
    {
        var source = Path.Combine(fixture.Files, "oidc-in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "from an OIDC operator");
        var page = await NewPageAsync(1280, 900);

        await page.GotoAsync(new Uri(Web, "jobs/new").ToString());
        Assert.Matches(SignInUrl(), page.Url);
        await SignInAtProviderAsync(page, "olivia");

        // Back where she started, signed in with the role the Api mapped from her groups (rcmd-operators → operator).
        await page.WaitForURLAsync(new Regex("/jobs/new$"), new PageWaitForURLOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("olivia", new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("user-role")).ToHaveTextAsync("operator");
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "rcmd.auth");
        Assert.True(cookie.HttpOnly);

        // An operator thing: a job submitted from the dashboard is the Api's to admit, with her session.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.GetByTestId("source").FillAsync(source);
        await page.GetByTestId("destination").FillAsync(Path.Combine(fixture.Files, "oidc-out"));
        await page.GetByTestId("submit-job").ClickAsync();
        await Assertions.Expect(page.GetByTestId("job-state")).ToHaveTextAsync(new Regex("(?i)succeeded"),
            new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        Assert.True(File.Exists(Path.Combine(fixture.Files, "oidc-out", "a.txt")));

        // Not an admin thing: no Audit in the menu, and the page says why.
        Assert.Equal(0, await page.GetByTestId("nav-audit").CountAsync());
        await page.GotoAsync(new Uri(Web, "audit").ToString());
        await Assertions.Expect(page.GetByTestId("needs-admin").First).ToContainTextAsync("needs the admin role (you are an operator)",
            new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });

        // The audit trail: the sign-in (who, from which provider) and the job, both as olivia the operator.
        var audit = await AuditAsync();
        Assert.Contains(audit, e => Is(e, "CreateOidcSession", "olivia", "operator", "succeeded")
            && e.GetProperty("target").GetString() == "oidc " + fixture.ProviderIssuer);
        Assert.Contains(audit, e => Is(e, "CreateJob", "olivia", "operator", "succeeded"));
        Assert.DoesNotContain(OidcProvider.ClientSecret, fixture.System.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OidcUser_WithNoMappedGroup_IsRefusedWithTheReason_AndNotSignedIn()
    {
        var page = await NewPageAsync(1280, 900);
        await page.GotoAsync(new Uri(Web, "jobs").ToString());

        await SignInAtProviderAsync(page, "ursula");

        await page.WaitForURLAsync(new Regex("/signin\\?refused=norole$"), new PageWaitForURLOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("signin-message")).ToContainTextAsync(
            "You signed in at Test IdP, but none of your 'groups' values maps to an Rcmd role, so you are not signed in here.");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "rcmd.auth");
        await page.GotoAsync(new Uri(Web, "jobs").ToString());
        Assert.Matches(SignInUrl(), page.Url);

        var audit = await AuditAsync();
        Assert.Contains(audit, e => Is(e, "CreateOidcSession", "ursula", "none", "denied"));
    }

    [Fact]
    public async Task Api_OidcExchange_RefusesAForgedIdToken_AndAnEmptyOne()
    {
        // What a browser or anyone else could send instead of the provider's token: an unsigned token claiming the
        // mapped group, with the right issuer and audience. The Api checks the signature against the provider's keys.
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = Base64Url($$"""{"iss":"{{fixture.ProviderIssuer}}","aud":"{{OidcProvider.ClientId}}","sub":"x","preferred_username":"mallory","groups":["rcmd-operators"],"iat":{{now}},"exp":{{now + 600}}}""");
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };

        using var forged = await http.PostAsJsonAsync("api/auth/sessions/oidc", new { idToken = $"{header}.{payload}." });
        using var empty = await http.PostAsJsonAsync("api/auth/sessions/oidc", new { idToken = "" });

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.DoesNotContain("rcmds_", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    /// <summary>From the dashboard's sign-in page: "Sign in with Test IdP", then the provider's login form.</summary>
    private static async Task SignInAtProviderAsync(IPage page, string user)
    {
        var button = page.GetByTestId("signin-oidc");
        await Assertions.Expect(button).ToHaveTextAsync("Sign in with Test IdP");
        // The first sign-in of a run reads the provider's metadata and warms both hosts: up to a minute on a loaded machine.
        await button.ClickAsync(new LocatorClickOptions { Timeout = 60_000 });
        try
        {
            await page.GetByTestId("idp-username").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            var content = await page.ContentAsync();
            throw new Xunit.Sdk.XunitException($"not at the provider's login form but at {page.Url}: {content[..Math.Min(content.Length, 3000)]}");
        }

        await page.GetByTestId("idp-username").FillAsync(user);
        await page.GetByTestId("idp-password").FillAsync(OidcProvider.Users[user].Password);
        await page.GetByTestId("idp-submit").ClickAsync(new LocatorClickOptions { Timeout = 60_000 });
    }

    private async Task<List<JsonElement>> AuditAsync()
    {
        using var http = new HttpClient { BaseAddress = fixture.System.ApiUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + ServerModeFixture.AdminPassword)));
        var json = await http.GetFromJsonAsync<JsonElement>("api/audit?limit=500");
        var entries = json.ValueKind == JsonValueKind.Array ? json : json.GetProperty("items");
        return [.. entries.EnumerateArray()];
    }

    private static bool Is(JsonElement entry, string action, string user, string role, string outcome) =>
        entry.GetProperty("action").GetString() == action && entry.GetProperty("user").GetString() == user
        && entry.GetProperty("role").GetString() == role && entry.GetProperty("outcome").GetString() == outcome;

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("/signin\\?")]
    private static partial Regex SignInUrl();
}

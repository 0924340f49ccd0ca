using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Rcmd.EndToEnd.Tests.Oidc;

/// <summary>
/// A real OpenID Connect provider on loopback for the sign-in tests: OpenIddict's server (authorization code flow, PKCE
/// required, ephemeral RSA keys, EF Core in-memory stores) in a small ASP.NET Core host inside the test process, with a
/// login form of its own and a few users whose <c>groups</c> claim goes into the ID token. HTTP on loopback only.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "rcmd-dashboard";
    public const string ClientSecret = "oidc-test-client-secret";
    public const string DisplayName = "Test IdP";
    public const string GroupsClaim = "groups";

    /// <summary>User → (password, groups). <c>olivia</c> is in the group the tests map to operator; <c>ursula</c> in none that maps.</summary>
    public static readonly IReadOnlyDictionary<string, (string Password, string[] Groups)> Users = new Dictionary<string, (string, string[])>
    {
        ["olivia"] = ("olivia-password", ["rcmd-operators", "staff"]),
        ["ursula"] = ("ursula-password", ["staff"]),
    };

    private readonly WebApplication _app;

    private OidcProvider(WebApplication app, Uri issuer)
    {
        _app = app;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    /// <summary>Starts the provider on <paramref name="port"/>, with the dashboard as a confidential client redirecting to <paramref name="redirectUris"/>.</summary>
    public static async Task<OidcProvider> StartAsync(int port, IEnumerable<Uri> redirectUris)
    {
        var issuer = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(issuer.ToString());
        builder.Logging.ClearProviders();
        var database = "oidc-" + Guid.NewGuid().ToString("N"); // one name for every scope: the client registered below is there
        builder.Services.AddDbContext<ProviderDbContext>(o => o.UseInMemoryDatabase(database).UseOpenIddict());
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "testidp.session"; // the dashboard on another port of the same host has its own cookies
                o.LoginPath = "/login";
            });
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderDbContext>())
            .AddServer(o =>
            {
                o.SetIssuer(issuer);
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, GroupsClaim);
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/login", LoginForm);
        app.MapPost("/login", LoginAsync);
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var client = new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientType = ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                DisplayName = DisplayName,
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                    Permissions.ResponseTypes.Code, Permissions.Scopes.Profile, Permissions.Prefixes.Scope + GroupsClaim,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            foreach (var uri in redirectUris)
            {
                client.RedirectUris.Add(uri);
            }

            await applications.CreateAsync(client);
        }

        await app.StartAsync();
        // Warm the provider (its metadata, keys and stores) before a browser's first sign-in waits on it.
        using (var http = new HttpClient { BaseAddress = issuer })
        {
            (await http.GetAsync(".well-known/openid-configuration")).EnsureSuccessStatusCode();
            (await http.GetAsync(".well-known/jwks")).EnsureSuccessStatusCode();
            using var _ = await http.GetAsync($"connect/authorize?client_id={ClientId}&response_type=code&scope=openid");
        }

        return new OidcProvider(app, issuer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IResult LoginForm(string? returnUrl) => Results.Content($"""
        <!doctype html><html><head><title>Test IdP · sign in</title></head><body>
        <h1>Test IdP</h1>
        <form method="post" action="/login">
          <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl ?? "/")}" />
          <label>User <input name="username" data-testid="idp-username" /></label>
          <label>Password <input name="password" type="password" data-testid="idp-password" /></label>
          <button type="submit" data-testid="idp-submit">Sign in</button>
        </form></body></html>
        """, "text/html; charset=utf-8");

    // Two parameters, so the handler binds as a Delegate (its IResult executed), not as a RequestDelegate.
    private static async Task<IResult> LoginAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var name = form["username"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        if (!Users.TryGetValue(name, out var user) || user.Password != form["password"].ToString())
        {
            return Results.Content("<p data-testid=\"idp-error\">Wrong user name or password.</p>", "text/html; charset=utf-8", statusCode: 401);
        }

        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme)));
        return Results.LocalRedirect(returnUrl.StartsWith('/') ? returnUrl : "/");
    }

    /// <summary>The authorization endpoint: a user who has not signed in here goes to the login form; one who has gets a code.</summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        var session = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!session.Succeeded || session.Principal.Identity?.Name is not { } name || !Users.TryGetValue(name, out var user))
        {
            var query = context.Request.HasFormContentType ? QueryString.Create(context.Request.Form) : context.Request.QueryString;
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.Path + query },
                [CookieAuthenticationDefaults.AuthenticationScheme]);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, "sub-" + name).SetClaim(Claims.Name, name).SetClaim(Claims.PreferredUsername, name);
        identity.SetClaims(GroupsClaim, [.. user.Groups]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private sealed class ProviderDbContext(DbContextOptions<ProviderDbContext> options) : DbContext(options);
}

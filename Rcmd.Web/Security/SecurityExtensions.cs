using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rcmd.Storage;
using Rcmd.Web.Services;
using StackExchange.Redis;

namespace Rcmd.Web.Security;

/// <summary>
/// The dashboard's sign-in (server mode): ASP.NET Core cookie authentication whose cookie (HttpOnly, Secure on https,
/// SameSite=Lax, encrypted by data protection) holds the user's name, role and Api session token; every page requires it
/// (redirect to <c>/signin?returnUrl=…</c>); sign-out is a POST with antiforgery. Data-protection keys live in Redis
/// (<see cref="RedisKeys.WebDataProtection"/>, over the app's one connection), so cookies survive a Web restart and work
/// across replicas. Optionally OpenID Connect too (<see cref="DashboardOidc"/>), which ends in the same cookie. Local
/// mode: no sign-in, the local user is admin. Security headers on every response, both modes.
/// </summary>
public static class SecurityExtensions
{
    public static void AddDashboardSecurity(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DashboardAuthOptions.Section).Get<DashboardAuthOptions>() ?? new DashboardAuthOptions();
        builder.Services.AddOptions<DashboardAuthOptions>().BindConfiguration(DashboardAuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DashboardAuthOptions>>().Value);
        builder.Services.AddScoped<DashboardUser>();
        builder.Services.AddSingleton<LiveHubTokens>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SessionValidator>();
        builder.Services.AddHttpClient<ApiSessionClient>((sp, http) =>
        {
            var api = sp.GetRequiredService<IOptions<RcmdApiOptions>>().Value;
            http.BaseAddress = api.BaseAddress;
            http.Timeout = api.Timeout;
        });

        if (options.Oidc.Refusal() is { } oidcRefusal)
        {
            Console.Error.WriteLine("rcmd: " + oidcRefusal);
            Environment.Exit(LoopbackGuard.RefusedExitCode);
        }

        builder.AddDataProtectionKeys(options.ServerMode);
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = DashboardAuthConstants.CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.LoginPath = DashboardAuthConstants.SignInPath;
                cookie.AccessDeniedPath = DashboardAuthConstants.SignInPath;
                cookie.ReturnUrlParameter = DashboardAuthConstants.ReturnUrlParameter;
                cookie.ExpireTimeSpan = options.CookieIdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = SessionValidator.ValidatePrincipalAsync;
            });
        if (options.ServerMode && options.Oidc.Enabled)
        {
            authentication.AddDashboardOidc(options.Oidc);
        }

        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingUserStateProvider>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, UserCircuitHandler>());
    }

    /// <summary>
    /// Data-protection keys in Redis over the app's one connection (Aspire's <c>AddRedisClient</c>), when
    /// <c>ConnectionStrings:redis</c> is set; required in server mode (else a Web restart would end every sign-in).
    /// </summary>
    private static void AddDataProtectionKeys(this WebApplicationBuilder builder, bool serverMode)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(DashboardAuthConstants.ApplicationName);
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(StorageServiceCollectionExtensions.ConnectionName)))
        {
            if (serverMode)
            {
                throw new InvalidOperationException(
                    "Server mode needs Redis for the dashboard's sign-in keys: set ConnectionStrings__redis (the AppHost does).");
            }

            return;
        }

        builder.AddRedisClient(StorageServiceCollectionExtensions.ConnectionName, settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableTracing = string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        }, RedisConnection.Configure);
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        var key = new RedisKeys(builder.Configuration["Rcmd:RedisPrefix"] ?? RedisKeys.DefaultPrefix).WebDataProtection;
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((o, redis) =>
            o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), key));
        _ = dataProtection;
    }

    /// <summary>Security headers, then authentication and authorization (before antiforgery and the endpoints).</summary>
    public static WebApplication UseDashboardSecurity(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// <c>GET /signin/oidc</c> when OpenID Connect is on (<see cref="DashboardOidc"/>), and <c>POST /signout</c>
    /// (antiforgery-checked form): ends the Api session, then the cookie; back to the sign-in page. Sign-out is Rcmd's:
    /// the provider's own session is left as it is.
    /// </summary>
    public static void MapSignInEndpoints(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DashboardAuthOptions>();
        if (options.ServerMode && options.Oidc.Enabled)
        {
            app.MapDashboardOidc();
        }

        app.MapPost(DashboardAuthConstants.SignOutPath, async ([FromForm] string? returnUrl, HttpContext context, ApiSessionClient sessions,
            SessionValidator validator) =>
        {
            if (context.User.FindFirst(DashboardUser.TokenClaimType)?.Value is { } token)
            {
                validator.Forget(token);
                await sessions.SignOutAsync(token, context.RequestAborted);
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect(DashboardAuthConstants.SignInPath + "?signedOut=1");
        }).AllowAnonymous();
    }
}

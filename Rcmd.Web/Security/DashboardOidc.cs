using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Rcmd.Security;

namespace Rcmd.Web.Security;

/// <summary>
/// The dashboard's optional OpenID Connect sign-in (server mode, <see cref="OidcOptions"/> set): ASP.NET Core's handler
/// runs the authorization code flow with PKCE (<c>GET /signin/oidc</c> starts it, the provider answers at
/// <c>/signin-oidc</c>). Once the handler has validated the provider's answer, the ID token goes to the Api
/// (<see cref="ApiSessionClient.SignInWithOidcAsync"/>), which checks it again and decides the role from the role claim;
/// the dashboard's cookie then holds exactly what a password sign-in holds — name, role and the Api session — so every
/// Api call is the user's own and the Api's role checks stay real. A user whose claims map to no role is not signed in:
/// back to the sign-in page with the reason. Tokens are not saved in the cookie and never logged.
/// </summary>
internal static class DashboardOidc
{
    public const string Scheme = "oidc";
    public const string StartPath = "/signin/oidc";

    /// <summary>Why an OIDC sign-in did not sign anyone in: <c>/signin?refused=…</c>.</summary>
    public const string RefusedParameter = "refused";

    public const string NoRole = "norole";
    public const string Invalid = "invalid";
    public const string Unavailable = "unavailable";
    public const string Failed = "failed";

    public static AuthenticationBuilder AddDashboardOidc(this AuthenticationBuilder authentication, OidcOptions oidc)
    {
        return authentication.AddOpenIdConnect(Scheme, oidc.ProviderName, o =>
        {
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = string.IsNullOrEmpty(oidc.ClientSecret) ? null : oidc.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            // Plain-http metadata only for a test issuer on loopback; OidcOptions.Refusal stopped any other http authority.
            o.RequireHttpsMetadata = !oidc.IsLoopbackAuthority;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = false; // the Api maps the role from the ID token it can verify
            o.MapInboundClaims = false;
            o.Scope.Clear();
            foreach (var scope in $"openid profile {oidc.Scopes}".Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }

            o.Events.OnTokenValidated = ExchangeForApiSessionAsync;
            o.Events.OnRemoteFailure = context =>
            {
                context.HandleResponse();
                context.Response.Redirect(RefusedUrl(Failed));
                return Task.CompletedTask;
            };
        });
    }

    /// <summary><c>GET /signin/oidc?returnUrl=…</c>: off to the provider; back to the (local) return URL once signed in.</summary>
    public static void MapDashboardOidc(this WebApplication app) =>
        app.MapGet(StartPath, (string? returnUrl) => TypedResults.Challenge(
                new AuthenticationProperties { RedirectUri = DashboardAuthConstants.SafeReturnUrl(returnUrl) }, [Scheme]))
            .AllowAnonymous();

    /// <summary>The provider's answer is valid (the handler checked it): the Api decides whether and as what the user signs in.</summary>
    private static async Task ExchangeForApiSessionAsync(TokenValidatedContext context)
    {
        var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<ApiSessionClient>();
        var result = idToken is null
            ? new SignInResult.Refused("no ID token", StatusCodes.Status401Unauthorized)
            : await sessions.SignInWithOidcAsync(idToken, context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.HttpContext.RequestAborted);
        if (result is SignInResult.SignedIn session)
        {
            context.Principal = session.ToPrincipal();
            context.Properties ??= new AuthenticationProperties();
            context.Properties.IsPersistent = false;
            context.Properties.AllowRefresh = true;
            return;
        }

        var status = ((SignInResult.Refused)result).Status;
        context.HandleResponse();
        context.Response.Redirect(RefusedUrl(status switch
        {
            StatusCodes.Status403Forbidden => NoRole,
            StatusCodes.Status400BadRequest or StatusCodes.Status401Unauthorized => Invalid,
            _ => Unavailable,
        }));
    }

    private static string RefusedUrl(string reason) => $"{DashboardAuthConstants.SignInPath}?{RefusedParameter}={reason}";

    /// <summary>The sign-in page's line for <c>?refused=…</c>; null for anything else (the page shows no text it was sent).</summary>
    public static string? RefusedMessage(string? reason, OidcOptions oidc) => reason switch
    {
        NoRole => $"You signed in at {oidc.ProviderName}, but none of your '{oidc.RoleClaim}' values maps to an Rcmd role, so you are not "
            + "signed in here. Ask an admin to map your group to a role (Rcmd__Auth__Oidc__RoleMap).",
        Invalid => $"{oidc.ProviderName}'s answer could not be verified, so you are not signed in: try again.",
        Unavailable => $"Sign-in with {oidc.ProviderName} is not possible right now (the Rcmd Api or the provider is unavailable): try again shortly.",
        Failed => $"Sign-in with {oidc.ProviderName} did not complete (cancelled, or refused by the provider): try again.",
        _ => null,
    };
}

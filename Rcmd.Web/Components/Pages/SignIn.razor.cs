using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using Rcmd.Web.Security;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The sign-in page (server mode): a plain server-rendered form with antiforgery, no circuit. The user name and password
/// go to the Api (<see cref="ApiSessionClient"/>), which checks them, throttles and locks out; the session it answers is
/// kept in the dashboard's encrypted cookie. Back to <c>returnUrl</c> when it is a local path, else the status page. The
/// password is never kept, logged or shown again. With OpenID Connect on, "Sign in with …" beside the form starts the
/// provider's sign-in (<see cref="DashboardOidc"/>), and a refused one comes back here with its reason. In local mode there is nothing to sign in to: straight to the status page.
/// </summary>
public sealed partial class SignIn
{
    private string? _message;
    private bool _messageIsError;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "signin")]
    private SignInForm? Input { get; set; }

    [SupplyParameterFromQuery(Name = "returnUrl")]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "signedOut")]
    private string? SignedOut { get; set; }

    /// <summary>Why an OpenID Connect sign-in signed nobody in (<see cref="DashboardOidc"/>): a code, never text to show.</summary>
    [SupplyParameterFromQuery(Name = DashboardOidc.RefusedParameter)]
    private string? Refused { get; set; }

    /// <summary>Where "Sign in with …" goes: the OIDC challenge, with this page's return URL (a full navigation: not Blazor's enhanced one, which cannot follow a redirect to the provider).</summary>
    private string OidcStartUrl => DashboardOidc.StartPath.TrimStart('/') + "?" + DashboardAuthConstants.ReturnUrlParameter + "="
        + Uri.EscapeDataString(DashboardAuthConstants.SafeReturnUrl(ReturnUrl));

    [Inject]
    private ApiSessionClient Sessions { get; set; } = default!;

    [Inject]
    private DashboardAuthOptions Options { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override void OnInitialized()
    {
        Input ??= new SignInForm();
        if (!Options.ServerMode)
        {
            Navigation.NavigateTo("/");
            return;
        }

        if (HttpMethods.IsGet(HttpContext.Request.Method) && SignedOut is not null)
        {
            _message = "You are signed out.";
        }
        else if (HttpMethods.IsGet(HttpContext.Request.Method) && DashboardOidc.RefusedMessage(Refused, Options.Oidc) is { } refused)
        {
            Fail(refused);
        }
    }

    private async Task SignInAsync()
    {
        var name = Input?.Name?.Trim() ?? string.Empty;
        var password = Input?.Password ?? string.Empty;
        Input = new SignInForm { Name = name };
        if (name.Length == 0 || password.Length == 0)
        {
            Fail("Enter your user name and password.");
            return;
        }

        var result = await Sessions.SignInAsync(name, password, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        if (result is not SignInResult.SignedIn session)
        {
            Fail(((SignInResult.Refused)result).Message);
            return;
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, session.ToPrincipal(),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        Navigation.NavigateTo(DashboardAuthConstants.SafeReturnUrl(ReturnUrl));
    }

    private void Fail(string message)
    {
        _message = message;
        _messageIsError = true;
    }

    internal sealed class SignInForm
    {
        public string? Name { get; set; }

        public string? Password { get; set; }
    }
}

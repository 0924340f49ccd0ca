using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using Rcmd.Security;
using Rcmd.Web.Security;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The sign-in page (server mode): a plain server-rendered form with antiforgery, no circuit. The user name and password
/// go to the Api (<see cref="ApiSessionClient"/>), which checks them, throttles and locks out; the session it answers is
/// kept in the dashboard's encrypted cookie. Back to <c>returnUrl</c> when it is a local path, else the status page. The
/// password is never kept, logged or shown again. In local mode there is nothing to sign in to: straight to the status page.
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

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, session.User),
            new Claim(Roles.ClaimType, session.Role),
            new Claim(DashboardUser.TokenClaimType, session.Token),
        ], CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, Roles.ClaimType);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
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

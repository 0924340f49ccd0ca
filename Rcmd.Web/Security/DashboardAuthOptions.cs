using System.ComponentModel.DataAnnotations;
using Rcmd.Security;

namespace Rcmd.Web.Security;

/// <summary>
/// The dashboard's sign-in, bound from <c>Rcmd:Auth</c> (the same section the Api reads: the AppHost and the manifests set
/// <c>Rcmd__Auth__Mode</c> for both).
/// </summary>
public sealed class DashboardAuthOptions
{
    public const string Section = "Rcmd:Auth";

    /// <summary><c>local</c> (no sign-in) or <c>server</c> (every page needs sign-in). Default local.</summary>
    [RegularExpression("^(?i)(local|server)$", ErrorMessage = "Rcmd:Auth:Mode is local or server.")]
    public string Mode { get; set; } = "local";

    /// <summary>The optional OpenID Connect sign-in (<c>Rcmd:Auth:Oidc</c>, shared with the Api). Default off.</summary>
    public OidcOptions Oidc { get; set; } = new();

    public bool ServerMode => string.Equals(Mode, "server", StringComparison.OrdinalIgnoreCase);

    /// <summary>The sign-in cookie ends after this long without a request (sliding). Default 8 h, as the Api's session.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan CookieIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How often an open page checks that its Api session still holds (signed out elsewhere, account deleted, role
    /// changed): then the page goes to the sign-in page. Default 1 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}

internal static class DashboardAuthConstants
{
    public const string CookieName = "rcmd.auth";
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";
    public const string ReturnUrlParameter = "returnUrl";
    public const string ApplicationName = "Rcmd.Web";

    /// <summary>A page request checks its session with the Api at most this often (one GET per user per 15 s).</summary>
    public static readonly TimeSpan ValidationCacheLifetime = TimeSpan.FromSeconds(15);

    /// <summary>The return URL after sign-in: a local path only ("/x", not "//host" or "/\host"); else the home page.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            && !url.Contains("://", StringComparison.Ordinal) && !url.Any(char.IsControl)
            ? url
            : "/";
}

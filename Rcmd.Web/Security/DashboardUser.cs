using System.Security.Claims;
using Rcmd.Security;

namespace Rcmd.Web.Security;

/// <summary>
/// Who uses this circuit (or request): name, role and the Api session token the Web sends for them. In local mode
/// everyone is the local admin (no sign-in, as before). Filled once per circuit from the sign-in cookie
/// (<see cref="UserCircuitHandler"/>) or per request from <c>HttpContext.User</c>; components ask <see cref="Can"/> to
/// hide what the role may not do and <see cref="Needs"/> for the reason. The token never reaches the UI or a log.
/// </summary>
public sealed class DashboardUser
{
    public const string TokenClaimType = "rcmd:api-session";

    public DashboardUser(DashboardAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ServerMode = options.ServerMode;
        if (!ServerMode)
        {
            Name = "local";
            Role = Rcmd.Security.Role.Admin;
        }
    }

    public bool ServerMode { get; }

    public string? Name { get; private set; }

    /// <summary>Null until signed in (server mode).</summary>
    public Role? Role { get; private set; }

    /// <summary>The Api session token (server mode, signed in); sent as <c>Authorization: Bearer</c>.</summary>
    internal string? Token { get; private set; }

    public bool IsSignedIn => Role is not null;

    public bool Can(Role needed) => Role is { } role && role >= needed;

    /// <summary>Why something is hidden or disabled: "Needs the operator role (you are a viewer)."</summary>
    public string Needs(Role needed) =>
        $"Needs the {Roles.ToWire(needed)} role" + (Role is { } role ? $" (you are {Article(role)} {Roles.ToWire(role)})." : ".");

    /// <summary>Takes name, role and token from a principal signed in with the dashboard's cookie; ignored in local mode.</summary>
    public void Use(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (!ServerMode)
        {
            return;
        }

        if (principal.Identity?.IsAuthenticated == true && Roles.TryParse(principal.FindFirstValue(Roles.ClaimType), out var role))
        {
            (Name, Role, Token) = (principal.Identity.Name, role, principal.FindFirstValue(TokenClaimType));
        }
        else
        {
            (Name, Role, Token) = (null, null, null);
        }
    }

    /// <summary>For component tests: a user with <paramref name="role"/>.</summary>
    internal void Use(string name, Role role) => (Name, Role) = (name, role);

    private static string Article(Role role) => role == Rcmd.Security.Role.Admin || role == Rcmd.Security.Role.Operator ? "an" : "a";
}

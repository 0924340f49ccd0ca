using System.Net;

namespace Rcmd.Security;

/// <summary>
/// The dashboard's optional OpenID Connect sign-in, bound from <c>Rcmd:Auth:Oidc</c> (env <c>Rcmd__Auth__Oidc__…</c>) by
/// both the Web (which runs the authorization code flow with PKCE) and the Api (which validates the ID token the Web
/// hands it and maps it to a role: see <c>POST /api/auth/sessions/oidc</c>). Off while <see cref="Authority"/> is empty.
/// The client secret is read by the Web only and is never logged.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Rcmd:Auth:Oidc";

    /// <summary>The issuer (its <c>/.well-known/openid-configuration</c> is read): https, or http on loopback only. Default none (OIDC off).</summary>
    public string? Authority { get; set; }

    /// <summary>The client id registered at the provider; the ID token's audience. Required with an authority.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (confidential client). Default none: a public client with PKCE. Web only; never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>What the sign-in page's button says: "Sign in with <see cref="DisplayName"/>". Default the authority's host.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The ID-token claim whose values <see cref="RoleMap"/> maps (e.g. <c>groups</c>, <c>roles</c>). Default <c>roles</c>.</summary>
    public string RoleClaim { get; set; } = OidcConstants.DefaultRoleClaim;

    /// <summary>
    /// Claim value → Rcmd role (<c>Rcmd__Auth__Oidc__RoleMap__rcmd-admins=admin</c>). A user gets the highest role any of
    /// their values maps to; a user none of whose values maps is refused (never admitted as a viewer by default).
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Scopes asked for besides <c>openid profile</c>, space-separated (e.g. <c>groups</c>, when the provider needs it for the role claim). Default none.</summary>
    public string? Scopes { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The button's provider name: <see cref="DisplayName"/>, else the authority's host.</summary>
    public string ProviderName =>
        !string.IsNullOrWhiteSpace(DisplayName) ? DisplayName.Trim()
        : Uri.TryCreate(Authority, UriKind.Absolute, out var uri) ? uri.Host : "OpenID Connect";

    /// <summary>True when the authority is http on a loopback host: metadata over plain HTTP is admitted for it alone (tests).</summary>
    public bool IsLoopbackAuthority =>
        Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    /// <summary>
    /// The one line that refuses this configuration at start, or null when it is usable (or off): an authority that is
    /// not an absolute https URL (http only on loopback), no client id, a role map that maps nothing to a role.
    /// </summary>
    public string? Refusal()
    {
        if (!Enabled)
        {
            return null;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Rcmd__Auth__Oidc__Authority must be an absolute https URL (the provider's issuer).";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopbackAuthority)
        {
            return $"Rcmd__Auth__Oidc__Authority must use https ({uri.Host} is not loopback; plain http is admitted only for a test issuer on loopback).";
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            return "Rcmd__Auth__Oidc__ClientId is required with Rcmd__Auth__Oidc__Authority.";
        }

        if (string.IsNullOrWhiteSpace(RoleClaim))
        {
            return "Rcmd__Auth__Oidc__RoleClaim must name the claim that carries the role (default roles).";
        }

        if (RoleMap.FirstOrDefault(m => !Roles.TryParse(m.Value, out _)) is { Key: not null } bad)
        {
            return $"Rcmd__Auth__Oidc__RoleMap__{bad.Key} must be viewer, operator or admin.";
        }

        return RoleMap.Count == 0
            ? "Rcmd__Auth__Oidc__RoleMap maps no claim value to a role, so nobody could sign in with OIDC: set e.g. Rcmd__Auth__Oidc__RoleMap__rcmd-admins=admin."
            : null;
    }

    /// <summary>The highest role any of <paramref name="claimValues"/> maps to; null when none maps (the user is refused).</summary>
    public Role? MapRole(IEnumerable<string> claimValues)
    {
        ArgumentNullException.ThrowIfNull(claimValues);
        Role? best = null;
        foreach (var value in claimValues)
        {
            if (RoleMap.TryGetValue(value, out var wire) && Roles.TryParse(wire, out var role) && (best is null || role > best))
            {
                best = role;
            }
        }

        return best;
    }
}

public static class OidcConstants
{
    public const string DefaultRoleClaim = "roles";

    /// <summary>How an OIDC session says it signed in (<c>rcmd:via</c> = <c>session:oidc</c>; the audit's method).</summary>
    public const string Via = "oidc";
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace Rcmd.Web.Security;

/// <summary>
/// Checks a signed-in user's Api session: on page requests (the cookie's <c>OnValidatePrincipal</c>, at most once per
/// <see cref="DashboardAuthConstants.ValidationCacheLifetime"/> per session) and in open pages
/// (<see cref="RevalidatingUserStateProvider"/>). A session the Api refuses ends the cookie: the old cookie no longer
/// works after sign-out, account deletion or a role change. When the Api cannot be reached, the session is kept (the
/// pages say the Api is down; nothing is admitted that the Api would refuse, since every call carries the token).
/// </summary>
public sealed class SessionValidator(ApiSessionClient sessions, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _validUntil = new(StringComparer.Ordinal);

    public async Task<bool> IsValidAsync(string token, CancellationToken cancellationToken)
    {
        var key = Key(token);
        var now = time.GetUtcNow();
        if (_validUntil.TryGetValue(key, out var until) && until > now)
        {
            return true;
        }

        var valid = await sessions.IsValidAsync(token, cancellationToken) != false;
        if (valid)
        {
            if (_validUntil.Count > 10_000)
            {
                _validUntil.Clear();
            }

            _validUntil[key] = now + DashboardAuthConstants.ValidationCacheLifetime;
        }
        else
        {
            _validUntil.TryRemove(key, out _);
        }

        return valid;
    }

    /// <summary>Forgets a session at sign-out, so the next request with its cookie asks the Api (which refuses it).</summary>
    public void Forget(string token) => _validUntil.TryRemove(Key(token), out _);

    /// <summary>The cookie's check on each request.</summary>
    internal static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var token = context.Principal?.FindFirst(DashboardUser.TokenClaimType)?.Value;
        var validator = context.HttpContext.RequestServices.GetRequiredService<SessionValidator>();
        if (token is null || !await validator.IsValidAsync(token, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>An open page's sign-in, checked with the Api every <see cref="DashboardAuthOptions.RevalidationInterval"/>.</summary>
internal sealed class RevalidatingUserStateProvider(ILoggerFactory loggerFactory, SessionValidator validator, IOptions<DashboardAuthOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        authenticationState.User.FindFirst(DashboardUser.TokenClaimType)?.Value is not { } token
        || await validator.IsValidAsync(token, cancellationToken);
}

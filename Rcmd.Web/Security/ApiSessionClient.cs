using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Rcmd.Security;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rcmd.Web.Security;

/// <summary>What signing in with the Api gave: a session, or why not (the message is the sign-in page's, never a secret).</summary>
public abstract record SignInResult
{
    public sealed record SignedIn(string Token, string User, string Role, DateTimeOffset ExpiresAt) : SignInResult
    {
        /// <summary>The dashboard's cookie principal: name, role and the Api session token (the cookie is encrypted).</summary>
        public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, User),
            new Claim(Roles.ClaimType, Role),
            new Claim(DashboardUser.TokenClaimType, Token),
        ], CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, Roles.ClaimType));
    }

    /// <summary>Refused; <paramref name="Status"/> is the Api's answer (0 when it could not be reached).</summary>
    public sealed record Refused(string Message, int Status = 0) : SignInResult;
}

/// <summary>
/// The Web's calls to the Api's sessions (<c>/api/auth/sessions</c>, <c>/api/auth/me</c>): the Api owns accounts,
/// passwords, lockout and roles; the Web only holds the session token it was given, inside its encrypted cookie.
/// </summary>
public sealed partial class ApiSessionClient(HttpClient http, ILogger<ApiSessionClient> logger)
{
    public async Task<SignInResult> SignInAsync(string name, string password, string? clientAddress, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("api/auth/sessions", new SessionRequest(name, password, clientAddress),
                SessionJsonContext.Default.SessionRequest, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Created
                && await response.Content.ReadFromJsonAsync(SessionJsonContext.Default.SessionAnswer, cancellationToken) is { Token.Length: > 0 } ok)
            {
                return new SignInResult.SignedIn(ok.Token, ok.User, ok.Role, ok.ExpiresAt);
            }

            var wait = response.Headers.RetryAfter?.Delta;
            return new SignInResult.Refused(response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => $"Too many failed sign-ins from your address: try again in {Duration(wait)}.",
                HttpStatusCode.Unauthorized when wait is { } locked =>
                    $"This account is locked after repeated failed sign-ins: try again in {Duration(locked)}, or ask an admin to help.",
                HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest => "The user name or password is not valid.",
                _ => $"Sign-in is not possible right now (the Api answered {(int)response.StatusCode}): try again shortly.",
            });
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, ex.GetType().Name);
            return new SignInResult.Refused("The Rcmd Api is unavailable, so nobody can sign in right now: try again shortly.");
        }
    }

    /// <summary>
    /// Exchanges the ID token the OpenID Connect provider gave this sign-in for an Api session
    /// (<c>POST /api/auth/sessions/oidc</c>): the Api checks the token itself and decides the role. Refused carries the
    /// Api's status: 403 when the user's claims map to no role, 401 for a token it does not accept.
    /// </summary>
    public async Task<SignInResult> SignInWithOidcAsync(string idToken, string? clientAddress, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("api/auth/sessions/oidc", new OidcSessionRequest(idToken, clientAddress),
                SessionJsonContext.Default.OidcSessionRequest, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Created
                && await response.Content.ReadFromJsonAsync(SessionJsonContext.Default.SessionAnswer, cancellationToken) is { Token.Length: > 0 } ok)
            {
                return new SignInResult.SignedIn(ok.Token, ok.User, ok.Role, ok.ExpiresAt);
            }

            return new SignInResult.Refused($"The Api answered {(int)response.StatusCode}.", (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, ex.GetType().Name);
            return new SignInResult.Refused("The Rcmd Api is unavailable, so nobody can sign in right now: try again shortly.");
        }
    }

    /// <summary>True while the session holds (the Api answers <c>/api/auth/me</c>); false once it refuses it; null when it cannot tell.</summary>
    public async Task<bool?> IsValidAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? true : response.StatusCode == HttpStatusCode.Unauthorized ? false : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Ends the session at the Api (sign-out). A failure is logged: the cookie goes anyway, and the session expires.</summary>
    public async Task SignOutAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "api/auth/sessions/current");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, ex.GetType().Name);
        }
    }

    private static string Duration(TimeSpan? wait) => wait switch
    {
        null => "a minute",
        { TotalSeconds: < 90 } w => $"{Math.Max(1, (int)Math.Ceiling(w.TotalSeconds))} seconds",
        { } w => $"{(int)Math.Ceiling(w.TotalMinutes)} minutes",
    };

    [LoggerMessage(1, LogLevel.Warning, "The Api's sign-in could not be reached ({ExceptionType})")]
    private static partial void LogUnreachable(ILogger logger, string exceptionType);
}

internal sealed record SessionRequest(string Name, string Password, string? ClientAddress);

internal sealed record OidcSessionRequest(string IdToken, string? ClientAddress);

internal sealed record SessionAnswer(string Token, string User, string Role, DateTimeOffset ExpiresAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionAnswer))]
[JsonSerializable(typeof(OidcSessionRequest))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;

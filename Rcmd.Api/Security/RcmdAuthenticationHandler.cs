using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Rcmd.Api.Errors;
using Rcmd.Failures;

namespace Rcmd.Api.Security;

/// <summary>The keys given in configuration (<c>Rcmd:ApiKeys</c>, comma-separated): each is an admin key. Hashed once at start.</summary>
public sealed class ConfiguredApiKeys
{
    private readonly byte[][] _hashes;

    public ConfiguredApiKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _hashes = (configuration[SecurityConstants.ConfiguredKeys] ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))
            .ToArray();
    }

    public int Count => _hashes.Length;

    /// <summary>Compares hashes in constant time, against every key, so neither length nor content leaks through timing.</summary>
    public bool Matches(string presented)
    {
        var candidate = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var hash in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, hash);
        }

        return match;
    }
}

/// <summary>Why sign-in failed, kept for the challenge's answer.</summary>
internal sealed record SignInFailure(string Message, TimeSpan? RetryAfter = null)
{
    public const string ItemKey = "rcmd.signin.failure";
}

/// <summary>
/// Rcmd's one authentication scheme: an API key (<c>X-Api-Key</c>, <c>Authorization: Bearer</c>, or <c>access_token</c>
/// on the hub and event stream) — a stored key (<see cref="ApiKeyStore"/>) or one from configuration — a dashboard
/// session token the same ways (<see cref="SessionStore"/>), or HTTP Basic with a local account (<see cref="AccountStore"/>). Failed Basic sign-ins count per address
/// (<see cref="SignInThrottle"/>) and per account (lockout). A request presenting nothing stays anonymous; the role
/// policies decide. The challenge answers 401 with <c>WWW-Authenticate</c> (Basic, Bearer, ApiKey) in the Api's error
/// shape. Keys and passwords are never logged or echoed.
/// </summary>
internal sealed class RcmdAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder,
    ConfiguredApiKeys configuredKeys, ApiKeyStore keys, SessionStore sessions, PasswordSignIn passwords, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    private static readonly ConcurrentDictionary<string, DateTimeOffset> LastTouched = new(StringComparer.Ordinal);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var cancellationToken = Context.RequestAborted;
        switch (Credentials.Read(Request))
        {
            case null:
                return AuthenticateResult.NoResult();
            case Credentials.Key key when SessionStore.IsSessionToken(key.Value):
                return await AuthenticateSessionAsync(key.Value, cancellationToken);
            case Credentials.Key key:
                return await AuthenticateKeyAsync(key.Value, cancellationToken);
            case Credentials.Basic basic:
                return await AuthenticateBasicAsync(basic, cancellationToken);
            default:
                return Fail("The credentials could not be read: send X-Api-Key, Authorization: Bearer <key>, or Authorization: Basic.");
        }
    }

    private async Task<AuthenticateResult> AuthenticateKeyAsync(string presented, CancellationToken cancellationToken)
    {
        if (configuredKeys.Count > 0 && configuredKeys.Matches(presented))
        {
            return Success("config-key", Role.Admin, "key");
        }

        if (await keys.FindAsync(presented, cancellationToken) is not { } found)
        {
            return Fail("The API key is not valid (unknown, revoked or expired).");
        }

        var now = time.GetUtcNow();
        if (!LastTouched.TryGetValue(found.Info.Id, out var touched) || now - touched >= AuthConstants.LastUsedResolution)
        {
            LastTouched[found.Info.Id] = now;
            keys.Touch(found.Info.Id);
        }

        return Success("key:" + found.Info.Name, found.Role, "key", found.Info.Id);
    }

    private async Task<AuthenticateResult> AuthenticateBasicAsync(Credentials.Basic basic, CancellationToken cancellationToken)
    {
        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return await passwords.SignInAsync(basic.User, basic.Password, address, cancellationToken) switch
        {
            SignInOutcome.Admitted admitted => Success(admitted.Account.Name, admitted.Account.Role, "basic"),
            SignInOutcome.Throttled throttled =>
                Fail("Too many failed sign-ins from this address: wait for the time in the Retry-After header.", throttled.RetryAfter),
            SignInOutcome.Locked => Fail("This account is locked after repeated failed sign-ins: try again later, or ask an admin."),
            _ => Fail("The user name or password is not valid."),
        };
    }

    private async Task<AuthenticateResult> AuthenticateSessionAsync(string token, CancellationToken cancellationToken) =>
        await sessions.FindAsync(token, cancellationToken) is { } session
            ? Success(session.User, session.Role, "session:" + session.Via, sessionId: session.Id)
            : Fail("The session is not valid (signed out, expired, or the account changed): sign in again.");

    private AuthenticateResult Success(string name, Role role, string via, string? keyId = null, string? sessionId = null)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.Name, name),
            new(Roles.ClaimType, Roles.ToWire(role)),
            new(Roles.MethodClaimType, via),
        ];
        if (keyId is not null)
        {
            claims.Add(new Claim("rcmd:key", keyId));
        }

        if (sessionId is not null)
        {
            claims.Add(new Claim(SessionStore.ClaimType, sessionId));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, Roles.ClaimType));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    private AuthenticateResult Fail(string message, TimeSpan? retryAfter = null)
    {
        Context.Items[SignInFailure.ItemKey] = new SignInFailure(message, retryAfter);
        return AuthenticateResult.Fail(message);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items[SignInFailure.ItemKey] as SignInFailure;
        Response.Headers.WWWAuthenticate = new Microsoft.Extensions.Primitives.StringValues(
        [
            $"Basic realm=\"{SecurityConstants.Realm}\", charset=\"UTF-8\"",
            $"Bearer realm=\"{SecurityConstants.Realm}\"",
            $"ApiKey header=\"{SecurityConstants.ApiKeyHeader}\"",
        ]);
        if (failure?.RetryAfter is { } wait)
        {
            return ApiErrors.WriteAsync(Context, StatusCodes.Status429TooManyRequests, ApiErrors.RateLimited(failure.Message), wait, Context.RequestAborted);
        }

        var message = failure?.Message
            ?? "Sign in: send an API key (X-Api-Key or Authorization: Bearer <key>) or a user name and password (HTTP Basic).";
        return ApiErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            ErrorResponse.Create(ErrorCodes.InvalidCredentials, message), null, Context.RequestAborted);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrors.WriteAsync(Context, StatusCodes.Status403Forbidden,
            ErrorResponse.Create(ErrorCodes.AccessDenied, RoleAuthorization.ForbiddenReason(Context)), null, Context.RequestAborted);

    internal static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}

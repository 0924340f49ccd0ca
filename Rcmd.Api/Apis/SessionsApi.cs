using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Audit;
using Rcmd.Api.Errors;
using Rcmd.Api.Security;
using Rcmd.Failures;

namespace Rcmd.Api.Apis;

/// <summary>
/// What <c>POST /api/auth/sessions</c> takes: a local account's name and password, and — from the dashboard — the
/// address of the browser that signed in (the per-address limit and the audit count it beside the caller's own address).
/// </summary>
public sealed record CreateSessionRequest(string? Name, string? Password, string? ClientAddress);

/// <summary>
/// What <c>POST /api/auth/sessions/oidc</c> takes: the ID token the provider issued to the dashboard (never logged or
/// audited), and the address of the browser that signed in.
/// </summary>
public sealed record CreateOidcSessionRequest(string? IdToken, string? ClientAddress);

/// <summary>
/// <c>/api/auth/sessions</c>: the dashboard's sign-in. A user name and password become a short-lived opaque session token
/// (<see cref="SessionStore"/>) the dashboard then sends as <c>Authorization: Bearer</c> for that user, so the Api
/// enforces the user's own role and audits the user by name. Throttled and locked out exactly like HTTP Basic
/// (<see cref="PasswordSignIn"/>); answers 429 with <c>Retry-After</c> when the address is over its limit, and 401
/// with <c>Retry-After</c> (the rest of the lock) when the account is locked. The password is never logged or audited.
/// </summary>
public static class SessionsApi
{
    private const int MaxPasswordLength = 256;
    private const int MaxIdTokenLength = 16 * 1024;

    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/sessions").WithTags("Auth");
        api.MapPost(string.Empty, CreateAsync).WithName("CreateSession")
            .WithSummary("Sign in with a user name and password: answers a session token for Authorization: Bearer")
            .AllowAnonymous();
        api.MapPost("/oidc", CreateFromOidcAsync).WithName("CreateOidcSession")
            .WithSummary("Sign in with an ID token from the configured OpenID Connect provider: answers a session token with the mapped role")
            .AllowAnonymous();
        api.MapDelete("/current", DeleteCurrentAsync).WithName("DeleteSession")
            .WithSummary("Sign out: ends the session whose token this request carries")
            .RequireAuthorization(Roles.ViewerPolicy);
        return api;
    }

    public static async Task<IResult> CreateAsync(CreateSessionRequest? request, PasswordSignIn passwords, SessionStore sessions,
        TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var name = AccountStore.Normalize(request?.Name ?? string.Empty);
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (name.Length == 0)
        {
            fields["name"] = ["Enter a user name."];
        }

        if (string.IsNullOrEmpty(request?.Password) || request.Password.Length > MaxPasswordLength)
        {
            fields["password"] = [$"Enter a password (at most {MaxPasswordLength} characters)."];
        }

        if (fields.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(fields));
        }

        var address = Address(context, request!.ClientAddress);
        AuditMiddleware.SetTarget(context, name.Length > 64 ? name[..64] : name);
        AuditMiddleware.SetAddress(context, address);
        switch (await passwords.SignInAsync(name, request.Password!, address, cancellationToken))
        {
            case SignInOutcome.Admitted admitted:
                AuditMiddleware.SetCaller(context, admitted.Account.Name, Roles.ToWire(admitted.Account.Role));
                return TypedResults.Created("/api/auth/sessions/current", await sessions.CreateAsync(admitted.Account, cancellationToken));
            case SignInOutcome.Throttled throttled:
                await ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                    ApiErrors.RateLimited("Too many failed sign-ins from this address: wait before trying again."), throttled.RetryAfter, cancellationToken);
                return TypedResults.Empty;
            case SignInOutcome.Locked locked:
                if (locked.Until is { } until)
                {
                    context.Response.Headers.RetryAfter =
                        Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return TypedResults.Json(ErrorResponse.Create(ErrorCodes.InvalidCredentials,
                    "This account is locked after repeated failed sign-ins: try again later, or ask an admin."), statusCode: StatusCodes.Status401Unauthorized);
            default:
                return TypedResults.Json(ErrorResponse.Create(ErrorCodes.InvalidCredentials, "The user name or password is not valid."),
                    statusCode: StatusCodes.Status401Unauthorized);
        }
    }

    /// <summary>
    /// The dashboard's OpenID Connect sign-in: the ID token is checked here (<see cref="OidcSignIn"/>: signature, issuer,
    /// audience, lifetime) and its role claim mapped to a role, so the Web cannot choose a role and a browser cannot forge
    /// one. 201 with a session; 401 for a token that does not validate; 403 <c>access_denied</c> when no value of the role
    /// claim maps to a role; 503 when the provider's keys cannot be read; 404 while OIDC is not configured. The audit
    /// records who, with the provider as the target.
    /// </summary>
    public static async Task<IResult> CreateFromOidcAsync(CreateOidcSessionRequest? request, OidcSignIn oidc, SessionStore sessions,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (!oidc.Enabled)
        {
            return TypedResults.NotFound(ErrorResponse.Create(ErrorCodes.NotFound, "OpenID Connect sign-in is not configured (Rcmd__Auth__Oidc__Authority)."));
        }

        if (string.IsNullOrWhiteSpace(request?.IdToken) || request.IdToken.Length > MaxIdTokenLength)
        {
            return TypedResults.BadRequest(ApiErrors.Validation("idToken", $"Send the ID token the provider issued (at most {MaxIdTokenLength} characters)."));
        }

        AuditMiddleware.SetTarget(context, "oidc " + oidc.Provider);
        AuditMiddleware.SetAddress(context, Address(context, request.ClientAddress));
        var outcome = await oidc.SignInAsync(request.IdToken, cancellationToken);
        switch (outcome)
        {
            case OidcOutcome.Admitted admitted:
                AuditMiddleware.SetCaller(context, admitted.User, Roles.ToWire(admitted.Role));
                return TypedResults.Created("/api/auth/sessions/current", await sessions.CreateOidcAsync(admitted.User, admitted.Role, cancellationToken));
            case OidcOutcome.NoRole refused:
                AuditMiddleware.SetCaller(context, refused.User, "none");
                return TypedResults.Json(ErrorResponse.Create(ErrorCodes.AccessDenied,
                    $"Signed in at the provider as {refused.User}, but no value of your '{oidc.RoleClaim}' claim maps to an Rcmd role: ask an admin to map it (Rcmd__Auth__Oidc__RoleMap)."),
                    statusCode: StatusCodes.Status403Forbidden);
            case OidcOutcome.ProviderUnavailable:
                return TypedResults.Json(ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
                    "The OpenID Connect provider's keys could not be read: try again shortly."), statusCode: StatusCodes.Status503ServiceUnavailable);
            default:
                return TypedResults.Json(ErrorResponse.Create(ErrorCodes.InvalidCredentials,
                    (outcome as OidcOutcome.Invalid)?.Message ?? "The ID token is not valid."), statusCode: StatusCodes.Status401Unauthorized);
        }
    }

    public static async Task<Results<NoContent, BadRequest<ErrorResponse>>> DeleteCurrentAsync(SessionStore sessions, HttpContext context,
        CancellationToken cancellationToken) =>
        Credentials.Read(context.Request) is Credentials.Key key && SessionStore.IsSessionToken(key.Value)
            && await sessions.DeleteAsync(key.Value, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.BadRequest(ApiErrors.Validation("authorization", "This request carries no session token: nothing to sign out of."));

    /// <summary>
    /// The address the limit counts: the caller's, and the browser's when the dashboard names one (so one browser guessing
    /// does not lock everyone out of the dashboard; lockout per account still bounds guessing from any address).
    /// </summary>
    private static string Address(HttpContext context, string? clientAddress)
    {
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return IPAddress.TryParse(clientAddress, out var client) ? $"{remote}>{client}" : remote;
    }
}

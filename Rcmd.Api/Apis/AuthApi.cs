using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rcmd.Api.Audit;
using Rcmd.Api.Errors;
using Rcmd.Api.Security;
using Rcmd.Failures;
using Rcmd.Storage;

namespace Rcmd.Api.Apis;

/// <summary>What <c>POST /api/auth/users</c> takes.</summary>
public sealed record CreateUserRequest(string? Name, string? Password, string? Role);

/// <summary>What <c>POST /api/auth/keys</c> takes.</summary>
public sealed record CreateKeyRequest(string? Name, string? Role, DateTimeOffset? ExpiresAt);

/// <summary>What <c>POST /api/auth/setup</c> takes: the one-time token and the first admin's password.</summary>
public sealed record SetupRequest(string? Token, string? Password);

/// <summary>Who the caller is: <c>GET /api/auth/me</c>.</summary>
public sealed record WhoAmI(string Name, string Role, string Via, string Mode);

/// <summary>
/// <c>/api/auth</c>: local accounts and API keys (admins), who am I (any role), and the one-time setup of the first admin
/// (anonymous, with the setup token, only while no admin exists). A key is shown once, when created; passwords never leave.
/// </summary>
public static class AuthApi
{
    private const int MaxNameLength = 64;

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");

        api.MapGet("/me", Me).WithName("WhoAmI").WithSummary("The caller's name, role and how they signed in")
            .RequireAuthorization(Roles.ViewerPolicy);
        api.MapPost("/setup", Setup).WithName("SetupFirstAdmin")
            .WithSummary("Set the first admin's password with the one-time setup token (only while no admin exists)")
            .AllowAnonymous();

        var users = api.MapGroup("/users").RequireAuthorization(Roles.AdminPolicy);
        users.MapGet(string.Empty, ListUsers).WithName("ListUsers").WithSummary("Local accounts: name, role, created, locked until");
        users.MapPost(string.Empty, CreateUser).WithName("CreateUser").WithSummary("Create a local account with one role");
        users.MapDelete("/{name}", DeleteUser).WithName("DeleteUser").WithSummary("Delete a local account (not the last admin)");

        var keys = api.MapGroup("/keys").RequireAuthorization(Roles.AdminPolicy);
        keys.MapGet(string.Empty, ListKeys).WithName("ListApiKeys").WithSummary("API keys: name, role, created, last used, expires — never the key");
        keys.MapPost(string.Empty, CreateKey).WithName("CreateApiKey").WithSummary("Create an API key; the answer shows the key this once");
        keys.MapDelete("/{id}", DeleteKey).WithName("RevokeApiKey").WithSummary("Revoke an API key at once");
        return api;
    }

    public static Ok<WhoAmI> Me(ClaimsPrincipal user, IOptions<AuthOptions> options)
    {
        var mode = options.Value.Mode == AuthMode.Server ? "server" : "local";
        return user.Identity?.IsAuthenticated == true
            ? TypedResults.Ok(new WhoAmI(user.Identity.Name ?? "?", user.FindFirstValue(Roles.ClaimType) ?? "none",
                user.FindFirstValue(Roles.MethodClaimType) ?? "?", mode))
            : TypedResults.Ok(new WhoAmI("local", Roles.Admin, "local", mode));
    }

    public static async Task<Ok<List<AccountInfo>>> ListUsers(AccountStore accounts, CancellationToken cancellationToken)
    {
        var all = await accounts.ListAsync(cancellationToken);
        return TypedResults.Ok(all.Select(a => new AccountInfo(a.Name, Roles.ToWire(a.Role), a.Created, a.Lockout.LockedUntil)).ToList());
    }

    public static async Task<Results<Created<AccountInfo>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>>> CreateUser(
        CreateUserRequest? request, AccountStore accounts, HttpContext context, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = AccountStore.Normalize(request?.Name ?? string.Empty);
        if (!AccountStore.IsValidName(name))
        {
            fields["name"] = ["1–64 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit."];
        }

        if ((request?.Password?.Length ?? 0) < AuthConstants.MinPasswordLength || request!.Password!.Length > 256)
        {
            fields["password"] = [$"{AuthConstants.MinPasswordLength}–256 characters."];
        }

        if (!Roles.TryParse(request?.Role, out var role))
        {
            fields["role"] = ["One of viewer, operator, admin."];
        }

        if (fields.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(fields));
        }

        AuditMiddleware.SetTarget(context, name);
        if (!await accounts.CreateAsync(name, request!.Password!, role, cancellationToken))
        {
            return TypedResults.Conflict(ApiErrors.Conflict($"An account named '{name}' exists already."));
        }

        var created = await accounts.GetAsync(name, cancellationToken);
        return TypedResults.Created($"/api/auth/users/{name}",
            new AccountInfo(name, Roles.ToWire(role), created?.Created ?? DateTimeOffset.UtcNow, null));
    }

    public static async Task<Results<NoContent, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> DeleteUser(
        string name, AccountStore accounts, CancellationToken cancellationToken)
    {
        var all = await accounts.ListAsync(cancellationToken);
        var account = all.FirstOrDefault(a => a.Name == AccountStore.Normalize(name));
        if (account is null)
        {
            return TypedResults.NotFound(ErrorResponse.Create(ErrorCodes.NotFound, "No such account."));
        }

        if (account.Role == Role.Admin && all.Count(a => a.Role == Role.Admin) == 1)
        {
            return TypedResults.Conflict(ApiErrors.Conflict("This is the last admin: create another admin first."));
        }

        await accounts.DeleteAsync(account.Name, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> ListKeys(ApiKeyStore keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(cancellationToken));

    public static async Task<Results<Created<CreatedApiKey>, BadRequest<ErrorResponse>>> CreateKey(
        CreateKeyRequest? request, ApiKeyStore keys, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request?.Name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            fields["name"] = [$"1–{MaxNameLength} printable characters."];
        }

        if (!Roles.TryParse(request?.Role, out var role))
        {
            fields["role"] = ["One of viewer, operator, admin."];
        }

        if (request?.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            fields["expiresAt"] = ["Must be in the future."];
        }

        if (fields.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(fields));
        }

        var created = await keys.CreateAsync(name, role, request!.ExpiresAt, cancellationToken);
        AuditMiddleware.SetTarget(context, $"{created.Id} ({created.Name})");
        return TypedResults.Created($"/api/auth/keys/{created.Id}", created);
    }

    public static async Task<Results<NoContent, NotFound<ErrorResponse>>> DeleteKey(string id, ApiKeyStore keys, CancellationToken cancellationToken) =>
        await keys.DeleteAsync(id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(ErrorResponse.Create(ErrorCodes.NotFound, "No such API key."));

    /// <summary>
    /// Sets the first admin (<c>admin</c>) with the one-time token the AppHost printed. Refused (409) once any admin exists
    /// or the token was used, and (400 on <c>token</c>) for a wrong token — compared in constant time, failures counting
    /// toward the address's sign-in limit — or when no token is configured. This endpoint is not behind sign-in (its
    /// caller has no account yet), so it answers a wrong token as a field error, not a 401 challenge.
    /// </summary>
    public static async Task<Results<Created<AccountInfo>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>>> Setup(
        SetupRequest? request, IOptions<AuthOptions> options, AccountStore accounts, SignInThrottle throttle, RedisConnection redis,
        HttpContext context, CancellationToken cancellationToken)
    {
        var expected = options.Value.SetupToken;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (string.IsNullOrEmpty(expected) || await throttle.BlockedForAsync(address, cancellationToken) is not null
            || !CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(request?.Token ?? string.Empty)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            await throttle.RecordFailureAsync(address, cancellationToken);
            return TypedResults.BadRequest(ApiErrors.Validation("token", "The setup token is not valid (or setup is not offered)."));
        }

        if ((request?.Password?.Length ?? 0) < AuthConstants.MinPasswordLength || request!.Password!.Length > 256)
        {
            return TypedResults.BadRequest(ApiErrors.Validation("password", $"{AuthConstants.MinPasswordLength}–256 characters."));
        }

        AuditMiddleware.SetTarget(context, AuthConstants.BootstrapAdminName);
        if (await accounts.AnyAdminAsync(cancellationToken)
            || !await redis.Database.StringSetAsync(redis.Keys.SetupUsed, "1", when: StackExchange.Redis.When.NotExists))
        {
            return TypedResults.Conflict(ApiErrors.Conflict("Setup is done already: an admin exists, or the setup token was used."));
        }

        if (!await accounts.CreateAsync(AuthConstants.BootstrapAdminName, request.Password, Role.Admin, cancellationToken))
        {
            return TypedResults.Conflict(ApiErrors.Conflict("An account named 'admin' exists already."));
        }

        return TypedResults.Created("/api/auth/users/admin",
            new AccountInfo(AuthConstants.BootstrapAdminName, Roles.Admin, DateTimeOffset.UtcNow, null));
    }
}

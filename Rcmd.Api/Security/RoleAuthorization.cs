using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Rcmd.Api.Security;

/// <summary>Met by a caller whose role is <see cref="Minimum"/> or above.</summary>
public sealed class RoleRequirement(Role minimum) : IAuthorizationRequirement
{
    public Role Minimum { get; } = minimum;
}

/// <summary>
/// Decides <see cref="RoleRequirement"/>: in local mode with no configured keys everyone is admitted (loopback only, no
/// sign-in); otherwise the caller's role claim must reach the minimum. A refusal leaves the role it needed for the 403's
/// reason.
/// </summary>
internal sealed class RoleRequirementHandler(IOptions<AuthOptions> options, ConfiguredApiKeys configuredKeys)
    : AuthorizationHandler<RoleRequirement>
{
    private const string RequiredItem = "rcmd.required-role";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (RoleAuthorization.AdmitsEveryone(options.Value, configuredKeys)
            || (Roles.TryParse(context.User.FindFirst(Roles.ClaimType)?.Value, out var role) && role >= requirement.Minimum))
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http
            && (http.Items[RequiredItem] is not Role required || required < requirement.Minimum))
        {
            http.Items[RequiredItem] = requirement.Minimum;
        }

        return Task.CompletedTask;
    }

    internal static Role? Required(HttpContext context) => context.Items[RequiredItem] as Role?;
}

internal static class RoleAuthorization
{
    /// <summary>Local mode without configured keys: no sign-in at all (the services bind loopback only).</summary>
    public static bool AdmitsEveryone(AuthOptions options, ConfiguredApiKeys configuredKeys) =>
        options.Mode == AuthMode.Local && configuredKeys.Count == 0;

    /// <summary>The 403's message: the caller's role and the one the endpoint needs.</summary>
    public static string ForbiddenReason(HttpContext context)
    {
        var role = context.User.FindFirst(Roles.ClaimType)?.Value ?? "none";
        return RoleRequirementHandler.Required(context) is { } required
            ? $"Your role ({role}) may not do this: it needs the {Roles.ToWire(required)} role."
            : $"Your role ({role}) may not do this.";
    }
}

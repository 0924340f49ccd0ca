using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Rcmd.Api.Audit;

namespace Rcmd.Api.Security;

/// <summary>
/// Sign-in and roles for the Api. One authentication scheme (<see cref="RcmdAuthenticationHandler"/>: API key, Bearer,
/// Basic) and one policy per role (<see cref="Roles.ViewerPolicy"/>, <see cref="Roles.OperatorPolicy"/>,
/// <see cref="Roles.AdminPolicy"/>) that the endpoint groups name. In local mode without configured keys every policy
/// admits everyone; in server mode the caller's role must reach the policy's. <c>/metrics</c> stays open on loopback and
/// needs a signed-in caller from anywhere else; every mutation is audited (<see cref="AuditMiddleware"/>).
/// </summary>
internal static class SecurityExtensions
{
    public static IServiceCollection AddApiSecurity(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ConfiguredApiKeys>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<PasswordSignIn>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<OidcSignIn>();
        OidcSignIn.AddHttpClient(services);
        services.AddSingleton<AuditLog>();
        services.AddHostedService<AuthBootstrap>();

        services.AddAuthentication(SecurityConstants.Scheme)
            .AddScheme<AuthenticationSchemeOptions, RcmdAuthenticationHandler>(SecurityConstants.Scheme, null);
        services.AddSingleton<IAuthorizationHandler, RoleRequirementHandler>();
        var authorization = services.AddAuthorizationBuilder();
        foreach (var role in Enum.GetValues<Role>())
        {
            authorization.AddPolicy(Roles.Policy(role), policy => policy
                .AddAuthenticationSchemes(SecurityConstants.Scheme)
                .AddRequirements(new RoleRequirement(role)));
        }

        return services;
    }

    /// <summary>Server mode with no way to sign in: one critical line, and Program.cs exits before anything binds.</summary>
    public static Task<bool> RefusesToStartAsync(this WebApplication app) =>
        AuthBootstrap.RefusesToStartAsync(app.Services, app.Lifetime.ApplicationStopping);

    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>(); // before authorization: refused mutations are audited too
        app.Use(GuardMetrics);
        app.UseAuthorization();
        return app;
    }

    /// <summary><c>/metrics</c>: open on loopback and in local mode; from elsewhere in server mode, only to a signed-in caller.</summary>
    private static Task GuardMetrics(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase)
            || RcmdAuthenticationHandler.IsLoopback(context.Connection.RemoteIpAddress)
            || context.User.Identity?.IsAuthenticated == true
            || RoleAuthorization.AdmitsEveryone(context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value,
                context.RequestServices.GetRequiredService<ConfiguredApiKeys>()))
        {
            return next(context);
        }

        return context.ChallengeAsync(SecurityConstants.Scheme);
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Rcmd.Api.Security;

/// <summary>
/// One authorization policy, <see cref="Policy"/>, guards every <c>/api</c> group, so a way of signing in plugs in
/// here without touching a handler. Today: with <c>Rcmd:ApiKeys</c> set, a request needs a matching
/// <c>X-Api-Key</c>; without, everyone is admitted (local mode, announced once at start).
/// </summary>
internal static partial class SecurityExtensions
{
    public const string Policy = "rcmd";

    public static IServiceCollection AddApiSecurity(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationOptions.Scheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationOptions.Scheme, null);
        services.AddOptions<ApiKeyAuthenticationOptions>(ApiKeyAuthenticationOptions.Scheme)
            .Configure<IConfiguration>((options, configuration) =>
                options.Keys = ApiKeyAuthenticationOptions.Parse(configuration[ApiKeyAuthenticationOptions.ConfigurationKey]));
        services.AddSingleton<IAuthorizationHandler, ApiKeyRequirementHandler>();
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationOptions.Scheme)
            .AddRequirements(new ApiKeyRequirement()));
        return services;
    }

    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>().Get(ApiKeyAuthenticationOptions.Scheme);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rcmd.Api.Security");
        if (options.Enabled)
        {
            LogApiKeysOn(logger, options.Keys.Count, ApiKeyAuthenticationOptions.HeaderName);
        }
        else
        {
            LogLocalMode(logger, ApiKeyAuthenticationOptions.ConfigurationKey);
        }

        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "No API keys configured ({ConfigurationKey}): the API admits every request (local mode). Keep it on loopback.")]
    private static partial void LogLocalMode(ILogger logger, string configurationKey);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "API keys on: {Count} key(s) accepted in the {Header} header")]
    private static partial void LogApiKeysOn(ILogger logger, int count, string header);
}

/// <summary>Met by an API-key-authenticated caller, or by anyone when no keys are configured.</summary>
internal sealed class ApiKeyRequirement : IAuthorizationRequirement;

internal sealed class ApiKeyRequirementHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options)
    : AuthorizationHandler<ApiKeyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiKeyRequirement requirement)
    {
        if (!options.Get(ApiKeyAuthenticationOptions.Scheme).Enabled
            || context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == ApiKeyAuthenticationOptions.Scheme))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Rcmd.Paths;

public static class PathServiceCollectionExtensions
{
    /// <summary>The configuration key of the mode (<c>local</c> or <c>server</c>); in server mode the allow-lists apply.</summary>
    public const string AuthModeKey = "Rcmd:Auth:Mode";

    /// <summary>The configuration key of Rcmd's data directory (the AppHost sets it for every service).</summary>
    public const string DataDirectoryKey = "Rcmd:DataDir";

    /// <summary>
    /// Registers the <see cref="PathPolicy"/>: <c>Rcmd:Paths</c> with the data directory and the mode, checked at start
    /// (a bad root or remote name stops the process with one line).
    /// </summary>
    public static IServiceCollection AddRcmdPathPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PathPolicyOptions>()
            .Bind(configuration.GetSection(PathPolicyOptions.Section))
            .Configure(options =>
            {
                options.DataDirectory ??= configuration[DataDirectoryKey];
                options.AllowListsApply = string.Equals(configuration[AuthModeKey], "server", StringComparison.OrdinalIgnoreCase);
            })
            .ValidateOnStart();
        services.TryAddSingleton<IValidateOptions<PathPolicyOptions>, PathPolicyOptionsValidator>();
        services.TryAddSingleton<PathPolicy>();
        return services;
    }

    private sealed class PathPolicyOptionsValidator : IValidateOptions<PathPolicyOptions>
    {
        public ValidateOptionsResult Validate(string? name, PathPolicyOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}

using Microsoft.Extensions.Options;

namespace Rcmd.Api.Security;

/// <summary>
/// At start: announces the mode, and in server mode creates the first admin (<c>admin</c>) from
/// <see cref="AuthOptions.BootstrapAdminPassword"/> when no admin exists. <see cref="RefusesToStartAsync"/> is the check
/// Program.cs runs before the server binds: in server mode, nobody could ever sign in — no admin account, no bootstrap
/// password, no setup token, no OIDC, no configured key — is one critical line and exit code 78; so is an OIDC configuration that cannot work
/// (<see cref="OidcOptions.Refusal"/>: e.g. an http authority off loopback).
/// </summary>
internal sealed partial class AuthBootstrap(
    IOptions<AuthOptions> options, ConfiguredApiKeys configuredKeys, AccountStore accounts, ILogger<AuthBootstrap> logger) : IHostedService
{
    public const int RefusedExitCode = 78;

    /// <summary>True (and the one line logged) when the Api must not start: server mode with no way to sign in.</summary>
    public static async Task<bool> RefusesToStartAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (auth.Oidc.Refusal() is { } oidc)
        {
            LogOidcRefused(services.GetRequiredService<ILogger<AuthBootstrap>>(), oidc);
            return true;
        }

        if (auth.Mode != AuthMode.Server || auth.HasConfiguredSignIn || services.GetRequiredService<ConfiguredApiKeys>().Count > 0
            || await services.GetRequiredService<AccountStore>().AnyAdminAsync(cancellationToken))
        {
            return false;
        }

        LogRefused(services.GetRequiredService<ILogger<AuthBootstrap>>());
        return true;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (auth.Mode != AuthMode.Server)
        {
            if (configuredKeys.Count == 0)
            {
                LogLocalMode(logger);
            }
            else
            {
                LogLocalModeWithKeys(logger, configuredKeys.Count);
            }

            return;
        }

        var anyAdmin = await accounts.AnyAdminAsync(cancellationToken);
        if (!anyAdmin && !string.IsNullOrEmpty(auth.BootstrapAdminPassword))
        {
            var created = await accounts.CreateAsync(AuthConstants.BootstrapAdminName, auth.BootstrapAdminPassword, Role.Admin, cancellationToken);
            anyAdmin = created;
            if (created)
            {
                LogBootstrapped(logger, AuthConstants.BootstrapAdminName);
            }
            else
            {
                LogBootstrapNameTaken(logger, AuthConstants.BootstrapAdminName);
            }
        }

        LogServerMode(logger, anyAdmin, !string.IsNullOrEmpty(auth.SetupToken) && !anyAdmin, configuredKeys.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "Local mode: no sign-in, every request is admitted; the Api binds loopback only. Set Rcmd__Auth__Mode=server (./rcmd run --auth) to require sign-in.")]
    private static partial void LogLocalMode(ILogger logger);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Local mode with {Count} configured API key(s) (Rcmd__ApiKeys): requests need one")]
    private static partial void LogLocalModeWithKeys(ILogger logger, int count);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "Server mode: sign-in required (API key or HTTP Basic); admin account present: {AdminExists}; setup token waiting: {SetupPending}; configured keys: {ConfiguredKeys}")]
    private static partial void LogServerMode(ILogger logger, bool adminExists, bool setupPending, int configuredKeys);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Server mode: created the first admin account '{Name}' from Rcmd__Auth__BootstrapAdminPassword")]
    private static partial void LogBootstrapped(ILogger logger, string name);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Server mode: an account '{Name}' exists but is not an admin; the bootstrap password was not applied")]
    private static partial void LogBootstrapNameTaken(ILogger logger, string name);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Critical,
        Message = "Server mode refused: no way to sign in — set Rcmd__Auth__BootstrapAdminPassword, a setup token (./rcmd run --auth prints one), Rcmd__Auth__Oidc__Authority or Rcmd__ApiKeys")]
    private static partial void LogRefused(ILogger logger);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Critical, Message = "OpenID Connect sign-in refused: {Reason}")]
    private static partial void LogOidcRefused(ILogger logger, string reason);
}

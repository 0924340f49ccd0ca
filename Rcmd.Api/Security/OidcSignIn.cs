using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Rcmd.Api.Security;

/// <summary>What an ID token gave: a user with a role, a user whose claims map to no role, or why the token is refused.</summary>
public abstract record OidcOutcome
{
    public sealed record Admitted(string User, Role Role, string Issuer) : OidcOutcome;

    public sealed record NoRole(string User, string Issuer) : OidcOutcome;

    public sealed record Invalid(string Message) : OidcOutcome;

    /// <summary>The provider's metadata or keys could not be read: nobody can sign in with it right now.</summary>
    public sealed record ProviderUnavailable : OidcOutcome;
}

/// <summary>
/// The Api's half of the dashboard's OpenID Connect sign-in (<see cref="OidcOptions"/>). The Web runs the authorization
/// code flow and hands the Api the ID token it received from the provider's token endpoint; this checks the token
/// itself — signature against the provider's published keys (its discovery document, refreshed as the library does),
/// issuer, audience (our client id) and lifetime — reads the user's name and the values of the role claim, and maps them
/// to a role. So the role of an OIDC session is decided here, from a token the provider signed: neither the browser nor
/// the Web can choose it. Tokens are never logged.
/// </summary>
public sealed partial class OidcSignIn
{
    private const string HttpClientName = "oidc";
    private readonly OidcOptions _options;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly JsonWebTokenHandler _tokens = new();
    private readonly ILogger<OidcSignIn> _logger;

    public OidcSignIn(IOptions<AuthOptions> options, IHttpClientFactory httpClients, ILogger<OidcSignIn> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClients);
        _options = options.Value.Oidc;
        _logger = logger;
        if (_options.Enabled && _options.Refusal() is null)
        {
            var authority = _options.Authority!.TrimEnd('/');
            _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(authority + "/.well-known/openid-configuration",
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(httpClients.CreateClient(HttpClientName)) { RequireHttps = !_options.IsLoopbackAuthority });
        }
    }

    public bool Enabled => _metadata is not null;

    /// <summary>The provider as the audit names it: the configured authority.</summary>
    public string Provider => _options.Authority ?? string.Empty;

    /// <summary>The claim whose values map to a role.</summary>
    public string RoleClaim => _options.RoleClaim;

    public static void AddHttpClient(IServiceCollection services) => services.AddHttpClient(HttpClientName);

    public async Task<OidcOutcome> SignInAsync(string idToken, CancellationToken cancellationToken)
    {
        if (_metadata is null)
        {
            return new OidcOutcome.Invalid("OpenID Connect sign-in is not configured.");
        }

        TokenValidationResult result;
        try
        {
            result = await ValidateAsync(idToken, await _metadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // The provider rotated its keys since we read them: read them again, once.
                _metadata.RequestRefresh();
                result = await ValidateAsync(idToken, await _metadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException ex)
        {
            LogProviderUnavailable(_logger, ex.GetType().Name);
            return new OidcOutcome.ProviderUnavailable();
        }

        if (!result.IsValid)
        {
            LogRefused(_logger, result.Exception?.GetType().Name ?? "?");
            return new OidcOutcome.Invalid("The ID token is not valid (signature, issuer, audience or lifetime): sign in again.");
        }

        var token = (JsonWebToken)result.SecurityToken;
        var user = Name(token);
        var issuer = token.Issuer;
        var values = token.Claims.Where(c => c.Type == _options.RoleClaim).Select(c => c.Value);
        return _options.MapRole(values) is { } role ? new OidcOutcome.Admitted(user, role, issuer) : new OidcOutcome.NoRole(user, issuer);
    }

    private Task<TokenValidationResult> ValidateAsync(string idToken, OpenIdConnectConfiguration configuration) =>
        _tokens.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = _options.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = OidcSignInConstants.ClockSkew,
        });

    /// <summary>The user's name as the dashboard shows it: preferred_username, name, email, else the subject; at most 64 characters.</summary>
    private static string Name(JsonWebToken token)
    {
        foreach (var type in (ReadOnlySpan<string>)["preferred_username", "name", "email", "sub"])
        {
            if (token.TryGetPayloadValue<string>(type, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                value = value.Trim();
                return value.Length > OidcSignInConstants.MaxNameLength ? value[..OidcSignInConstants.MaxNameLength] : value;
            }
        }

        return "?";
    }

    [LoggerMessage(EventId = 1120, Level = LogLevel.Warning, Message = "OIDC sign-in refused: the ID token did not validate ({Reason})")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Error, Message = "OIDC sign-in: the provider's metadata or keys could not be read ({ExceptionType})")]
    private static partial void LogProviderUnavailable(ILogger logger, string exceptionType);
}

internal static class OidcSignInConstants
{
    public const int MaxNameLength = 64;

    /// <summary>Tolerated clock difference with the provider (the library's default is 5 min).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);
}

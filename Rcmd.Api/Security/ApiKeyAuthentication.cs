using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Rcmd.Api.Security;

/// <summary>The keys that open the API, from <c>Rcmd:ApiKeys</c> (comma-separated). None configured = local mode.</summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ConfigurationKey = "Rcmd:ApiKeys";

    public IReadOnlyList<string> Keys { get; set; } = [];

    public bool Enabled => Keys.Count > 0;

    public static IReadOnlyList<string> Parse(string? value) =>
        (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// Authenticates a request whose <c>X-Api-Key</c> header matches one of the configured keys (compared in constant
/// time). A request without the header is left anonymous; whether that is allowed is the "rcmd" policy's call.
/// Keys are never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Options.Enabled || !Request.Headers.TryGetValue(ApiKeyAuthenticationOptions.HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = values.ToString();
        if (!Matches(presented, Options.Keys))
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{ApiKeyAuthenticationOptions.Scheme} header=\"{ApiKeyAuthenticationOptions.HeaderName}\"";
        return Task.CompletedTask;
    }

    /// <summary>Compares hashes so neither the length nor the content of a key leaks through timing.</summary>
    internal static bool Matches(string presented, IReadOnlyList<string> keys)
    {
        var candidate = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var key in keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return match;
    }
}

using System.Text;
using Microsoft.Net.Http.Headers;

namespace Rcmd.Api.Security;

/// <summary>What a request presented to sign in: an API key, or a user name and password (HTTP Basic).</summary>
public abstract record Credentials
{
    public sealed record Key(string Value) : Credentials;

    public sealed record Basic(string User, string Password) : Credentials;

    /// <summary>A header that says it carries credentials but cannot be read (bad base64, no colon, unknown scheme).</summary>
    public sealed record Malformed : Credentials;

    /// <summary>The longest credential read; anything longer is malformed (no key or password is that long).</summary>
    public const int MaxLength = 1024;

    /// <summary>
    /// Reads <c>X-Api-Key</c>, then <c>Authorization: Bearer …</c> or <c>Basic …</c>, then — for the hub and the event
    /// stream only, where browsers cannot set headers — the <c>access_token</c> query parameter (SignalR's convention).
    /// Null when the request presents nothing.
    /// </summary>
    public static Credentials? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.TryGetValue(SecurityConstants.ApiKeyHeader, out var apiKey))
        {
            return AsKey(apiKey.ToString());
        }

        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.Length > 0)
        {
            return ReadAuthorization(authorization);
        }

        if (SecurityConstants.AcceptsQueryToken(request.Path) && request.Query.TryGetValue("access_token", out var token))
        {
            return AsKey(token.ToString());
        }

        return null;
    }

    internal static Credentials ReadAuthorization(string header)
    {
        if (header.Length > MaxLength * 2)
        {
            return new Malformed();
        }

        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return new Malformed();
        }

        var scheme = header[..space];
        var value = header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return AsKey(value);
        }

        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return new Malformed();
        }

        var bytes = new byte[(value.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(value, bytes, out var written))
        {
            return new Malformed();
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return new Malformed();
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 || colon > MaxLength ? new Malformed() : new Basic(decoded[..colon], decoded[(colon + 1)..]);
    }

    private static Credentials AsKey(string value) =>
        value.Length is 0 or > MaxLength ? new Malformed() : new Key(value.Trim());
}

internal static class SecurityConstants
{
    public const string Scheme = "Rcmd";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string Realm = "rcmd";

    /// <summary>The configuration key of the keys given in configuration (comma-separated); each opens the API as an admin.</summary>
    public const string ConfiguredKeys = "Rcmd:ApiKeys";

    public const string HubPath = "/hubs/";
    public const string EventStreamPath = "/api/sse/";

    public static bool AcceptsQueryToken(PathString path) =>
        path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/api/sse", StringComparison.OrdinalIgnoreCase);
}

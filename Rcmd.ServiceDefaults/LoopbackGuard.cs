using System.Net;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Local mode (<c>Rcmd:Auth:Mode</c> unset or <c>local</c>) admits every request without sign-in, so a service in local
/// mode must listen on loopback only. This reads where the service was told to listen (<c>urls</c> / ASPNETCORE_URLS,
/// <c>http_ports</c>/<c>https_ports</c>, which bind every interface, and Kestrel's configured endpoints) before anything
/// binds.
/// </summary>
public static class LoopbackGuard
{
    public const string ModeKey = "Rcmd:Auth:Mode";
    public const int RefusedExitCode = 78;

    public static bool IsServerMode(IConfiguration configuration) =>
        string.Equals(configuration[ModeKey]?.Trim(), "server", StringComparison.OrdinalIgnoreCase);

    /// <summary>The one line that refuses a local-mode service its non-loopback address, or null when it may start.</summary>
    public static string? Refusal(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = configuration[ModeKey]?.Trim();
        if (!string.IsNullOrEmpty(mode) && !mode.Equals("local", StringComparison.OrdinalIgnoreCase) && !mode.Equals("server", StringComparison.OrdinalIgnoreCase))
        {
            return $"Rcmd__Auth__Mode must be 'local' or 'server', not '{(mode.Length > 20 ? mode[..20] : mode)}'.";
        }

        if (IsServerMode(configuration))
        {
            return null;
        }

        foreach (var ports in new[] { "http_ports", "https_ports" })
        {
            if (!string.IsNullOrWhiteSpace(configuration[ports]))
            {
                return $"Local mode refuses to listen on every interface ({ports}={configuration[ports]}): bind loopback, or set Rcmd__Auth__Mode=server.";
            }
        }

        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.FirstOrDefault(u => !IsLoopbackUrl(u)) is { } offender
            ? $"Local mode refuses to listen on a non-loopback address ({offender}): bind 127.0.0.1 or localhost, or set Rcmd__Auth__Mode=server (./rcmd run --auth)."
            : null;
    }

    /// <summary>True for <c>localhost</c>, 127.0.0.0/8 and ::1; false for <c>*</c>, <c>+</c>, 0.0.0.0, any other host and anything unreadable.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        // Kestrel accepts http://*:5000 and http://+:5000, which Uri does not parse: neither is loopback anyway.
        if (!Uri.TryCreate(url.Replace("://*", "://any-host", StringComparison.Ordinal).Replace("://+", "://any-host", StringComparison.Ordinal),
                UriKind.Absolute, out var uri))
        {
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}

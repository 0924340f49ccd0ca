using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Rcmd.Failures;

/// <summary>
/// A stable identity for an error text, so the same failure seen with other paths, hosts, ports, ids, numbers or
/// timestamps counts once (unknown-error capture, dashboards). <see cref="Normalize"/> redacts secrets, drops
/// rclone's log prefix, lowercases, and replaces the variable parts with placeholders; <see cref="Hash"/> is the
/// first 16 hex digits of the SHA-256 of that.
/// </summary>
public static partial class ErrorFingerprint
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        try
        {
            var s = SecretRedactor.Redact(text);
            s = LogPrefix().Replace(s, string.Empty);
            s = s.ToLowerInvariant();
            s = Url().Replace(s, "<url>");
            s = Email().Replace(s, "<email>");
            s = Uuid().Replace(s, "<id>");
            s = IpAddress().Replace(s, "<ip>");
            s = WindowsPath().Replace(s, "<path>");
            s = UnixPath().Replace(s, m => m.Groups["pre"].Value + "<path>");
            s = HostName().Replace(s, "<host>");
            s = Quoted().Replace(s, "\"<q>\"");
            s = LongHex().Replace(s, "<id>");
            s = Number().Replace(s, "<n>");
            s = Whitespace().Replace(s, " ").Trim();
            return s;
        }
        catch (RegexMatchTimeoutException)
        {
            return Whitespace().Replace(SecretRedactor.Redact(text).ToLowerInvariant(), " ").Trim();
        }
    }

    /// <summary>16 lowercase hex digits identifying the normalised text.</summary>
    public static string Hash(string? text)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(text)));
        return Convert.ToHexString(bytes, 0, 8).ToLowerInvariant();
    }

    private const RegexOptions Options = RegexOptions.CultureInvariant;

    // "2026/11/22 05:40:28 ERROR : " (and CRITICAL/NOTICE/INFO/DEBUG), at any line start
    [GeneratedRegex(@"(?m)^\s*\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?\s*(?:(?:CRITICAL|ERROR|NOTICE|INFO|DEBUG)\s*:\s*)?", Options, 500)]
    private static partial Regex LogPrefix();

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^\s""']+", Options, 500)]
    private static partial Regex Url();

    [GeneratedRegex(@"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", Options, 500)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", Options, 500)]
    private static partial Regex Uuid();

    // IPv4 with optional port; bracketed or bare IPv6 with optional port
    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?|\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b", Options, 500)]
    private static partial Regex IpAddress();

    [GeneratedRegex(@"\b[a-z]:\\[^\s""':]*", Options, 500)]
    private static partial Regex WindowsPath();

    // /a/b/c, /tmp/x.txt, ~/x — a slash-led path of one or more segments
    [GeneratedRegex(@"(?<pre>^|[\s""'(=:])~?/[^\s""'):,]*", Options, 500)]
    private static partial Regex UnixPath();

    [GeneratedRegex(@"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|dev|cloud|info|biz|co|[a-z]{2})(?::\d+)?\b", Options, 500)]
    private static partial Regex HostName();

    [GeneratedRegex(@"""[^""\r\n]*""", Options, 500)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b|\b(?=[a-z0-9_-]*\d)(?=[a-z0-9_-]*[a-z])[a-z0-9_-]{16,}\b", Options, 500)]
    private static partial Regex LongHex();

    [GeneratedRegex(@"\d+(?:\.\d+)?", Options, 500)]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+", Options, 500)]
    private static partial Regex Whitespace();
}

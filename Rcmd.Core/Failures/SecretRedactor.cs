using System.Text.RegularExpressions;

namespace Rcmd.Failures;

/// <summary>
/// Masks secrets in texts before they are stored or logged: rclone echoes connection strings
/// (<c>:sftp,host=h,pass=…:</c>), SDKs print headers, users paste URLs with passwords. What is masked:
/// private key blocks, <c>Authorization:</c> values, URL user-info passwords, <c>key=value</c> / <c>key: value</c> /
/// <c>"key": "value"</c> pairs whose key names a secret (pass, password, secret, token, key, credential, signature,
/// sig, auth, session, client_secret, access_key_id, sas_url …), secret-looking CLI flags (<c>--rc-pass x</c>),
/// bearer tokens, JWTs, Google OAuth tokens and AWS access key ids. Over-masking is preferred to a leak.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        try
        {
            var result = PrivateKeyBlock().Replace(text, "[private key " + Mask + "]");
            result = AuthorizationHeader().Replace(result, m => m.Groups["k"].Value + m.Groups["scheme"].Value + Mask);
            result = UrlUserInfo().Replace(result, m => m.Groups["scheme"].Value
                + (m.Groups["pass"].Success ? m.Groups["user"].Value + ":" + Mask : Mask) + "@");
            result = SecretPair().Replace(result, m =>
            {
                var value = m.Groups["v"].Value;
                var masked = value.Length > 1 && value[0] is '"' or '\'' ? value[0] + Mask + value[0] : Mask;
                return m.Groups["k"].Value + m.Groups["sep"].Value + masked;
            });
            result = SecretFlag().Replace(result, m => m.Groups["k"].Value + m.Groups["sep"].Value + Mask);
            result = BearerToken().Replace(result, m => m.Groups["scheme"].Value + Mask);
            result = Jwt().Replace(result, Mask);
            result = GoogleToken().Replace(result, Mask);
            result = AwsKeyId().Replace(result, m => m.Value[..4] + Mask);
            return result;
        }
        catch (RegexMatchTimeoutException)
        {
            // Never hand back an unredacted text because it was too long or too odd to scan.
            return "[redaction timed out: text withheld]";
        }
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    [GeneratedRegex(@"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", Options, 500)]
    private static partial Regex PrivateKeyBlock();

    // Authorization: Basic xxx / Bearer xxx / AWS4-HMAC-SHA256 Credential=…, Signature=… / [Bearer xxx] (Go header dumps)
    [GeneratedRegex(@"(?<k>\b(?:Proxy-)?Authorization[""']?\s*[:=]\s*[""'\[]?)(?<scheme>(?:Basic|Bearer|Digest|Negotiate|AWS4-HMAC-SHA256|AWS|SharedKey|SharedKeyLite|OAuth|token)\s+)?[^\r\n""'\]]+", Options, 500)]
    private static partial Regex AuthorizationHeader();

    // scheme://user:password@host → scheme://user:***@host; scheme://token@host → scheme://***@host
    [GeneratedRegex(@"(?<scheme>\b[a-z][a-z0-9+.-]*://)(?<user>[^/\s:@""']+)(?::(?<pass>[^/\s@""']*))?@", Options, 500)]
    private static partial Regex UrlUserInfo();

    // pass=…, "password": "…", secret_access_key = …, X-Amz-Signature=…, sig=…, client_secret=…, key = … (rclone config).
    // The secret word may carry a glued prefix (AccessToken) but only separator-joined suffixes (secret_access_key), so
    // prose such as "SignatureDoesNotMatch: The …" is left alone. Unquoted values stop at ':' (the end of an inline
    // rclone connection string ":sftp,pass=…:path").
    [GeneratedRegex(@"(?<k>[A-Za-z0-9]*(?:pass(?:word|wd|phrase)?|secret|token|credential|signature|session[_-]?id|api[_-]?key|access[_-]?key(?:[_-]?id)?|private[_-]?key|account[_-]?key|sas[_-]?url|client[_-]?secret|service[_-]?account[_-]?credentials)(?:[_.-][A-Za-z0-9]+)*|\bkey\b|\bsig\b|\bauth\b)(?<sep>[""']?\s*[:=]\s*)(?<v>""[^""]*""|'[^']*'|[^\s,;:&""'\]\)}<>]+)", Options, 500)]
    private static partial Regex SecretPair();

    // --rc-pass secret, --sftp-pass secret, --s3-secret-access-key secret (space-separated flags)
    [GeneratedRegex(@"(?<k>--[a-z0-9-]*(?:pass|secret|token|key|credential)[a-z0-9-]*)(?<sep>\s+)(?!-)[^\s]+", Options, 500)]
    private static partial Regex SecretFlag();

    [GeneratedRegex(@"(?<scheme>\bBearer\s+)[A-Za-z0-9\-._~+/]+=*", Options, 500)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}", RegexOptions.CultureInvariant, 500)]
    private static partial Regex Jwt();

    // Google OAuth access tokens (ya29.…) and refresh tokens (1//…)
    [GeneratedRegex(@"\bya29\.[A-Za-z0-9_-]{10,}|\b1//[A-Za-z0-9_-]{20,}", RegexOptions.CultureInvariant, 500)]
    private static partial Regex GoogleToken();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant, 500)]
    private static partial Regex AwsKeyId();
}

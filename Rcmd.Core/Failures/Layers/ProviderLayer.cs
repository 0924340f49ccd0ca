using System.Globalization;
using System.Text.RegularExpressions;

namespace Rcmd.Failures.Layers;

/// <summary>
/// Layer 1: the provider's own code and HTTP status, read in each backend's format — aws-sdk-go v1
/// (<c>Code: Message\n\tstatus code: N</c>) and v2 (<c>StatusCode: N, … api error Code: …</c>), googleapi
/// (<c>Error N: …, reason</c>), B2 (<c>… (N code)</c>), Azure's old (<c>ServiceCode=…</c>, <c>RESPONSE Status: N</c>)
/// and new (<c>RESPONSE N: …</c>, <c>ERROR CODE: …</c>) SDKs, WebDAV/Sabre exceptions, OAuth
/// (<c>oauth2: cannot fetch token: N</c>), Box and Jottacloud (<c>Error "code" (N)</c>), Yandex (<c>[N - Code]</c>),
/// Dropbox tag summaries (<c>path/not_found/..</c>), Mail.ru (<c>server error N (word)</c>), google.rpc statuses
/// (<c>(404 NOT_FOUND)</c>), Proton (<c>Code=2501</c>), FTP reply codes, SFTP <c>SSH_FX_*</c> and plain HTTP statuses.
/// A known provider code decides, or one no list names read by its words (<see cref="CodeWords"/>); else the status
/// does (<see cref="ProviderCodes.ForStatus"/>).
/// </summary>
public static partial class ProviderLayer
{
    internal const string QuotaHint = "The storage of {remote} is full or over its quota: free space or raise the quota, then run the job again.";

    public static Evidence? Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return ReadFormats(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static Evidence? ReadFormats(string text)
    {
        Match m;
        if ((m = OAuth().Match(text)).Success)
        {
            var status = Status(m);
            return status is >= 400 and < 500 and not 429 && m.Groups["code"].Value.Length == 0
                // The token endpoint refused the refresh token or the client without saying why (a bare 400 is invalid_grant's status).
                ? new Evidence(ErrorCodes.InvalidCredentials, "provider", $"HTTP {status} (oauth), token refused")
                : Decide(status, m.Groups["code"].Value, "oauth", text);
        }

        if ((m = AwsV2().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, "s3 sdk v2", text);
        }

        if ((m = AwsV1().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, "s3", text);
        }

        if ((m = AzureNew().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, "azure", text);
        }

        if ((m = AzureOld().Match(text)).Success)
        {
            var status = AzureOldStatus().Match(text);
            return Decide(status.Success ? Status(status) : null, m.Groups["code"].Value, "azure", text);
        }

        if ((m = XmlCode().Match(text)).Success)
        {
            var status = HttpStatus().Match(text);
            return Decide(status.Success ? Status(status) : null, m.Groups["code"].Value, "xml error", text);
        }

        if ((m = B2().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, char.IsUpper(m.Groups["code"].Value[0]) ? "google" : "b2", text);
        }

        if ((m = QuotedCode().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, "rest", text);
        }

        if ((m = BracketCode().Match(text)).Success && ProviderCodes.Meaning(m.Groups["code"].Value) is not null)
        {
            var status = m.Groups["s"].Success ? m : HttpStatus().Match(text);
            return Decide(status.Success ? Status(status) : null, m.Groups["code"].Value, "yandex", text);
        }

        if ((m = MailruError().Match(text)).Success)
        {
            // Mail.ru answers a word in its body: "token" (the token was refused), "exists", "not_exists", "overquota" …
            var word = m.Groups["code"].Value;
            return word == "token"
                ? new Evidence(ErrorCodes.InvalidCredentials, "provider", $"HTTP {m.Groups["s"].Value} + token (mailru)")
                : Decide(Status(m), word, "mailru", text, codeByPlace: true);
        }

        if (DropboxSummary(text) is { } summary)
        {
            return Decide(null, summary, "dropbox", text, codeByPlace: true);
        }

        if ((m = GoogleApi().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, "googleapi", text);
        }

        if ((m = Sabre().Match(text)).Success)
        {
            return Decide(Status(m), m.Groups["code"].Value, "webdav", text);
        }

        if ((m = Sftp().Match(text)).Success)
        {
            return Decide(null, m.Groups["code"].Value, "sftp", text);
        }

        if ((m = Ftp().Match(text)).Success && !HttpWord().IsMatch(text))
        {
            return FtpReply(int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture), m.Groups["msg"].Value);
        }

        if (FirstKnownNamedCode(text) is { } named)
        {
            var status = HttpStatus().Match(text);
            return Decide(status.Success ? Status(status) : null, named, "provider", text);
        }

        if ((m = ProtonCode().Match(text)).Success && ProtonNotFound(m.Groups["code"].Value))
        {
            return new Evidence(ErrorCodes.NotFound, "provider", $"Proton API code {m.Groups["code"].Value} (not found)");
        }

        if ((m = ProtonCode().Match(text)).Success && ProtonExists(m.Groups["code"].Value))
        {
            return new Evidence(ErrorCodes.Conflict, "provider", $"Proton API code {m.Groups["code"].Value} (already exists)");
        }

        if ((m = HttpStatus().Match(text)).Success)
        {
            return Decide(Status(m), null, "http", text);
        }

        return null;
    }

    /// <summary>The first name in <paramref name="text"/> that is a provider code (a body may name "error" before "invalid_grant").</summary>
    private static string? FirstKnownNamedCode(string text)
    {
        foreach (Match named in NamedCode().Matches(text))
        {
            if (ProviderCodes.All.ContainsKey(named.Groups["code"].Value))
            {
                return named.Groups["code"].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The last resort of the text layers: a name shaped like a provider code that no list names, read by its words
    /// (<see cref="CodeWords"/>): "WebDAV … AncestorsNotFound: 409 Conflict". Read only after every other layer and
    /// rule found nothing, because a name in a sentence's place ("readLoopPeekFailLocked: &lt;nil&gt;", Python's
    /// "FileNotFoundError: …") is not always a provider's code.
    /// </summary>
    public static Evidence? ReadCodeWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            foreach (Match named in NamedCode().Matches(text))
            {
                var name = named.Groups["code"].Value;
                if (CodeWords.Read(name) is not null)
                {
                    var status = HttpStatus().Match(text);
                    return Decide(status.Success ? Status(status) : null, name, "provider", text);
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
        }

        return null;
    }

    /// <summary>
    /// Dropbox's error summary, its tags joined by "/" and ended by dots: "path/conflict/file/..",
    /// "path_lookup/not_found/...". The innermost tag that means something decides.
    /// </summary>
    private static string? DropboxSummary(string text)
    {
        var m = DropboxTags().Match(text);
        if (!m.Success)
        {
            return null;
        }

        var tags = m.Groups["tags"].Value.Split('/');
        if (tags.LastOrDefault(ProviderCodes.All.ContainsKey) is { } listed)
        {
            return listed;
        }

        // A tag is a code by its place, so a single word ("locked") is read too.
        return tags.Reverse().FirstOrDefault(tag => ProviderCodes.Meaning(tag, codeByPlace: true) is not null);
    }

    // Proton's API: "(Code=2501, Status=422)"; 2501 is "does not exist" whatever the language of the message.
    private static bool ProtonNotFound(string code) => code is "2501" or "2061";

    // Proton's 2500: "A file or folder with that name already exists", whatever the language of the message.
    private static bool ProtonExists(string code) => code is "2500";

    private static int? Status(Match m) =>
        m.Groups["s"].Success && int.TryParse(m.Groups["s"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;

    private static Evidence? Decide(int? status, string? providerCode, string format, string text, bool codeByPlace = false)
    {
        var label = (status is { } s ? $"HTTP {s}" : "") + (string.IsNullOrEmpty(providerCode) ? "" : (status is null ? "" : " + ") + providerCode);
        var evidence = $"{label} ({format})";
        if (!string.IsNullOrEmpty(providerCode) && ProviderCodes.Meaning(providerCode, codeByPlace) is { } byCode)
        {
            return Refine(byCode, providerCode, status, evidence, text);
        }

        var byStatus = status is { } st ? ProviderCodes.ForStatus(st) : null;
        if (status is 400 or 403 or 422 && CredentialsWords().IsMatch(text))
        {
            return new Evidence(ErrorCodes.InvalidCredentials, "provider", evidence + ", sign-in refused");
        }

        if (status is 403 or 400 && RateQuota().IsMatch(text))
        {
            // Google: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'", "RATE_LIMIT_EXCEEDED".
            return new Evidence(ErrorCodes.RateLimited, "provider", evidence + ", request rate quota");
        }

        if (status is 403 && TryAgain().IsMatch(text))
        {
            return new Evidence(ErrorCodes.RateLimited, "provider", evidence + ", asks to come back later");
        }
        if (byStatus is ErrorCodes.AccessDenied or ErrorCodes.ValidationError or ErrorCodes.Conflict
            && (Quota().IsMatch(text) || Allowance().IsMatch(text)) && !DownloadQuota().IsMatch(text))
        {
            return new Evidence(ErrorCodes.Unknown, "provider", evidence + ", storage quota", QuotaHint);
        }

        if (byStatus is null && status is >= 500 and < 600 && TryAgain().IsMatch(text))
        {
            return new Evidence(ErrorCodes.RateLimited, "provider", evidence + ", asks to try again");
        }

        if (byStatus is null && status is 507)
        {
            return new Evidence(ErrorCodes.Unknown, "provider", evidence + ", storage full", QuotaHint);
        }

        if (byStatus is null && status is >= 500 and < 600)
        {
            // 500, 501 …: the provider failed and did not say why or when to come back.
            return new Evidence(ErrorCodes.Unknown, "provider", evidence);
        }

        return byStatus is null ? null : new Evidence(byStatus, "provider", evidence);
    }

    /// <summary>Where one provider code covers several causes, the message tells them apart.</summary>
    private static Evidence? Refine(string code, string providerCode, int? status, string evidence, string text)
    {
        if (Damaged().IsMatch(text))
        {
            return new Evidence(ErrorCodes.NetworkError, "provider", evidence + ", data damaged in transit");
        }

        if (code == ErrorCodes.SignatureMismatch && DateTooOld().IsMatch(text))
        {
            return new Evidence(ErrorCodes.RequestTimeSkewed, "provider", evidence + ", date header too old");
        }

        if (code == ErrorCodes.InvalidCredentials && TokenTimeframe().IsMatch(text))
        {
            // Google's token endpoint: "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable
            // timeframe. Check your iat and exp values" — the service account's JWT was signed with a wrong clock.
            return new Evidence(ErrorCodes.RequestTimeSkewed, "provider", evidence + ", token signed with a wrong clock");
        }

        if (code == ErrorCodes.ValidationError && InvalidHandle().IsMatch(text))
        {
            // Graph "invalidRequest: invalidResourceId: ObjectHandle is Invalid": the item changed under the handle.
            return new Evidence(ErrorCodes.Conflict, "provider", evidence + ", invalid handle");
        }

        if (code == ErrorCodes.AccessDenied && LockedItem().IsMatch(providerCode + " " + text))
        {
            // Box "access_denied_item_locked" (403), Graph "notAllowed: lockMismatch": refused because the item is locked.
            return new Evidence(ErrorCodes.Conflict, "provider", evidence + ", item locked");
        }

        if (code is ErrorCodes.Conflict or ErrorCodes.ValidationError && Quota().IsMatch(text) && !DownloadQuota().IsMatch(text))
        {
            // Google Photos: "storage quota exceeded. (400 FAILED_PRECONDITION)".
            return new Evidence(ErrorCodes.Unknown, "provider", evidence + ", storage quota", QuotaHint);
        }

        if (code == ErrorCodes.AccessDenied && CredentialsWords().IsMatch(text))
        {
            return new Evidence(ErrorCodes.InvalidCredentials, "provider", evidence + ", sign-in refused");
        }

        if (code == ErrorCodes.InvalidCredentials && providerCode.Equals("unauthorized", StringComparison.OrdinalIgnoreCase) && NotEntitled().IsMatch(text))
        {
            return new Evidence(ErrorCodes.AccessDenied, "provider", evidence + ", not entitled");
        }

        if (code == ErrorCodes.Unknown && ReadOnly().IsMatch(text))
        {
            return new Evidence(ErrorCodes.AccessDenied, "provider", evidence + ", read-only");
        }

        if (code == ErrorCodes.Unknown && Quota().IsMatch(providerCode + " " + text))
        {
            return new Evidence(ErrorCodes.Unknown, "provider", evidence + ", storage quota", QuotaHint);
        }

        if (code == ErrorCodes.Unknown && TryAgain().IsMatch(text))
        {
            return new Evidence(ErrorCodes.RateLimited, "provider", evidence + ", asks to try again");
        }

        if (code == ErrorCodes.Unknown && Generic().IsMatch(providerCode) && status is { } st && ProviderCodes.ForStatus(st) is { } byStatus)
        {
            // "backendError", "InternalError": the code names no cause; the status does (503 → come back later).
            return new Evidence(byStatus, "provider", evidence);
        }

        if (code == ErrorCodes.Unknown && Generic().IsMatch(providerCode) && status is null)
        {
            // "BackendError: File or folder already exists": no cause and no status here, so the words after it decide.
            return null;
        }

        if (code == ErrorCodes.AccessDenied && status is 403 && Quota().IsMatch(text) && !DownloadQuota().IsMatch(text))
        {
            return new Evidence(ErrorCodes.Unknown, "provider", evidence + ", storage quota", QuotaHint);
        }

        if (code == ErrorCodes.Unknown && RateQuota().IsMatch(text))
        {
            return new Evidence(ErrorCodes.RateLimited, "provider", evidence + ", request rate quota");
        }

        if (code == ErrorCodes.RateLimited && status is 403 && Quota().IsMatch(providerCode) && !providerCode.Contains("download", StringComparison.OrdinalIgnoreCase))
        {
            return new Evidence(ErrorCodes.Unknown, "provider", evidence + ", storage quota", QuotaHint);
        }

        return new Evidence(code, "provider", evidence);
    }

    private static Evidence? FtpReply(int reply, string message)
    {
        var evidence = $"FTP {reply} (ftp)";
        string? code = reply switch
        {
            _ when TryAgain().IsMatch(message) => ErrorCodes.RateLimited,
            421 => ErrorCodes.RateLimited,
            425 or 426 => ErrorCodes.NetworkError,
            450 => ErrorCodes.Conflict,
            451 => ErrorCodes.Unknown,
            452 or 552 => ErrorCodes.Unknown,
            530 or 532 => ErrorCodes.InvalidCredentials,
            553 => ErrorCodes.AccessDenied,
            550 when FtpDenied().IsMatch(message) => ErrorCodes.AccessDenied,
            550 when FtpExists().IsMatch(message) => ErrorCodes.Conflict,
            550 => ErrorCodes.NotFound,
            501 when FtpMissing().IsMatch(message) => ErrorCodes.NotFound,
            500 or 501 or 502 or 504 => ErrorCodes.ValidationError,
            _ => null,
        };
        if (reply == 421 && FtpTimeout().IsMatch(message))
        {
            code = ErrorCodes.UpstreamTimeout;
        }

        return code is null ? null
            : reply is 452 or 552 ? new Evidence(code, "provider", evidence + ", storage full", QuotaHint)
            : new Evidence(code, "provider", evidence);
    }
}

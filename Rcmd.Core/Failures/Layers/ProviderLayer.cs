using System.Globalization;
using System.Text.RegularExpressions;

namespace Rcmd.Failures.Layers;

/// <summary>
/// Layer 1: the provider's own code and HTTP status, read in each backend's format — aws-sdk-go v1
/// (<c>Code: Message\n\tstatus code: N</c>) and v2 (<c>StatusCode: N, … api error Code: …</c>), googleapi
/// (<c>Error N: …, reason</c>), B2 (<c>… (N code)</c>), Azure's old (<c>ServiceCode=…</c>, <c>RESPONSE Status: N</c>)
/// and new (<c>RESPONSE N: …</c>, <c>ERROR CODE: …</c>) SDKs, WebDAV/Sabre exceptions, OAuth
/// (<c>oauth2: cannot fetch token: N</c>), FTP reply codes, SFTP <c>SSH_FX_*</c> and plain HTTP statuses.
/// A known provider code decides; else the status does (<see cref="ProviderCodes.ForStatus"/>).
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
            var meaning = word == "token" ? ErrorCodes.InvalidCredentials : CodeWords.Read(word, shapedOnly: false);
            return meaning is null
                ? Decide(Status(m), null, "mailru", text)
                : new Evidence(meaning, "provider", $"HTTP {m.Groups["s"].Value} + {word} (mailru)", Quota().IsMatch(word) ? QuotaHint : null);
        }

        if (DropboxSummary(text) is { } summary)
        {
            return Decide(null, summary, "dropbox", text);
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
        for (var i = tags.Length - 1; i >= 0; i--)
        {
            if (ProviderCodes.All.ContainsKey(tags[i]))
            {
                return tags[i];
            }
        }

        // A tag is a code by its place, so a single word ("locked") is read too.
        return tags.Reverse().FirstOrDefault(tag => CodeWords.Read(tag, shapedOnly: false) is not null);
    }

    // Proton's API: "(Code=2501, Status=422)"; 2501 is "does not exist" whatever the language of the message.
    private static bool ProtonNotFound(string code) => code is "2501" or "2061";

    // Proton's 2500: "A file or folder with that name already exists", whatever the language of the message.
    private static bool ProtonExists(string code) => code is "2500";

    private static int? Status(Match m) =>
        m.Groups["s"].Success && int.TryParse(m.Groups["s"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;

    private static Evidence? Decide(int? status, string? providerCode, string format, string text)
    {
        var label = (status is { } s ? $"HTTP {s}" : "") + (string.IsNullOrEmpty(providerCode) ? "" : (status is null ? "" : " + ") + providerCode);
        var evidence = $"{label} ({format})";
        if (!string.IsNullOrEmpty(providerCode) && ProviderCodes.Meaning(providerCode) is { } byCode)
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

    // oauth2: cannot fetch token: 400 Bad Request\nResponse: {"error":"invalid_grant",…}
    [GeneratedRegex(@"oauth2: (?:cannot fetch token: (?<s>\d{3})[^\n]*(?:[\s\S]{0,400}?""error""\s*:\s*""(?<code>\w+)"")?|server response missing access_token()(?<code>)|""(?<code>invalid_grant|invalid_client|unauthorized_client)"")", RegexOptions.CultureInvariant, 250)]
    private static partial Regex OAuth();

    // aws-sdk-go-v2: operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: …, api error AccessDenied: Access Denied
    [GeneratedRegex(@"StatusCode: (?<s>\d{3})\b[^\n]{0,400}?api error (?<code>[A-Za-z][\w.]*)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex AwsV2();

    // aws-sdk-go v1: AccessDenied: Access Denied\n\tstatus code: 403, request id: …
    [GeneratedRegex(@"(?:^|[\s:])(?<code>[A-Z][A-Za-z0-9.]+): [^\n]*(?:\n[^\n]*){0,3}?\s*status code: (?<s>\d{3})", RegexOptions.CultureInvariant, 250)]
    private static partial Regex AwsV1();

    // azure-sdk-for-go: RESPONSE 404: 404 The specified container does not exist.\nERROR CODE: ContainerNotFound
    [GeneratedRegex(@"RESPONSE (?<s>\d{3})\b[\s\S]{0,2000}?ERROR CODE: (?<code>\w+)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex AzureNew();

    // azure-storage-blob-go: ===== RESPONSE ERROR (ServiceCode=ContainerNotFound) =====
    [GeneratedRegex(@"ServiceCode=(?<code>\w+)|x-ms-error-code:\s*\[?(?<code>\w+)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex AzureOld();

    [GeneratedRegex(@"RESPONSE Status: (?<s>\d{3})|RESPONSE (?<s>\d{3})\b", RegexOptions.CultureInvariant, 250)]
    private static partial Regex AzureOldStatus();

    // An S3-style XML error body quoted whole: <Error><Code>SignatureDoesNotMatch</Code>…
    [GeneratedRegex(@"<Code>(?<code>\w+)</Code>", RegexOptions.CultureInvariant, 250)]
    private static partial Regex XmlCode();

    // Box, Jottacloud, put.io …: Error "item_name_in_use" (409): Item with the same name already exists
    [GeneratedRegex(@"Error ""(?<code>[A-Za-z][\w.]*)"" \((?<s>\d{3})\)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex QuotedCode();

    // Yandex Disk: [DiskNotFoundError] Resource not found.; [409 - DiskPathDoesntExistsError] Specified path "disk:/dir" doesn't exists.
    [GeneratedRegex(@"\[(?:(?<s>\d{3}) - )?(?<code>[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\]", RegexOptions.CultureInvariant, 250)]
    private static partial Regex BracketCode();

    // Mail.ru: "server error 403 (token)", "file error 400 (exists)"
    [GeneratedRegex(@"\b(?:server|file|folder) error (?<s>\d{3}) \((?<code>[a-z_]+)\)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex MailruError();

    // Dropbox: path/not_found/.., too_many_write_operations/..., path/conflict/file/.
    // (a batch's "last error: path/no_write_permission" has no dots; then the tags must end the text)
    [GeneratedRegex(@"(?:^|[\s:""'(])(?:(?<tags>[a-z][a-z_]*(?:/[a-z][a-z_]*)*)/\.{1,3}(?=$|[\s""',)])|(?<tags>[a-z][a-z_]*(?:/[a-z][a-z_]*)+)\s*\z)", RegexOptions.CultureInvariant | RegexOptions.Multiline, 250)]
    private static partial Regex DropboxTags();

    // Backblaze B2: Invalid authorization token (401 bad_auth_token); Google Photos: Requested entity was not found. (404 NOT_FOUND)
    [GeneratedRegex(@"\((?<s>\d{3}) (?<code>[a-z][a-z_]+|[A-Z][A-Z_]+)\)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex B2();

    // googleapi: Error 403: The user does not have sufficient permissions for this file., insufficientFilePermissions
    [GeneratedRegex(@"(?:googleapi: )?Error (?<s>\d{3}): [^\n]*, (?<code>[a-z][A-Za-z]+)\b|googleapi: Error (?<s>\d{3})\b|googleapi: got HTTP response code (?<s>\d{3})\b", RegexOptions.CultureInvariant, 250)]
    private static partial Regex GoogleApi();

    // rclone backend/webdav: "Message: Sabre\DAV\Exception\Forbidden: 403 Forbidden"
    [GeneratedRegex(@"Sabre\\\\?DAV\\\\?Exception\\\\?(?<code>\w+)(?:[^\n]*?(?<s>[45]\d\d)\b)?", RegexOptions.CultureInvariant, 250)]
    private static partial Regex Sabre();

    [GeneratedRegex(@"\b(?<code>SSH_FX_[A-Z_]+)\b", RegexOptions.CultureInvariant, 250)]
    private static partial Regex Sftp();

    // FTP replies as jlaffaye/ftp returns them: "550 No such file or directory", "421 Too many connections"
    [GeneratedRegex(@"(?:^|[^\d.:/\w]|ftp[^\n]{0,80}?: )(?<s>42[156]|45[0-2]|5[0-5][0-3]) (?<msg>(?!(?:Bad Request|Unauthorized|Forbidden|Not Found|Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway Time)\b)[A-Za-z""'][^\n]*)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex Ftp();

    // Microsoft Graph / OneDrive / Dropbox / Box codes said by name: "itemNotFound: …", "path/not_found/", "Error "not_found" (404)"
    // (a word followed by ": " or "(404)"; with "/" only Dropbox's snake_case tags, so a path segment is not read as a code)
    [GeneratedRegex(@"(?:^|[\s:""(])(?<code>[A-Za-z][A-Za-z_]{3,})(?=: |\\?""|\s*\(\d{3}\))|(?:^|[\s:""/(])(?<code>[a-z]+_[a-z_]+)(?=/)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex NamedCode();

    // A status said any other way: "HTTP error 503 (503 Service Unavailable)", "HTTP Error: 401", "got HTTP response code 404",
    // "status code: 500", "StatusCode: 429", "bad status: 502", "403 Forbidden", "Error 429"
    [GeneratedRegex(@"(?:HTTP (?:error|Error:?|response code|status:?|code:?) ?|status ?code:? ?\(?|StatusCode: ?|\bStatus=|\b(?:bad |unexpected |response |HTTP )?status:? |\bError ""|\bError:? |RESPONSE (?:Status: )?|HTTP/1\.[01] )(?<s>[45]\d\d)\b|\b(?<s>[45]\d\d) error (?:received|returned|response)\b|(?:^|[\s:(""])(?<s>[45]\d\d) (?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Request Time-?out|Conflict|Gone|Length Required|Precondition Failed|Payload Too Large|Request Entity Too Large|Unsupported Media Type|Locked|Too Many Requests|Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway[ _]?Time-?out|Insufficient Storage)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline, 250)]
    private static partial Regex HttpStatus();

    [GeneratedRegex(@"did not match data received|error reading uploaded data|corrupted on transfer|\bBadDigest\b|checksum (?:mismatch|did not match)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex Damaged();

    [GeneratedRegex(@"invalid (?:credentials|session token|access token|api key)|(?<![-\w])2FA\b|\b2FA ?code|validate2FA|two-factor|complete (?:the )?CAPTCHA|captcha_invalid|invalid_grant", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex CredentialsWords();

    [GeneratedRegex(@"please (?:try again|retry)|try again later|temporarily unavailable|too busy|server is busy|retry the request|re-?issue the request|flood detected", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex TryAgain();

    [GeneratedRegex(@"date header too old|request time .* too (?:old|skewed)|clock skew", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex DateTooOld();

    [GeneratedRegex(@"not entitled|not allowed|no permission|capabilit", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex NotEntitled();

    [GeneratedRegex(@"quota|insufficient.?(?:space|storage)|cap_exceeded|storage (?:cap|limit|is full)|no space|not enough space|out of space", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex Quota();

    [GeneratedRegex(@"^(?:backendError|internalError|internal_error|ServerError|generalException)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex Generic();

    // "HTTP Error: 500: 500 Internal Error" is an HTTP status, not an FTP reply.
    [GeneratedRegex(@"\bHTTPS?\b", RegexOptions.CultureInvariant, 250)]
    private static partial Regex HttpWord();

    [GeneratedRegex(@"download quota|downloadQuotaExceeded|download_cap", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex DownloadQuota();

    [GeneratedRegex(@"quota metric|per (?:minute|second|100 seconds|user per)\b|\bRATE_LIMIT_EXCEEDED\b|rate ?limit exceeded", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex RateQuota();

    [GeneratedRegex(@"check your iat and exp|in a reasonable timeframe|token used before issued|\bnbf\b[^\n]*(?:future|not yet valid)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex TokenTimeframe();

    [GeneratedRegex(@"\blocked\b|lock ?mismatch|\block_conflict|_locked\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex LockedItem();

    [GeneratedRegex(@"exceeds (?:the )?account allowance|storage (?:quota|limit)|no active subscription|NO_ACTIVE_SUBSCRIPTION", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex Allowance();

    [GeneratedRegex(@"\(Code=(?<code>\d{3,5}), Status=(?<s>\d{3})\)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex ProtonCode();

    [GeneratedRegex(@"permission|denied|not (?:allowed|permitted)|forbidden|read-?only|access", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex FtpDenied();

    [GeneratedRegex(@"read[- ]only|permission denied", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex ReadOnly();

    [GeneratedRegex(@"exists|not empty", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex FtpExists();

    [GeneratedRegex(@"time ?out|timed out|idle", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex FtpTimeout();
}

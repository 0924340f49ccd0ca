using System.Text.RegularExpressions;

namespace Rcmd.Failures.Layers;

// The texts ProviderLayer reads: each backend's error format, and the words that refine a code.
public static partial class ProviderLayer
{
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
    [GeneratedRegex(@"(?:googleapi: )?Error (?<s>\d{3}): [^\n]*, (?<code>[a-z][A-Za-z]+)\b|(?:googleapi: )?Error (?<s>\d{3}): (?<code>[a-z][a-z_]+)\s*$|googleapi: Error (?<s>\d{3})\b|googleapi: got HTTP response code (?<s>\d{3})\b", RegexOptions.CultureInvariant | RegexOptions.Multiline, 250)]
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
    [GeneratedRegex(@"(?:HTTP (?:error|Error:?|response code|status:?|code:?) ?|status ?code:? ?\(?|StatusCode: ?|\bStatus=|\b(?:bad |unexpected |response |HTTP )?status:? |\bError ""|\bError:? |RESPONSE (?:Status: )?|HTTP/1\.[01] )(?<s>[45]\d\d)\b|\b(?<s>[45]\d\d) error (?:received|returned|response)\b|\bError \d{4,6} \((?<s>[45]\d\d)\)|\bfailed: (?<s>[45]\d\d)\s*$|(?:^|[\s:(""])(?<s>[45]\d\d) (?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Request Time-?out|Conflict|Gone|Length Required|Precondition Failed|Payload Too Large|Request Entity Too Large|Unsupported Media Type|Locked|Too Many Requests|Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable|Gateway[ _]?Time-?out|Insufficient Storage)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline, 250)]
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

    [GeneratedRegex(@"handle is invalid|invalid (?:object ?|file )?handle", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex InvalidHandle();

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

    // Servers that answer a missing directory with 501 ("501 No such directory.") instead of 550.
    [GeneratedRegex(@"no such (?:file|directory)|not found|does not exist", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex FtpMissing();

    [GeneratedRegex(@"time ?out|timed out|idle", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex FtpTimeout();
}

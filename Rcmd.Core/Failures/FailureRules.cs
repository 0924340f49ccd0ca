using System.Text.RegularExpressions;

namespace Rcmd.Failures;

/// <summary>One text rule: when <see cref="Pattern"/> matches rclone's message, the failure is <see cref="Code"/>.</summary>
/// <param name="Code">One of <see cref="ErrorCodes"/>.</param>
/// <param name="Pattern">Matched case-insensitively against the message.</param>
/// <param name="Source">Where messages of this shape come from (backend, Go package, rclone file) — for triage.</param>
/// <param name="Hint">
/// A suggestion that fits this rule better than the code's default; <c>{remote}</c> becomes "remote s3prod" (or
/// "the remote"), <c>{name}</c> the bare name (or "&lt;remote&gt;").
/// </param>
public sealed record FailureRule(string Code, Regex Pattern, string Source, string? Hint = null);

/// <summary>
/// The ordered rule table of <see cref="FailureClassifier"/>: the first rule whose pattern matches wins, so the
/// specific come before the general. The order of the groups matters where one message carries several signals:
/// <list type="number">
/// <item>job flow and the engine itself (canceled, rclone missing or too old, restarts);</item>
/// <item>clock skew, then signatures, then credentials — an SFTP "ssh: handshake failed: ssh: unable to authenticate"
/// is a password problem before it is a handshake problem, an S3 "InvalidAccessKeyId … does not exist" is not a
/// missing object;</item>
/// <item>rate limits before quotas and permissions — Google answers 403 for both "userRateLimitExceeded" and
/// "storageQuotaExceeded";</item>
/// <item>full storage (quota) → <c>access_denied</c>: a permanent refusal to write until someone frees space, not a
/// rate limit (retrying would not help) and not an outage (a circuit breaker must not open for it);</item>
/// <item>permissions, conflicts, missing paths, invalid requests;</item>
/// <item>timeouts before unreachable endpoints before other network errors — "dial tcp …: i/o timeout" is a timeout;
/// rclone's bare "couldn't connect" wrappers come last, so a cause shown after them wins.</item>
/// </list>
/// When no rule matches, the classifier falls back to an HTTP status (see <see cref="FailureClassifier"/>).
/// Extend the table with the messages <see cref="UnknownErrorCapture"/> collects.
/// </summary>
public static class FailureRules
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    // Hints shared by several rules.
    private const string QuotaHint = "The storage of {remote} is full or over its quota: free space or raise the quota, then run the job again.";
    private const string OAuthHint = "The OAuth token of {remote} has expired or was revoked: run 'rclone config reconnect {name}:' and try again.";
    private const string RcloneMissingHint = "rclone could not be started: install it, or point RCLONE_PATH (or PATH) at the rclone binary.";

    public static IReadOnlyList<FailureRule> All { get; } =
    [
        // ── Job flow and the transfer engine ────────────────────────────────────────────────────────────────
        // .NET HttpClient: "The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing."
        R(ErrorCodes.UpstreamTimeout, @"HttpClient\.Timeout", "System.Net.Http.HttpClient timeout"),
        // Go context: rclone's job/stop and a killed transfer end with "context canceled".
        R(ErrorCodes.Canceled, @"\bcontext canceled\b", "Go context package (rclone job/stop, fs/operations)"),
        // .NET OperationCanceledException and Rcmd's own cancel message.
        R(ErrorCodes.Canceled, @"\bthe operation was canceled\b|\bcanceled by (?:the )?user\b", ".NET OperationCanceledException; Rcmd JobStateMachine.Cancel"),
        // Go os/exec (the original design started rclone from Go): exec: "rclone": executable file not found in $PATH
        R(ErrorCodes.TransferEngineMissing, @"exec: ""?[^""]*rclone[^""]*""?: executable file not found", "Go os/exec LookPath", RcloneMissingHint),
        // .NET Process.Start: "An error occurred trying to start process 'rclone' with working directory '/x'. No such file or directory"
        R(ErrorCodes.TransferEngineMissing, @"start process '[^']*rclone[^']*'.*(?:no such file|cannot find the file|permission denied|exec format error)", ".NET System.Diagnostics.Process.Start (Win32Exception)", RcloneMissingHint),
        // Shells: "sh: 1: rclone: not found", "bash: rclone: command not found"
        R(ErrorCodes.TransferEngineMissing, @"\brclone: (?:command )?not found|\brclone (?:binary |executable )?(?:is )?(?:not installed|missing|not found)", "POSIX shells; Rcmd start-up checks", RcloneMissingHint),
        // rcd fs/rc/rcserver/rcserver.go: couldn't find method "sync/bisync" — the running rclone predates that RC method.
        R(ErrorCodes.TransferEngineIncompatible, @"couldn't find method """, "rclone fs/rc/rcserver/rcserver.go (404)"),
        // cobra/pflag CLI parsing in an older rclone: "unknown flag: --max-buffer-memory", "unknown command "x" for "rclone""
        R(ErrorCodes.TransferEngineIncompatible, @"\bunknown (?:shorthand )?flag: |unknown command "".*"" for ""rclone", "spf13/cobra + pflag in cmd/cmd.go"),
        // rclone fs/rc/config.go options/set: unknown option block "x"
        R(ErrorCodes.TransferEngineIncompatible, @"unknown option block """, "rclone fs/rc/config.go (options/set)"),
        // Rcmd's own refusal after reading core/version: "sync/bisync requires rclone v1.64 or later"
        R(ErrorCodes.TransferEngineIncompatible, @"requires rclone v?\d+\.\d+|\brclone v?\d+\.\d+\S* is too old", "Rcmd version check (core/version)"),
        // Rcmd Worker when rcd's pid changed under a running job, and Go os/exec when rclone was killed.
        R(ErrorCodes.ServerRestarted, @"\b(?:rcd|rclone|server|worker) (?:was |has )?restarted\b|\bsignal: (?:killed|terminated)\b", "Rcmd Worker (core/pid changed); Go os/exec ExitError"),

        // ── Clock skew ──────────────────────────────────────────────────────────────────────────────────────
        // S3 (and S3-compatibles): RequestTimeTooSkewed: The difference between the request time and the current time is too large.
        R(ErrorCodes.RequestTimeSkewed, @"\bRequestTimeTooSkewed\b|difference between the request time and the (?:current|server's) time", "AWS S3 error code RequestTimeTooSkewed (403)"),
        // Azure Blob: AuthenticationErrorDetail "Request date header too old"; AWS SigV4 "Signature expired: … is now earlier than"
        R(ErrorCodes.RequestTimeSkewed, @"date header too old|Signature expired: .* is now earlier than|\bRequestExpired\b|\bclock skew\b|token used before issued", "Azure Blob AuthenticationFailed detail; AWS SigV4; JWT iat"),

        // ── Signatures ──────────────────────────────────────────────────────────────────────────────────────
        // S3/GCS-HMAC/B2-S3/Wasabi/MinIO: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.
        R(ErrorCodes.SignatureMismatch, @"\bSignatureDoesNotMatch\b|signature we calculated does not match|does not match the signature you provided", "AWS S3 error code SignatureDoesNotMatch (403)", "The request signature was rejected: check the secret key (and the region and signature version) of {remote}."),
        // Azure Blob: AuthenticationFailed: Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.
        R(ErrorCodes.SignatureMismatch, @"\bAuthenticationFailed\b|formed correctly including the signature", "Azure Blob error code AuthenticationFailed (403)", "Azure rejected the request signature: check the account name and key (or SAS URL) of {remote}."),

        // ── Credentials ─────────────────────────────────────────────────────────────────────────────────────
        // S3: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.
        R(ErrorCodes.InvalidCredentials, @"\bInvalidAccessKeyId\b|Access Key Id you provided does not exist", "AWS S3 error code InvalidAccessKeyId (403)", "Check the access key and secret for {remote}."),
        // S3/STS: ExpiredToken, InvalidToken, TokenRefreshRequired
        R(ErrorCodes.InvalidCredentials, @"\b(?:ExpiredToken|InvalidToken|TokenRefreshRequired|InvalidSecurity)\b|security token included in the request is (?:invalid|expired)", "AWS S3/STS error codes", "The session token of {remote} is invalid or expired: refresh the credentials (or env_auth) and try again."),
        // lib/oauthutil: couldn't fetch token: invalid_grant: maybe token expired? - try refreshing with "rclone config reconnect remote:"
        R(ErrorCodes.InvalidCredentials, @"\binvalid_grant\b|couldn't fetch token|maybe token expired|failed to (?:get|refresh) token|token (?:has )?expired|\bunauthorized_client\b|\binvalid_client\b", "rclone lib/oauthutil (Drive, OneDrive, Dropbox, Box, pCloud …)", OAuthHint),
        // B2: "Authorization token has expired (401 expired_auth_token)", "(401 bad_auth_token)", "(401 unauthorized)"
        R(ErrorCodes.InvalidCredentials, @"\b(?:expired_auth_token|bad_auth_token|expired_access_token|invalid_access_token)\b|\(401 \w+\)", "Backblaze B2 and Dropbox API error codes", "Check the account/key id and application key (or token) of {remote}."),
        // googleapi: Error 401: Invalid Credentials, authError; OneDrive "InvalidAuthenticationToken"; Azure "InvalidAuthenticationInfo"
        R(ErrorCodes.InvalidCredentials, @"Invalid Credentials|\bauthError\b|\bInvalidAuthenticationToken\b|\bInvalidAuthenticationInfo\b|\bunauthenticated\b", "Google APIs (Drive, GCS) 401; Microsoft Graph; Azure", OAuthHint),
        // SFTP (golang.org/x/crypto/ssh): couldn't connect SSH: ssh: handshake failed: ssh: unable to authenticate, attempted methods [none password], no supported methods remain
        R(ErrorCodes.InvalidCredentials, @"ssh: unable to authenticate|no supported methods remain", "golang.org/x/crypto/ssh via rclone backend/sftp", "Check the user, password or key file of SFTP {remote}."),
        // SFTP without any configured auth: couldn't connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified
        R(ErrorCodes.InvalidCredentials, @"couldn't connect to ssh-agent|SSH_AUTH_SOCK not-specified|couldn't read ssh agent signers|failed to (?:read|parse) private key", "rclone backend/sftp", "SFTP {remote} has no usable login: set a password or key_file in its config."),
        // FTP reply 530: "530 Login incorrect.", "530 Not logged in", "530 Non-anonymous sessions must use encryption"
        R(ErrorCodes.InvalidCredentials, @"(?:^|[^\d.:])530[ -]|\bLogin (?:incorrect|failed)\b|\bnot logged in\b", "FTP reply 530 via jlaffaye/ftp (rclone backend/ftp)", "Check the user and password of FTP {remote}."),
        // lib/obscure: "base64 decode failed when revealing password - is it obscured?", "input too short when revealing password - is it obscured?"
        R(ErrorCodes.InvalidCredentials, @"when revealing password - is it obscured\?|decrypt password", "rclone fs/config/obscure (passwords in config must be obscured)", "The password of {remote} is stored in clear text: store it with 'rclone obscure' or 'rclone config'."),
        // backend/crypt: "failed to authenticate decrypted block - bad password?"
        R(ErrorCodes.InvalidCredentials, @"failed to authenticate decrypted block|\bbad password\b", "rclone backend/crypt/cipher.go ErrorEncryptedBadBlock", "The crypt password (or salt) of {remote} does not match the one the data was encrypted with."),
        // Mega, FileLu, pCloud …: "couldn't login: Object (typically, node or user) not found" — unless the cause shown is the network
        R(ErrorCodes.InvalidCredentials, @"couldn't log ?in\b(?!.*(?:dial tcp|timeout|refused|no such host|EOF|reset by peer|i/o))", "rclone backends with a login step (mega, filelu, pcloud, seafile)", "Check the user and password of {remote}."),
        // fs/config/crypt.go: "Couldn't decrypt configuration, most likely wrong password."
        R(ErrorCodes.InvalidCredentials, @"couldn't decrypt configuration|unable to decrypt configuration|RCLONE_CONFIG_PASS", "rclone fs/config/crypt.go", "rclone's config is encrypted: check RCLONE_CONFIG_PASS or the password command."),
        // WebDAV, HTTP, S3 without body: "401 Unauthorized", "Unauthorized: Unauthorized", "HTTP Error: 401 Unauthorized"
        R(ErrorCodes.InvalidCredentials, @"\b401 Unauthorized\b|\bUnauthorized\b(?!Access)|\bAuthentication (?:failed|required)\b|\bInvalid (?:credentials|username or password|password)\b|\bwrong password\b", "HTTP 401 via rclone lib/rest (WebDAV, HTTP) and SDKs", "Check the user and password (or token) of {remote}."),

        // ── Rate limits (before quota/permission: Google uses 403 for both) ─────────────────────────────────
        // S3: SlowDown: Please reduce your request rate. (503); ServiceUnavailable: Reduce your request rate.
        R(ErrorCodes.RateLimited, @"\bSlowDown\b|reduce your request rate", "AWS S3 error code SlowDown (503)"),
        // googleapi: Error 403: User Rate Limit Exceeded, userRateLimitExceeded / Error 429: Rate Limit Exceeded, rateLimitExceeded
        R(ErrorCodes.RateLimited, @"\b(?:userRateLimitExceeded|rateLimitExceeded|sharingRateLimitExceeded|dailyLimitExceeded|downloadQuotaExceeded|uploadLimitExceeded)\b|rate limit exceeded|download quota for this file", "Google Drive / GCS reasons via rclone backend/drive shouldRetry"),
        // GCP: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'"
        R(ErrorCodes.RateLimited, @"quota exceeded for quota (?:metric|group)|per (?:minute|second|100 seconds)\b.*(?:exceeded|limit)|calls/minute allowed", "Google Cloud API quotas; B2 '200 calls/minute allowed' (429)"),
        // OneDrive/SharePoint: activityLimitReached: throttledRequest: The request has been throttled
        R(ErrorCodes.RateLimited, @"\bactivityLimitReached\b|\bthrottl(?:ed|ing)\w*|\bRequestLimitExceeded\b|\bTooManyRequests(?:Exception)?\b|Too Many Requests|\b(?:status code:?|Error|HTTP error|RESPONSE) 429\b", "Microsoft Graph 429; AWS throttling codes; HTTP 429 via rclone lib/rest"),
        // Dropbox: too_many_requests/…, too_many_write_operations; Box: rate_limit_exceeded; B2: (429 too_many_requests)
        R(ErrorCodes.RateLimited, @"\btoo_many_(?:requests|write_operations)\b|\brate_limit_exceeded\b|\b(?:download|transaction)_cap_exceeded\b|(?:download bandwidth|transaction \(Class [A-C]\)) cap exceeded", "Dropbox, Box and Backblaze B2 API error codes"),
        // Azure Blob: ServerBusy (503) "The server is busy."; Cosmos-style "Request rate is large"
        R(ErrorCodes.RateLimited, @"\bServerBusy\b|server is busy|Request rate is large|\b(?:Ingress|Egress)(?:Is)?Over(?:Account)?Limit\b", "Azure Storage error codes"),
        // FTP reply 421 "Too many connections (8) from this IP"; rclone pacer "Too many requests. Trying again in 30 seconds."
        R(ErrorCodes.RateLimited, @"\btoo many (?:connections|requests|users)\b", "FTP reply 421 (pure-ftpd, vsftpd); rclone pacer notices"),

        // ── Full storage: unknown with a quota suggestion (issue 16: the taxonomy has no code for it) ──────────────────────────────────────────
        // googleapi: Error 403: The user's Drive storage quota has been exceeded., storageQuotaExceeded
        R(ErrorCodes.Unknown, @"\b(?:storageQuotaExceeded|quotaExceeded|QuotaExceeded|quotaLimitReached|teamDriveFileLimitExceeded|numChildrenInNonRootLimitExceeded)\b|storage quota|quota (?:has been |is )?exceeded|over quota|\bOverQuota\b", "Google Drive reasons; OneDrive quotaLimitReached; S3-compatible QuotaExceeded", QuotaHint),
        // Dropbox insufficient_space (rclone treats it as fatal), Box storage_limit_exceeded, B2 storage_cap_exceeded
        R(ErrorCodes.Unknown, @"\binsufficient_space\b|\bstorage_limit_exceeded\b|\bstorage_cap_exceeded\b|storage cap exceeded", "Dropbox, Box and B2 API error codes", QuotaHint),
        // WebDAV/OneDrive 507 Insufficient Storage (rclone onedrive: FatalError), FTP 452/552, local ENOSPC/EDQUOT
        R(ErrorCodes.Unknown, @"\b507 Insufficient Storage\b|\bInsufficientStorage\b|\bInsufficient storage\b|(?:^|[^\d.:])[45]52 |exceeded storage allocation|no space left on device|disk quota exceeded|not enough (?:free )?space", "HTTP 507 (WebDAV, OneDrive); FTP 452/552; POSIX ENOSPC/EDQUOT", QuotaHint),

        // ── Permissions ─────────────────────────────────────────────────────────────────────────────────────
        // S3: AccessDenied: Access Denied (403); AllAccessDisabled; AccountProblem
        R(ErrorCodes.AccessDenied, @"\bAccessDenied\b|\bAccess Denied\b|\baccess_denied\b|\bAccessForbidden\b|\bAllAccessDisabled\b|\bAccountProblem\b", "AWS S3 / S3-compatible error codes; OAuth access_denied", "{remote} refused access: the credentials work but lack permission for this bucket or path (check its policy or ACL)."),
        // googleapi: Error 403: The user does not have sufficient permissions for this file., insufficientFilePermissions
        R(ErrorCodes.AccessDenied, @"\binsufficient(?:File)?Permissions\b|does not have (?:sufficient )?permission|does not have [\w.]+ access|(?:don't|do not) have permission|not authorized to perform|\bcannotDownloadAbusiveFile\b|\brestricted_content\b|\binvalid_account_type\b|\bappNotAuthorizedToFile\b", "Google Drive/GCS reasons; Dropbox restricted_content", "{remote} refused access to this path: check the sharing or IAM permissions of the account."),
        // Azure Blob: AuthorizationPermissionMismatch / AuthorizationFailure (403)
        R(ErrorCodes.AccessDenied, @"\bAuthorization(?:PermissionMismatch|Failure|Failed|ResourceTypeMismatch)\b", "Azure Storage error codes"),
        // rcd: "authentication must be set up on the rc server to use "x" or the --rc-no-auth flag must be in use"
        R(ErrorCodes.AccessDenied, @"authentication must be set up on the rc server|requires authentication to be set up", "rclone fs/rc/rcserver/rcserver.go (403)", "Start rcd with --rc-user/--rc-pass (Rcmd's AppHost does) so this RC method is allowed."),
        // FTP 550 Permission denied / 553; SFTP "permission denied"; local EACCES/EPERM/EROFS; WebDAV 403 Forbidden
        R(ErrorCodes.AccessDenied, @"(?:^|[^\d.:])55[03] (?:Permission|Access|Could not create)|\bpermission denied\b|\bEACCES\b|\boperation not permitted\b|read-only file system|\b403 Forbidden\b|\bForbidden\b", "FTP 550/553; POSIX EACCES/EPERM/EROFS (local, SFTP); HTTP 403", "{remote} refused access to this path: check the permissions of the account (or of the directory for local paths)."),

        // ── Conflicts ───────────────────────────────────────────────────────────────────────────────────────
        // WebDAV 423 Locked (Nextcloud, SharePoint); OneDrive resourceLocked
        R(ErrorCodes.Conflict, @"\b423 Locked\b|\bresourceLocked\b|\bis (?:currently )?locked\b|\bLocked:", "HTTP 423 via rclone backend/webdav; Microsoft Graph", "The file on {remote} is locked (open elsewhere?): retry when the lock is released."),
        // S3: BucketAlreadyExists, BucketAlreadyOwnedByYou, BucketNotEmpty, OperationAborted (409)
        R(ErrorCodes.Conflict, @"\bBucket(?:AlreadyExists|AlreadyOwnedByYou|NotEmpty)\b|\bOperationAborted\b|conflicting conditional operation", "AWS S3 error codes (409)"),
        // Azure leases; HTTP 412 Precondition Failed; 409 Conflict; Box item_name_in_use; OneDrive nameAlreadyExists
        R(ErrorCodes.Conflict, @"\bLease(?:IdMissing|AlreadyPresent|IdMismatch)\w*|currently a lease on|\bPreconditionFailed\b|Precondition Failed|\b409 Conflict\b|\bConflict:|\bitem_name_in_use\b|\bduplicate_bucket_name\b|\balready in use\b|\bnameAlreadyExists\b|\bresourceModified\b|\bContainerBeingDeleted\b", "Azure leases; HTTP 409/412; Box and Microsoft Graph codes"),
        // fs: "directory not empty", "can't copy directory - destination already exists", "immutable file modified"; local "source file is being updated"
        R(ErrorCodes.Conflict, @"directory not empty|\balready exists\b|immutable file modified|source file is being updated|\bfile exists\b|\bEEXIST\b|text file busy|being used by another process", "rclone fs/fs.go errors; backend/local; POSIX ENOTEMPTY/EEXIST/ETXTBSY"),
        // file where a directory is expected and vice versa (issue 16: conflict)
        R(ErrorCodes.Conflict, @"\bis a file not a directory\b|\bis a directory not a file\b|\bis not a regular file\b|\bis a directory\b|\bnot a directory\b", "rclone fs errors; POSIX EISDIR/ENOTDIR"),
        // S3: "Object in GLACIER, restore first: bucket=…" — the object must change state first.
        R(ErrorCodes.Conflict, @"Object in GLACIER|restore first|InvalidObjectState|archive tier blob", "rclone backend/s3 (GLACIER), backend/azureblob (archive tier)", "The object on {remote} is archived (Glacier/archive tier): restore it first, then run the job again."),

        // ── Missing paths ───────────────────────────────────────────────────────────────────────────────────
        // rclone fs errors: "directory not found", "object not found" (rcd answers 404 for these)
        R(ErrorCodes.NotFound, @"\bdirectory not found\b|\bobject not found\b", "rclone fs.ErrorDirNotFound / fs.ErrorObjectNotFound"),
        // S3: NoSuchBucket, NoSuchKey, NoSuchUpload; "The specified bucket does not exist"
        R(ErrorCodes.NotFound, @"\bNoSuch(?:Bucket|Key|Upload|Version|Container)\b|specified (?:bucket|key|container|blob) does not exist", "AWS S3 error codes (404)"),
        // googleapi: Error 404: File not found: 1AbC., notFound; OneDrive itemNotFound; Dropbox path/not_found; Box not_found; Azure *NotFound
        R(ErrorCodes.NotFound, @"\b(?:notFound|itemNotFound|not_found|ContainerNotFound|BlobNotFound|ShareNotFound|PathNotFound|ResourceNotFound|NotFound)\b|\bFile not found\b|No such (?:object|bucket|container)", "Google, Microsoft Graph, Dropbox, Box and Azure codes"),
        // SFTP "file does not exist"; local ENOENT; FTP 550 "Failed to change directory" / "No such file"
        R(ErrorCodes.NotFound, @"\bfile does not exist\b|no such file or directory|\bENOENT\b|(?:^|[^\d.:])550 |\bdoes not exist\b|\bdoesn't exist\b", "SFTP (pkg/sftp), POSIX ENOENT, FTP 550"),
        // rcd job/status, job/stop: "job not found"; HTTP "404 Not Found"
        R(ErrorCodes.NotFound, @"\b404 Not Found\b|\bnot found\b", "HTTP 404"),

        // ── Invalid requests ────────────────────────────────────────────────────────────────────────────────
        // fs/config: "didn't find section in config file" — the remote is not configured
        R(ErrorCodes.ValidationError, @"(?:didn't|couldn't) find section in config(?: file)?", "rclone fs.ErrorNotFoundInConfigFile", "Remote {name} is not in rclone's config: add it (rclone config) or fix the name."),
        // fs/registry: didn't find backend called "x"; config/create: couldn't find backend for type "x"
        R(ErrorCodes.ValidationError, @"didn't find backend called|couldn't find backend for type", "rclone fs/registry.go", "This rclone has no backend of that name: check the spelling (see GET /api/remotes) or upgrade rclone."),
        // rc params: Didn't find key "dstFs" in input; couldn't parse key "jobid"; failed to read input JSON; key "_filter": Reshape failed
        R(ErrorCodes.ValidationError, @"Didn't find key "".*"" in input|couldn't parse key|failed to read input JSON|invalid JSON|invalid character .* looking for|cannot unmarshal|Reshape failed|\bunknown key\b", "rclone fs/rc/params.go, rcserver.go, vfs/rc.go (400)"),
        // fs: overlapping remotes, same file, file/dir mix-ups, missing bucket name, unsupported features
        R(ErrorCodes.ValidationError, @"overlapping remotes|can't copy to (?:the )?same file|bucket or container name is needed|doesn't support|optional feature not implemented|incompatible remotes|can't upload empty files", "rclone fs/fs.go errors, fs/sync, fs/operations"),
        // URLs in remote config: unsupported protocol scheme "ftp"; http: server gave HTTP response to HTTPS client
        R(ErrorCodes.NetworkError, @"server gave HTTP response to HTTPS client|first record does not look like a TLS handshake", "Go crypto/tls (issue 16: TLS failures = network_error)"),
        R(ErrorCodes.ValidationError, @"unsupported protocol scheme", "Go net/http via rclone backends (webdav, http, s3 endpoints)", "The URL or endpoint of {remote} looks wrong (scheme, host or port): fix it in the remote's config."),
        // Names and sizes: S3 InvalidArgument/InvalidBucketName/EntityTooLarge; OneDrive pathIsTooLong; Dropbox malformed_path
        R(ErrorCodes.ValidationError, @"\b(?:InvalidArgument|InvalidBucketName|InvalidObjectName|InvalidRequest|MalformedXML|EntityTooLarge|EntityTooSmall|KeyTooLongError|invalidParameter|pathIsTooLong|malformed_path|disallowed_name|invalid_request)\b|file name too long|name too long|file too large|No export formats found|too many files involved|\btoo_many_files\b", "S3, Microsoft Graph and Dropbox error codes; POSIX ENAMETOOLONG/EFBIG"),
        // CLI arguments: invalid argument "x" for "--max-depth" flag; Command copy needs 2 arguments minimum
        R(ErrorCodes.ValidationError, @"invalid argument "".*"" for ""-|needs \d+ arguments? (?:minimum|maximum)|accepts (?:at most )?\d+ arg", "spf13/cobra argument checks in rclone cmd"),
        // HTTP 400 Bad Request / 405 / 413 by name (WebDAV, HTTP); rcd "method "GET" not allowed"
        R(ErrorCodes.ValidationError, @"\b400 Bad Request\b|\bBadRequest\b|\b405 Method Not Allowed\b|method "".*"" not allowed|\b413 (?:Payload|Request Entity) Too Large\b|unsupported charset", "HTTP 400/405/413 via rclone lib/rest; rcserver.go"),

        // ── Timeouts ────────────────────────────────────────────────────────────────────────────────────────
        // Go: context deadline exceeded; dial tcp 10.0.0.1:443: i/o timeout; net/http: TLS handshake timeout; timeout awaiting response headers
        R(ErrorCodes.UpstreamTimeout, @"deadline exceeded|\bi/o timeout\b|TLS handshake timeout|timeout awaiting response headers|Client\.Timeout exceeded", "Go net, net/http, context (rclone --timeout/--contimeout)"),
        // S3 RequestTimeout (400), HTTP 408/504, Azure OperationTimedOut, FTP 421 Timeout, ETIMEDOUT
        R(ErrorCodes.UpstreamTimeout, @"\bRequestTimeout\b|\b408 Request Time-?out\b|Request Time-?out|\bGateway ?Time-?out\b|\bOperationTimedOut\b|\btimed out\b|\bETIMEDOUT\b|\btimeout\b", "AWS S3 RequestTimeout; HTTP 408/504; Azure; POSIX ETIMEDOUT"),

        // ── Endpoint unreachable ────────────────────────────────────────────────────────────────────────────
        // Go net: dial tcp 127.0.0.1:1: connect: connection refused; .NET "Connection refused (127.0.0.1:1)"
        R(ErrorCodes.EndpointUnreachable, @"connection refused|\bECONNREFUSED\b|actively refused", "Go net (ECONNREFUSED); .NET SocketException"),
        // Go net DNS: dial tcp: lookup s3.example.com: no such host; glibc "Name or service not known"
        R(ErrorCodes.EndpointUnreachable, @"\bno such host\b|Name or service not known|nodename nor servname|Temporary failure in name resolution|server misbehaving|\bNXDOMAIN\b|name resolution", "Go net DNS resolver; getaddrinfo"),
        // Routes: network is unreachable, no route to host, host is down
        R(ErrorCodes.EndpointUnreachable, @"network is unreachable|no route to host|host is down|host unreachable|\bENETUNREACH\b|\bEHOSTUNREACH\b", "POSIX ENETUNREACH/EHOSTUNREACH/EHOSTDOWN"),
        // HTTP 502/503: S3 ServiceUnavailable, "503 Service Unavailable", "502 Bad Gateway"; FTP 421 Service not available
        R(ErrorCodes.RateLimited, @"\bServiceUnavailable\b|Service (?:Temporarily )?Unavailable|421 Service not available", "HTTP 503 via SDKs and rclone lib/rest; FTP 421 (issue 16: unavailable for now = rate_limited)"),
        R(ErrorCodes.NetworkError, @"\bBad ?Gateway\b", "HTTP 502 (issue 16: a broken connection upstream = network_error)"),

        // ── Other network errors ────────────────────────────────────────────────────────────────────────────
        // Go net: connection reset by peer; broken pipe; unexpected EOF; use of closed network connection (fs/fserrors retriable list)
        R(ErrorCodes.NetworkError, @"connection reset|reset by peer|broken pipe|unexpected EOF|use of closed network connection|transport connection broken|server closed idle connection|forcibly closed|readLoopPeekFailLocked|\bECONNRESET\b|\bEPIPE\b|connection aborted|\bconnection lost\b|failed to send packet|short write", "Go net, net/http; rclone fs/fserrors retriableErrorStrings; pkg/sftp"),
        // TLS: x509: certificate signed by unknown authority; tls: bad record MAC; http2: stream error
        R(ErrorCodes.NetworkError, @"\bx509:|\btls: |bad record MAC|stream error:|\bhttp2: |certificate|\bremote error: |\bknownhosts: |\bno authorities for hostname\b|host key", "Go crypto/tls, crypto/x509, net/http h2_bundle; golang.org/x/crypto/ssh/knownhosts", "The identity of {remote} could not be verified or the secure channel failed (TLS certificate or SSH host key): check the CA certificates, known_hosts and the endpoint."),
        // FTP 425/426 data connection; rclone "corrupted on transfer: sizes differ"; SSH handshake cut off
        R(ErrorCodes.NetworkError, @"(?:^|[^\d.:])42[56] |corrupted on transfer|did not match data received|error reading uploaded data|\bBadDigest\b|\bhandshake failed\b|\bEOF\b", "FTP 425/426; rclone/B2/S3 checksum checks (data damaged in transit); golang.org/x/crypto/ssh"),

        // CA bundle that cannot be loaded: an environment fault (issue 16: unknown)
        R(ErrorCodes.Unknown, @"CA bundle|AWS_CA_BUNDLE", "aws-sdk-go custom CA bundle"),

        // ── Last resort ─────────────────────────────────────────────────────────────────────────────────────
        // rclone wrappers around a failed connect whose cause is not shown (a cause above wins: "couldn't connect SSH: ssh: handshake failed: EOF")
        R(ErrorCodes.EndpointUnreachable, @"couldn't connect|could not connect|unable to connect|failed to make FTP connection|connection failed|failed to dial", "rclone backend/sftp, backend/ftp, cmd/rc"),
    ];

    private static FailureRule R(string code, string pattern, string source, string? hint = null) =>
        new(code, new Regex(pattern, Options, MatchTimeout), source, hint);
}

using Rcmd.Failures;
using Rcmd.Failures.Layers;
using Rcmd.Failures.Versions;

namespace Rcmd.Core.Tests.Failures;

/// <summary>Issue 16: wrappers peeled, evidence read layer by layer and named, rclone versions known.</summary>
public sealed class LayeredClassifierTests
{
    private static readonly FailureClassifier Classifier = FailureClassifier.Default;

    [Fact]
    public void Peel_NestedWrappers_InnermostCause()
    {
        var inner = WrapperPeeler.Peel("ERROR : a.txt: Failed to copy: Attempt 1/3 failed with 1 errors and: error in ListJSON: couldn't list files: SlowDown: Please reduce your request rate.");
        Assert.Equal("SlowDown: Please reduce your request rate.", inner);
    }

    [Fact]
    public void Peel_NoWrapper_WholeText()
    {
        Assert.Equal("directory not found", WrapperPeeler.Peel("  directory not found "));
    }

    [Fact]
    public void Classify_S3SlowDown_EvidenceNamesStatusAndCode()
    {
        var result = Classifier.Classify("Failed to copy: SlowDown: Please reduce your request rate.\n\tstatus code: 503, request id: 1, host id: 2");
        Assert.Equal(ErrorCodes.RateLimited, result.Code);
        Assert.Equal("HTTP 503 + SlowDown (s3)", result.Evidence);
        Assert.Equal("provider", result.EvidenceLayer);
    }

    [Theory]
    [InlineData("operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: X1, HostID: H1, api error AccessDenied: Access Denied", "access_denied", "HTTP 403 + AccessDenied (s3 sdk v2)")]
    [InlineData("operation error S3: HeadObject, https response error StatusCode: 404, RequestID: X1, HostID: H1, NotFound: Not Found", "not_found", "HTTP 404")]
    [InlineData("RESPONSE 404: 404 The specified container does not exist.\nERROR CODE: ContainerNotFound", "not_found", "HTTP 404 + ContainerNotFound (azure)")]
    [InlineData("Cannot upload files, storage cap exceeded. (403 storage_cap_exceeded)", "unknown", "storage_cap_exceeded (b2)")]
    [InlineData("googleapi: Error 403: User Rate Limit Exceeded, userRateLimitExceeded", "rate_limited", "HTTP 403 + userRateLimitExceeded (googleapi)")]
    [InlineData("oauth2: cannot fetch token: 400 Bad Request\nResponse: {\"error\":\"invalid_grant\"}", "invalid_credentials", "HTTP 400 + invalid_grant (oauth)")]
    [InlineData("NewFs: failed to make FTP connection to \"h:21\": 530 Login incorrect.", "invalid_credentials", "FTP 530 (ftp)")]
    [InlineData("sftp: \"Read only file system\" (SSH_FX_FAILURE)", "access_denied", "SSH_FX_FAILURE (sftp), read-only")]
    [InlineData("couldn't fetch token: oauth2: cannot fetch token: 401 Unauthorized", "invalid_credentials", "HTTP 401 (oauth), token refused")]
    [InlineData("upload failed: bad status: 502", "network_error", "HTTP 502 (http)")]
    [InlineData("list failed: unexpected status 423", "conflict", "HTTP 423 (http)")]
    [InlineData("could not access root-path: Error \"502\"", "network_error", "HTTP 502 (http)")]
    [InlineData("Requested entity was not found. (404 NOT_FOUND)", "not_found", "HTTP 404 + NOT_FOUND (google)")]
    [InlineData("Quota exceeded for quota metric 'Read requests' (429 RESOURCE_EXHAUSTED)", "rate_limited", "HTTP 429 + RESOURCE_EXHAUSTED (google)")]
    public void Classify_ProviderFormats_CodeAndEvidence(string message, string expected, string evidence)
    {
        var result = Classifier.Classify(message);
        Assert.Equal(expected, result.Code);
        Assert.Contains(evidence, result.Evidence, StringComparison.Ordinal);
        Assert.Equal("provider", result.EvidenceLayer);
    }

    [Theory]
    [InlineData("Error \"item_name_invalid\" (400): Item name invalid", "validation_error", "HTTP 400 + item_name_invalid (rest)")]
    [InlineData("Error \"operation_blocked_temporary\" (409): The operation is blocked", "conflict", "HTTP 409 + operation_blocked_temporary (rest)")]
    [InlineData("mkdir: [DiskPathPointsToExistentDirectoryError] Specified path points to an existing directory.", "conflict", "DiskPathPointsToExistentDirectoryError (yandex)")]
    [InlineData("Couldn't move: [409 - DiskPathDoesntExistsError] Specified path \"disk:/dir\" doesn't exists.", "not_found", "HTTP 409 + DiskPathDoesntExistsError (yandex)")]
    [InlineData("error listing: [503 - ServiceUnavailableError] Service is unavailable", "rate_limited", "HTTP 503 + ServiceUnavailableError (yandex)")]
    [InlineData("Error \"access_denied_item_locked\" (403): Access denied - item locked", "conflict", "HTTP 403 + access_denied_item_locked (rest), item locked")]
    [InlineData("batch upload failed: path/no_write_permission", "access_denied", "no_write_permission (dropbox)")]
    [InlineData("upload failed: path/conflict/file/..", "conflict", "conflict (dropbox)")]
    [InlineData("upload failed: path/no_write_permission/...", "access_denied", "no_write_permission (dropbox)")]
    [InlineData("error listing: path/locked/.", "conflict", "locked (dropbox)")]
    [InlineData("f.bin: Couldn't delete: file error 400 (exists)", "conflict", "HTTP 400 + exists (mailru)")]
    [InlineData(": error listing: server error 403 (token)", "invalid_credentials", "HTTP 403 + token (mailru)")]
    public void Classify_CodesNoListNames_ReadByTheirWords(string message, string expected, string evidence)
    {
        var result = Classifier.Classify(message);
        Assert.Equal(expected, result.Code);
        Assert.Equal(evidence, result.Evidence);
    }

    [Theory]
    [InlineData("DiskNotFoundError", "not_found")]
    [InlineData("access_denied_insufficient_permissions", "access_denied")]
    [InlineData("StorageQuotaExhausted", "unknown")]
    [InlineData("TooManyRequestsError", "rate_limited")]
    [InlineData("TokenExpired", "invalid_credentials")]
    [InlineData("ResourceNonexistent", "not_found")]
    [InlineData("FolderNotEmpty", "conflict")]
    [InlineData("ServiceTemporarilyUnavailable", "rate_limited")]
    public void CodeWords_ShapedCodes_ReadByTheirWords(string token, string expected) =>
        Assert.Equal(expected, CodeWords.Read(token));

    [Theory]
    [InlineData("denied")]          // a plain word of a sentence, not a code
    [InlineData("Failed")]
    [InlineData("request_id")]      // a code's shape, but its words say nothing
    [InlineData("ListObjectsV2")]
    public void CodeWords_WordsOrNamesThatSayNothing_Null(string token) => Assert.Null(CodeWords.Read(token));

    [Theory]
    [InlineData("Failed to copy: too many concurrent uploads, please wait", "rate_limited")]
    [InlineData("invalid parameter: name contains forbidden characters", "validation_error")]
    [InlineData("Failed to copy: illegal characters in file name", "validation_error")]
    [InlineData("src.bin: Failed to copy: invalid characters in object name", "validation_error")]
    [InlineData("f.bin: Failed to copy: unexpected status code (401) response while doing GET to https://api.put.io/v2/files/1002/url", "invalid_credentials")]
    [InlineData("failed to get session token: Invalid authentication token. Please create a new token in My Authentication Tokens. (error_invalid_authtoken)", "invalid_credentials")]
    [InlineData("src.bin: Failed to copy: json: cannot unmarshal string into Go struct field UploadInfo.data of type struct { UploadLink string }", "unknown")]
    [InlineData("key \"_config\": Reshape failed to Unmarshal: json: cannot unmarshal string into Go struct field ConfigInfo.Transfers of type int", "validation_error")]
    [InlineData("read metadata failed: XML syntax error on line 15771: illegal character code U+FFFE", "unknown")]
    [InlineData("error listing: couldn't list files: Unavailable: 403 Forbidden", "access_denied")]
    public void Classify_WordsOfBusyServersAndBadNames(string message, string expected) =>
        Assert.Equal(expected, Classifier.Classify(message).Code);

    [Theory]
    [InlineData("Failed to create file system for \"gd:\": drive: failed when making oauth client: error opening service account credentials file: open /etc/rclone/sa.json: no such file or directory", "invalid_credentials")]
    [InlineData("failed configuring Google Cloud Storage Service Account: error processing credentials: unexpected end of JSON input", "invalid_credentials")]
    [InlineData("oauth2: cannot fetch token: 400 Bad Request\nResponse: {\"error\": \"invalid_grant\", \"error_description\": \"Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.\"}", "request_time_skewed")]
    [InlineData("Attempt 1/1 failed with 1 errors and: can't make bucket without project number", "validation_error")]
    [InlineData("src.bin: Failed to copy: google photos API only allows uploading to albums rclone created", "access_denied")]
    [InlineData("open file failed: googleapi: Error 403: Only files with binary content can be downloaded. Use Export with Docs Editors files., fileNotDownloadable", "conflict")]
    [InlineData("failed to read private key file: open /home/u/.ssh/id: no such file or directory", "not_found")]   // labelled so by both labellers of set 12c
    public void Classify_GoogleCredentialsAndDriveTexts(string message, string expected) =>
        Assert.Equal(expected, Classifier.Classify(message).Code);

    [Theory]
    [InlineData("googleapi: Error 403: Quota exceeded for\n quota metric 'Queries' and limit 'Requests per minute'", "rate_limited")]
    [InlineData("Failed to sync: couldn't list directory: googleapi: Error 403: ... RATE_LIMIT_EXCEEDED", "rate_limited")]
    [InlineData("422 POST: A file or folder with that name already exists (Code=2500, Status=422)", "conflict")]
    [InlineData("Amazon cloud drive root 'media': 401 error received - invalidating token", "invalid_credentials")]
    [InlineData("authSRPComplete: sign in failed: incorrect username or password", "invalid_credentials")]
    [InlineData("validate2FACode failed: HTTP error 400 (400 Bad Request) returned body: \"{\\n \\\"successful\\\" : false\\n}\"", "invalid_credentials")]
    [InlineData("error listing: HTTP error 421 (421 Misdirected Request) returned body: \"{\\\"reason\\\":\\\"Missing X-APPLE-WEBAUTH-TOKEN cookie\\\"}\"", "invalid_credentials")]
    [InlineData("Failed to bisync: prior lock file found: /tmp/bs/work/SESS.lck", "conflict")]
    [InlineData("NewFs: couldn't connect SSH: ssh: rejected: administratively prohibited (open failed)", "access_denied")]
    [InlineData("{\n  \"path\": \"sync/bisync\",\n  \"status\": 500,\n  \"error\": \"bisync aborted\"\n}", "unknown")]
    [InlineData("Failed to create file system for \"gdrive:\": empty token", "invalid_credentials")]
    [InlineData("Failed to create file system for \"iCloud:\": missing icloud trust token", "invalid_credentials")]
    [InlineData("couldn't connect SMB: response error: The attempted logon is invalid. This is either due to a bad username or authentication information.", "invalid_credentials")]
    [InlineData("Failed to about: about call failed: No public access to this resource., Username or password was incorrect", "invalid_credentials")]
    [InlineData("Failed to copy: upload failed: 503", "rate_limited")]
    [InlineData("Failed to about: Error 400: admin_policy_enforced", "access_denied")]
    [InlineData("Failed to lsd: 501 \"No such directory.\"", "not_found")]
    [InlineData("Failed to create file system for \":s3,endpoint=x,secret_access_key=/Users/t/1/\": unquoted config value must end with `,` or `:`", "validation_error")]
    [InlineData("couldn't list files: invalidRequest: invalidResourceId: ObjectHandle is Invalid", "conflict")]
    [InlineData("Error 60001 (422): Validation failed", "validation_error")]
    public void Classify_QuotedFromOtherProjects(string message, string expected) =>
        Assert.Equal(expected, Classifier.Classify(message).Code);

    [Fact]
    public void Classify_NameShapedLikeACodeInASentence_OtherLayersFirst()
    {
        // Go's net/http names an internal function here; the network layer reads the text before any word of it is taken for a code.
        var result = Classifier.Classify("couldn't list files: Propfind \"http://127.0.0.1:1/\": readLoopPeekFailLocked: <nil>");
        Assert.Equal(ErrorCodes.NetworkError, result.Code);
    }

    [Theory]
    [InlineData("BackendError: File or folder already exists", "conflict")]
    [InlineData("InternalError: the object does not exist", "not_found")]
    public void Classify_GenericProviderCodeWithoutStatus_TheWordsAfterItDecide(string message, string expected) =>
        Assert.Equal(expected, Classifier.Classify(message).Code);

    [Fact]
    public void Classify_MessageQuotedInJson_ReadWithItsQuotes() =>
        Assert.Equal("transfer_engine_incompatible", Classifier.Classify("{ \"error\": \"couldn't find method \\\"sync/bisync\\\"\", \"status\": 404 }").Code);

    [Fact]
    public void Classify_HttpStatusOf500_NotReadAsAnFtpReply()
    {
        var result = Classifier.Classify("Attempt 1/3 failed with 1 errors and: HTTP Error: 500: 500 Internal Error");
        Assert.Equal("unknown", result.Code);
        Assert.Contains("HTTP 500", result.Evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("couldn't initialize a new drive instance: this account requires a 2FA code", "invalid_credentials")]
    [InlineData("login: two-factor authentication code required", "invalid_credentials")]
    [InlineData("Fatal error: unknown flag: --protondrive-2fa", "transfer_engine_incompatible")]
    public void Classify_SecondFactor_CredentialsButNotInAFlagName(string message, string expected) =>
        Assert.Equal(expected, Classifier.Classify(message).Code);

    [Theory]
    [InlineData("Get \"https://h/\": dial tcp 10.0.0.1:443: i/o timeout", "endpoint_unreachable")]
    [InlineData("Propfind \"http://h/\": net/http: timeout awaiting response headers", "upstream_timeout")]
    [InlineData("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer", "network_error")]
    [InlineData("Get \"https://h/\": x509: certificate signed by unknown authority", "network_error")]
    [InlineData("dial tcp: lookup s3.example.invalid: no such host", "endpoint_unreachable")]
    public void Classify_GoNetworkErrors_ByWhereTheyFailed(string message, string expected)
    {
        var result = Classifier.Classify(message);
        Assert.Equal(expected, result.Code);
        Assert.Equal("network", result.EvidenceLayer);
    }

    [Theory]
    [InlineData("sh: 1: rclone: not found")]
    [InlineData("Error: spawn rclone ENOENT")]
    [InlineData("FileNotFoundError: [Errno 2] No such file or directory: 'rclone'")]
    [InlineData("exec: \"rclone\": executable file not found in $PATH")]
    [InlineData("/usr/bin/env: ‘rclone’: No such file or directory")]
    public void Classify_LauncherWithoutRclone_TransferEngineMissing(string message)
    {
        Assert.Equal(ErrorCodes.TransferEngineMissing, Classifier.Classify(message).Code);
    }

    [Theory]
    [InlineData("didn't find backend called \"protondrive\"", "backend \"protondrive\"", "1.64")]
    [InlineData("couldn't find method \"core/du\"", "RC method \"core/du\"", "1.64")]
    [InlineData("Error: unknown flag: --max-buffer-memory", "flag \"--max-buffer-memory\"", "1.70")]
    [InlineData("Error: unknown flag: --vfs-read-chunk-streams", "flag \"--vfs-read-chunk-streams\"", "1.68")]   // mount's flag, from its own page
    public void Classify_NameOfANewerRclone_IncompatibleNamingTheRelease(string message, string name, string version)
    {
        var result = Classifier.Classify(message);
        Assert.Equal(ErrorCodes.TransferEngineIncompatible, result.Code);
        Assert.Contains(name, result.Evidence, StringComparison.Ordinal);
        Assert.Contains("rclone " + version, result.Suggestion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("didn't find backend called \"dropboks\"")]
    [InlineData("couldn't find method \"operations/copyflie\"")]
    [InlineData("Error: unknown flag: --no-such-flag")]
    public void Classify_NameNoReleaseHas_ValidationError(string message)
    {
        Assert.Equal(ErrorCodes.ValidationError, Classifier.Classify(message).Code);
    }

    [Theory]
    [InlineData("Fatal error: unknown flag: --vfs-cache-mode full", "validation_error")]   // mount's flag since 1.50, given to another command
    [InlineData("unknown flag: --drive-client-id", "transfer_engine_incompatible")]     // a backend flag every command takes: an rclone without it is too old
    public void Classify_UnknownFlagOfEveryRelease_CommandFlagIsMisusedGlobalFlagMeansOld(string message, string expected)
    {
        Assert.Equal(expected, Classifier.Classify(message).Code);
        Assert.True(RcloneVersions.IsCommandFlag("--vfs-cache-mode"));
        Assert.False(RcloneVersions.IsCommandFlag("--drive-client-id"));
    }

    [Fact]
    public void RcloneVersions_Added_FirstReleaseOrNull()
    {
        Assert.Equal("1.58", RcloneVersions.Added(RcloneNameKind.Method, "sync/bisync"));
        Assert.Equal(RcloneVersions.Oldest, RcloneVersions.Added(RcloneNameKind.Backend, "s3"));
        Assert.Equal("1.70", RcloneVersions.Added(RcloneNameKind.Flag, "--max-buffer-memory"));
        Assert.Null(RcloneVersions.Added(RcloneNameKind.Backend, "nosuchbackend"));
    }

    [Fact]
    public void Classify_QuotaFull_UnknownWithQuotaSuggestion()
    {
        var result = Classifier.Classify("Failed to copy: quotaLimitReached: Quota limit reached", remote: "od");
        Assert.Equal(ErrorCodes.Unknown, result.Code);
        Assert.Contains("quota", result.Suggestion, StringComparison.OrdinalIgnoreCase);
        Assert.False(result.Retryable);
    }

    [Fact]
    public void Classify_JobNotFound_ServerRestarted()
    {
        Assert.Equal(ErrorCodes.ServerRestarted, Classifier.Classify("job not found", 500).Code);
    }

    [Fact]
    public void ClassifyErrorResponse_From_CarriesEvidence()
    {
        var result = Classifier.Classify("error in ListJSON: NoSuchBucket: The specified bucket does not exist\n\tstatus code: 404, request id: , host id: ");
        var reply = ClassifyErrorResponse.From(result);
        Assert.Equal("HTTP 404 + NoSuchBucket (s3)", reply.Evidence);
        Assert.Equal(result.Evidence, result.ToJobError("x").Evidence);
    }

    [Fact]
    public void Classify_NothingToGoOn_NoEvidence()
    {
        var result = Classifier.Classify("something odd happened");
        Assert.Equal(ErrorCodes.Unknown, result.Code);
        Assert.Null(result.Evidence);
    }
}

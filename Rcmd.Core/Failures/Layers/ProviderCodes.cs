using System.Collections.Frozen;

namespace Rcmd.Failures.Layers;

/// <summary>
/// Providers' own error codes (S3 and S3-compatibles, Azure Storage, Backblaze B2, Google APIs, Microsoft Graph,
/// Dropbox, Box, WebDAV/Sabre exceptions, OAuth2 token errors, SFTP status codes) and what each means in the taxonomy.
/// Taken from the providers' published error-code lists, not from any one message. Case-insensitive.
/// </summary>
public static class ProviderCodes
{
    public static FrozenDictionary<string, string> All { get; } = Build();

    /// <summary>
    /// The taxonomy code of a provider code: from the lists below, else by its words (<see cref="CodeWords"/>).
    /// <paramref name="codeByPlace"/>: the text's format says this is a code (a Dropbox tag, Mail.ru's word), so a
    /// single word ("locked", "exists") is read too, not only names shaped like codes.
    /// </summary>
    public static string? Meaning(string providerCode, bool codeByPlace = false) =>
        All.TryGetValue(providerCode, out var code) ? code : CodeWords.Read(providerCode, shapedOnly: !codeByPlace);

    /// <summary>The taxonomy code of an HTTP status under issue 16's labelling rules; null when the status says nothing.</summary>
    public static string? ForStatus(int status) => status switch
    {
        400 or 405 or 411 or 413 or 414 or 415 or 416 or 422 => ErrorCodes.ValidationError,
        401 or 407 => ErrorCodes.InvalidCredentials,
        403 => ErrorCodes.AccessDenied,
        404 or 410 => ErrorCodes.NotFound,
        408 or 504 or 524 => ErrorCodes.UpstreamTimeout,
        409 or 412 or 423 or 428 => ErrorCodes.Conflict,
        429 or 503 or 509 => ErrorCodes.RateLimited,
        502 or 520 or 521 or 522 or 525 or 526 => ErrorCodes.NetworkError,
        402 => ErrorCodes.Unknown, // payment required: the account's plan or balance, no code of its own
        _ => null, // 500, 501, 507 and the rest: the status alone does not say why
    };

    private static FrozenDictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string code, params string[] names)
        {
            foreach (var name in names)
            {
                map[name] = code;
            }
        }

        Add(ErrorCodes.RateLimited,
            "SlowDown", "TooManyRequests", "TooManyRequestsException", "Throttling", "ThrottlingException", "ThrottledException",
            "RequestLimitExceeded", "RequestThrottled", "ProvisionedThroughputExceededException", "ServerBusy",
            "IngressOverAccountLimit", "EgressOverAccountLimit", "IngressIsOverAccountLimit", "EgressIsOverAccountLimit",
            "too_many_requests", "too_many_write_operations", "rate_limit_exceeded", "rate_limited", "service_unavailable",
            "userRateLimitExceeded", "rateLimitExceeded", "sharingRateLimitExceeded", "dailyLimitExceeded",
            "downloadQuotaExceeded", "uploadLimitExceeded", "activityLimitReached", "throttledRequest", "serviceNotAvailable",
            "ServiceUnavailable", "TooManyRequestsError", "temporarily_unavailable", "download_cap_exceeded", "transaction_cap_exceeded");
        Add(ErrorCodes.RequestTimeSkewed, "RequestTimeTooSkewed", "RequestExpired", "RequestTimeTooSkewedException");
        Add(ErrorCodes.SignatureMismatch, "SignatureDoesNotMatch", "AuthenticationFailed", "InvalidSignatureException", "IncompleteSignature");
        Add(ErrorCodes.InvalidCredentials,
            "InvalidAccessKeyId", "ExpiredToken", "ExpiredTokenException", "InvalidToken", "TokenRefreshRequired", "InvalidSecurity",
            "InvalidClientTokenId", "UnrecognizedClientException", "MissingAuthenticationToken", "NoCredentialProviders",
            "bad_auth_token", "expired_auth_token", "invalid_access_token", "expired_access_token", "invalid_grant",
            "invalid_client", "unauthorized_client", "InvalidAuthenticationToken", "InvalidAuthenticationInfo",
            "authError", "unauthenticated", "NotAuthenticated", "unauthorized", "Unauthorized", "invalid_token",
            "CredentialUnavailableError", "InvalidAuthenticationTokenTenant", "ExpiredAuthenticationToken", "NoAuthenticationInformation",
            "user_suspended", "invalid_select_user", "invalid_select_admin");
        Add(ErrorCodes.AccessDenied,
            "AccessDenied", "AllAccessDisabled", "AccountProblem", "AuthorizationPermissionMismatch", "AuthorizationFailure",
            "AccountIsDisabled", "InsufficientAccountPermissions", "AuthorizationResourceTypeMismatch",
            "AuthorizationSourceIPMismatch", "AuthorizationProtocolMismatch", "AuthorizationServiceMismatch",
            "Forbidden", "accessDenied", "insufficientPermissions", "insufficientFilePermissions", "forbidden",
            "insufficient_scope", "access_denied", "SSH_FX_PERMISSION_DENIED", "SSH_FX_WRITE_PROTECT", "domainPolicy",
            "cannotDownloadAbusiveFile", "appNotAuthorizedToFile", "notAllowed", "PublicAccessNotPermitted", "invalid_account_type",
            "missing_scope", "route_access_denied", "no_write_permission", "restricted_content", "team_folder",
            "admin_policy_enforced");
        Add(ErrorCodes.NotFound,
            "NoSuchBucket", "NoSuchKey", "NoSuchUpload", "NoSuchVersion", "NoSuchContainer", "NotFound", "not_found",
            "ContainerNotFound", "BlobNotFound", "ShareNotFound", "PathNotFound", "ResourceNotFound", "FileSystemNotFound",
            "itemNotFound", "notFound", "file_not_found", "path_not_found", "SSH_FX_NO_SUCH_FILE", "SSH_FX_NO_SUCH_PATH",
            "bad_bucket_id", "ParentNotFound", "NoSuchEntity", "file_not_present");
        Add(ErrorCodes.Conflict,
            "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "OperationAborted", "PreconditionFailed",
            "ConditionNotMet", "LeaseIdMissing", "LeaseAlreadyPresent", "LeaseIdMismatchWithBlobOperation",
            "LeaseIdMismatchWithContainerOperation", "LeaseIsBrokenAndCannotBeRenewed", "LeaseLost", "LeaseNotPresentWithBlobOperation",
            "ContainerBeingDeleted", "ContainerAlreadyExists", "BlobAlreadyExists", "BlobArchived", "BlobBeingRehydrated",
            "InvalidObjectState", "duplicate_bucket_name", "Locked", "Conflict", "nameAlreadyExists", "resourceModified",
            "item_name_in_use", "PathAlreadyExists", "DirectoryNotEmpty", "SSH_FX_FILE_ALREADY_EXISTS", "SSH_FX_DIR_NOT_EMPTY",
            "SSH_FX_NOT_A_DIRECTORY", "SSH_FX_FILE_IS_A_DIRECTORY", "SSH_FX_LOCK_CONFLICT", "InvalidBlobType", "TargetConditionNotMet",
            "not_folder", "not_file", "lockMismatch", "fileNotDownloadable");
        Add(ErrorCodes.ValidationError,
            "InvalidArgument", "InvalidBucketName", "InvalidObjectName", "InvalidRequest", "MalformedXML", "EntityTooLarge",
            "EntityTooSmall", "KeyTooLongError", "InvalidQueryParameterValue", "InvalidHeaderValue", "InvalidUri",
            "MissingRequiredHeader", "OutOfRangeInput", "InvalidInput", "InvalidResourceName", "InvalidBlobOrBlock",
            "bad_request", "invalidParameter", "BadRequest", "invalidRequest", "malformed_path", "disallowed_name",
            "invalid_request", "MissingContentLength", "InvalidLocationConstraint", "IllegalLocationConstraintException",
            "AuthorizationHeaderMalformed", "InvalidDigest", "invalid_scope", "unsupported_grant_type",
            "SSH_FX_BAD_MESSAGE", "SSH_FX_OP_UNSUPPORTED", "InvalidRange", "MethodNotAllowed");
        // google.rpc.Code names, as Google's JSON errors carry them in "status" (Photos prints "(404 NOT_FOUND)").
        // ("UNAVAILABLE" is left out: the dictionary ignores case, and "Unavailable: 403 Forbidden" is a refusal.)
        Add(ErrorCodes.RateLimited, "RESOURCE_EXHAUSTED");
        Add(ErrorCodes.AccessDenied, "PERMISSION_DENIED");
        // ("ABORTED" is left out: the dictionary ignores case, and rclone's "bisync aborted" is a consequence line.)
        Add(ErrorCodes.Conflict, "ALREADY_EXISTS", "FAILED_PRECONDITION");
        Add(ErrorCodes.ValidationError, "INVALID_ARGUMENT", "OUT_OF_RANGE");
        Add(ErrorCodes.UpstreamTimeout, "DEADLINE_EXCEEDED");
        Add(ErrorCodes.Unknown, "UNIMPLEMENTED", "DATA_LOSS");
        Add(ErrorCodes.ServerRestarted, "XMinioServerNotInitialized");
        Add(ErrorCodes.UpstreamTimeout, "RequestTimeout", "OperationTimedOut", "request_timeout", "GatewayTimeout", "deadlineExceeded", "RequestTimeoutException");
        Add(ErrorCodes.NetworkError, "BadDigest", "BadGateway", "bad_gateway", "IncompleteBody", "SSH_FX_CONNECTION_LOST", "SSH_FX_NO_CONNECTION");
        Add(ErrorCodes.Unknown,
            "QuotaExceeded", "storage_cap_exceeded", "InsufficientStorage", "storageQuotaExceeded", "quotaLimitReached",
            "insufficient_space", "insufficient_quota", "quotaExceeded", "teamDriveFileLimitExceeded", "SSH_FX_QUOTA_EXCEEDED",
            "AccountStorageQuotaExceeded", "storage_limit_exceeded", "InternalError", "internal_error", "backendError",
            "internalError", "ServerError", "generalException", "SSH_FX_FAILURE", "NotImplemented");
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}

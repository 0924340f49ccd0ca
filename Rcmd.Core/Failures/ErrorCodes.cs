namespace Rcmd.Failures;

/// <summary>
/// The failure codes of ../shared/seeds/failure-taxonomy.md. The same strings appear in API errors
/// (<c>error.normalizedError.code</c>), job records (<c>error.code</c>), events, logs (<c>error_code</c>) and metrics.
/// </summary>
public static class ErrorCodes
{
    // Authentication / permission
    public const string InvalidCredentials = "invalid_credentials";
    public const string AccessDenied = "access_denied";
    public const string SignatureMismatch = "signature_mismatch";
    public const string RequestTimeSkewed = "request_time_skewed";

    // Network / endpoint
    public const string EndpointUnreachable = "endpoint_unreachable";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string NetworkError = "network_error";

    // Environment / dependencies
    public const string TransferEngineMissing = "transfer_engine_missing";
    public const string TransferEngineIncompatible = "transfer_engine_incompatible";

    // Resource / target
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string RateLimited = "rate_limited";

    // Job flow
    public const string Canceled = "canceled";
    public const string ServerRestarted = "server_restarted";
    public const string ValidationError = "validation_error";
    public const string Unknown = "unknown";

    /// <summary>Used as the <c>error_code</c> label of jobs that did not fail.</summary>
    public const string None = "none";

    public static IReadOnlyList<string> All { get; } =
    [
        InvalidCredentials, AccessDenied, SignatureMismatch, RequestTimeSkewed,
        EndpointUnreachable, UpstreamTimeout, NetworkError,
        TransferEngineMissing, TransferEngineIncompatible,
        NotFound, Conflict, RateLimited,
        Canceled, ServerRestarted, ValidationError, Unknown,
    ];
}

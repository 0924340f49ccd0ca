using Rcmd.Failures;

namespace Rcmd.Api.Errors;

/// <summary>
/// The API's error answers, all in the one shape of <see cref="ErrorResponse"/>. Messages are written for the
/// caller; they never carry a stack trace, a connection string or a credential.
/// </summary>
internal static class ApiErrors
{
    public const string FieldBody = "body";

    public static ErrorResponse Validation(IReadOnlyDictionary<string, string[]> fields, string message = "The request is not valid.") =>
        ErrorResponse.Create(ErrorCodes.ValidationError, message, fields: fields);

    public static ErrorResponse Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ErrorResponse JobNotFound(string id) =>
        ErrorResponse.Create(ErrorCodes.NotFound, $"No job with id '{Shorten(id)}'.");

    public static ErrorResponse Conflict(string message) => ErrorResponse.Create(ErrorCodes.Conflict, message);

    public static ErrorResponse RedisUnreachable() => ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
        "The job store (Redis) is not reachable right now.", retryable: true,
        suggestion: "Try again in a few seconds; if it persists, check that redis-server is running.");

    public static ErrorResponse RcloneUnreachable() => ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
        "rclone's remote control (rclone rcd) is not reachable right now.", retryable: true,
        suggestion: "Try again in a few seconds; if it persists, check that rclone rcd is running.");

    public static ErrorResponse Timeout() => ErrorResponse.Create(ErrorCodes.UpstreamTimeout,
        "A service the API depends on did not answer in time.", retryable: true,
        suggestion: "Try again in a few seconds; if it persists, check Redis and rclone rcd.");

    public static ErrorResponse Unexpected(string traceId) => ErrorResponse.Create(ErrorCodes.Unknown,
        $"An unexpected error occurred (trace id {traceId}).", suggestion: "Search the API's log for the trace id.");

    /// <summary>The error of a response that ended with a status and no body (routing, auth, limits).</summary>
    public static ErrorResponse ForStatus(int status, string path) => status switch
    {
        StatusCodes.Status400BadRequest => Validation(FieldBody, "The request could not be read."),
        StatusCodes.Status401Unauthorized => ErrorResponse.Create(ErrorCodes.InvalidCredentials,
            "An API key is required: send it in the X-Api-Key header."),
        StatusCodes.Status403Forbidden => ErrorResponse.Create(ErrorCodes.AccessDenied, "This API key may not do that."),
        StatusCodes.Status404NotFound => ErrorResponse.Create(ErrorCodes.NotFound, $"Nothing is served at '{Shorten(path)}'."),
        StatusCodes.Status405MethodNotAllowed => ErrorResponse.Create(ErrorCodes.ValidationError,
            $"'{Shorten(path)}' does not accept this HTTP method."),
        StatusCodes.Status413PayloadTooLarge => Validation(FieldBody, "The request body is too large."),
        StatusCodes.Status415UnsupportedMediaType => Validation(FieldBody, "Send JSON with Content-Type: application/json."),
        StatusCodes.Status503ServiceUnavailable => ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
            "The service is not available right now.", retryable: true),
        StatusCodes.Status504GatewayTimeout => Timeout(),
        < 500 => ErrorResponse.Create(ErrorCodes.ValidationError, $"The request was refused (HTTP {status})."),
        _ => ErrorResponse.Create(ErrorCodes.Unknown, $"The request failed (HTTP {status})."),
    };

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}

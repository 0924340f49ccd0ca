using Rcmd.Failures;

namespace Rcmd.Api.Errors;

/// <summary>
/// The API's error answers, all in the one shape of <see cref="ErrorResponse"/>. Messages are written for the
/// caller; they never carry a stack trace, a connection string or a credential.
/// </summary>
internal static class ApiErrors
{
    public const string FieldBody = "body";

    /// <summary>The <c>Retry-After</c> of a retryable error when nothing says how long to wait. 5 s.</summary>
    public const int DefaultRetryAfterSeconds = 5;

    public static ErrorResponse Validation(IReadOnlyDictionary<string, string[]> fields, string message = "The request is not valid.") =>
        ErrorResponse.Create(ErrorCodes.ValidationError, message, fields: fields);

    public static ErrorResponse Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ErrorResponse JobNotFound(string id) =>
        ErrorResponse.Create(ErrorCodes.NotFound, $"No job with id '{Shorten(id)}'.");

    public static ErrorResponse Conflict(string message) => ErrorResponse.Create(ErrorCodes.Conflict, message);

    /// <summary>Redis did not answer; <paramref name="classification"/> (the classifier's view of the failure) sets the code.</summary>
    public static ErrorResponse RedisUnreachable(Classification? classification = null) => Dependency(classification,
        "The job store (Redis) is not reachable right now.",
        "Try again in a few seconds; if it persists, check that redis-server is running.");

    /// <summary>How long a caller refused for Redis being full is asked to wait: the sweep or an operator must free memory. 30 s.</summary>
    public static readonly TimeSpan OutOfMemoryRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>Redis refused the write: it reached its <c>maxmemory</c> (nothing was written).</summary>
    public static ErrorResponse RedisOutOfMemory() => ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
        "Redis is out of memory: the job store refuses new writes until memory is freed. Nothing was written.", retryable: true,
        suggestion: "Try again later. Operators: lower Rcmd__Retention__Succeeded / __Failed / __MaxFinishedJobs so the sweep frees memory, or raise Redis's maxmemory.");

    /// <summary>rcd did not answer; <paramref name="classification"/> (the classifier's view of the failure) sets the code.</summary>
    public static ErrorResponse RcloneUnreachable(Classification? classification = null) => Dependency(classification,
        "rclone's remote control (rclone rcd) is not reachable right now.",
        "Try again in a few seconds; if it persists, check that rclone rcd is running.");

    public static ErrorResponse Timeout() => ErrorResponse.Create(ErrorCodes.UpstreamTimeout,
        "A service the API depends on did not answer in time.", retryable: true,
        suggestion: "Try again in a few seconds; if it persists, check Redis and rclone rcd.");

    public static ErrorResponse Unexpected(string traceId) => ErrorResponse.Create(ErrorCodes.Unknown,
        $"An unexpected error occurred (trace id {traceId}).", suggestion: "Search the API's log for the trace id.");

    /// <summary>The error of a classified failure: the classifier's code, retryable and suggestion, with the API's own message.</summary>
    public static ErrorResponse From(Classification classification, string message, string? suggestion = null)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return ErrorResponse.Create(classification.Code, message, classification.Retryable, suggestion ?? classification.Suggestion);
    }

    /// <summary>A <c>rate_limited</c> refusal (answered 429 with <c>Retry-After</c>).</summary>
    public static ErrorResponse RateLimited(string message, string? suggestion = null) =>
        ErrorResponse.Create(ErrorCodes.RateLimited, message, retryable: true, suggestion: suggestion);

    /// <summary>
    /// The <c>Retry-After</c> seconds an error answer carries, or null for none: always for <c>rate_limited</c>
    /// (failure-taxonomy.md), and for any retryable error and any 503. <paramref name="retryAfter"/> (what the server or a
    /// breaker said) is rounded up to whole seconds, at least 1; without it, <see cref="DefaultRetryAfterSeconds"/>.
    /// </summary>
    public static int? RetryAfterSeconds(ErrorResponse error, int status, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var normalized = error.Error.NormalizedError;
        if (normalized.Code != ErrorCodes.RateLimited && !normalized.Retryable && status != StatusCodes.Status503ServiceUnavailable)
        {
            return null;
        }

        return retryAfter is { } wait && wait > TimeSpan.Zero
            ? (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, int.MaxValue)
            : DefaultRetryAfterSeconds;
    }

    /// <summary>Writes an error answer: status, <c>Retry-After</c> when <see cref="RetryAfterSeconds"/> says so, and the JSON body.</summary>
    public static Task WriteAsync(HttpContext context, int status, ErrorResponse error, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        if (RetryAfterSeconds(error, status, retryAfter) is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return context.Response.WriteAsJsonAsync(error, Serialization.RcmdJsonContext.Default.ErrorResponse, contentType: null, cancellationToken);
    }

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
        StatusCodes.Status429TooManyRequests => RateLimited("Too many requests: wait for the time in the Retry-After header, then try again."),
        StatusCodes.Status503ServiceUnavailable => ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
            "The service is not available right now.", retryable: true),
        StatusCodes.Status504GatewayTimeout => Timeout(),
        < 500 => ErrorResponse.Create(ErrorCodes.ValidationError, $"The request was refused (HTTP {status})."),
        _ => ErrorResponse.Create(ErrorCodes.Unknown, $"The request failed (HTTP {status})."),
    };

    private static ErrorResponse Dependency(Classification? classification, string message, string suggestion) =>
        ErrorResponse.Create(classification?.Code ?? ErrorCodes.EndpointUnreachable, message, classification?.Retryable ?? true, suggestion);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}

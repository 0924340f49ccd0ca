using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Rcmd.Failures;
using Rcmd.Rclone;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Errors;

/// <summary>
/// Turns an exception that escaped a handler into the API's error shape. Failures of the dependencies — Redis, rcd —
/// go through the shared <see cref="FailureClassifier"/>, so their <c>normalizedError</c> (code, retryable, suggestion)
/// is the one a job record would carry: unreachable or timing out answers 503 (retryable, with <c>Retry-After</c>);
/// an error rcd answered is 429 when it is <c>rate_limited</c> (with <c>Retry-After</c>), 503 when retryable, else 502.
/// Anything unexpected answers 500 <c>unknown</c> with a trace id to look up in the log — never the exception's text,
/// which may name internals.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        var (status, error, retryAfter) = Classify(context, exception);
        if (RedisMemory.IsOutOfMemory(exception))
        {
            _ = ReportOutOfMemoryAsync(context.RequestServices);
        }

        if (status >= 500 && error.Error.NormalizedError.Code == ErrorCodes.Unknown && exception is not RcloneException)
        {
            LogUnexpected(logger, context.Request.Method, context.Request.Path, exception);
        }
        else if (status >= 500 || status == StatusCodes.Status429TooManyRequests)
        {
            LogDependencyFailure(logger, context.Request.Method, context.Request.Path, error.Error.NormalizedError.Code,
                exception.GetType().Name, SecretRedactor.Redact(exception.Message));
        }

        await ApiErrors.WriteAsync(context, status, error, retryAfter, cancellationToken);
        return true;
    }

    internal static (int Status, ErrorResponse Error, TimeSpan? RetryAfter) Classify(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return (StatusCodes.Status400BadRequest, ApiErrors.Validation(ApiErrors.FieldBody, "The request body is too large."), null);
            case BadHttpRequestException bad:
                return (bad.StatusCode, ApiErrors.Validation(ApiErrors.FieldBody, bad.Message), null);
            case RedisServerException when RedisMemory.IsOutOfMemory(exception):
                return (StatusCodes.Status503ServiceUnavailable, ApiErrors.RedisOutOfMemory(), ApiErrors.OutOfMemoryRetryAfter);
            case RedisConnectionException or RedisTimeoutException:
            {
                // Not connected: the command waited in the client's backlog and never reached Redis — unreachable, however the
                // client words its timeout. Connected and no answer in time: a timeout.
                var connected = context.RequestServices.GetService<RedisConnection>()?.Multiplexer.IsConnected == true;
                var classification = exception is RedisTimeoutException && connected
                    ? Dependency(exception, ErrorCodes.UpstreamTimeout)
                    : FailureClassifier.Default.Classify(FallbackText(ErrorCodes.EndpointUnreachable));
                return (StatusCodes.Status503ServiceUnavailable, ApiErrors.RedisUnreachable(classification), classification.RetryAfter);
            }

            case HttpRequestException:
            {
                var classification = Dependency(exception, ErrorCodes.EndpointUnreachable);
                return (StatusCodes.Status503ServiceUnavailable, ApiErrors.RcloneUnreachable(classification), classification.RetryAfter);
            }

            case RcloneException rclone:
            {
                var classification = FailureClassifier.Default.Classify(rclone);
                var status = classification.Code == ErrorCodes.RateLimited ? StatusCodes.Status429TooManyRequests
                    : classification.Retryable ? StatusCodes.Status503ServiceUnavailable
                    : StatusCodes.Status502BadGateway;
                return (status, ApiErrors.From(classification, $"rclone rcd refused {rclone.Method} (HTTP {rclone.Status})."), classification.RetryAfter);
            }

            case TimeoutException or OperationCanceledException:
                return (StatusCodes.Status503ServiceUnavailable, ApiErrors.Timeout(), null);
            default:
                return (StatusCodes.Status500InternalServerError,
                    ApiErrors.Unexpected(Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier), null);
        }
    }

    /// <summary>Raises REDIS_OUT_OF_MEMORY (once per episode, see <see cref="RedisMemory"/>); never fails the answer.</summary>
    private async Task ReportOutOfMemoryAsync(IServiceProvider services)
    {
        try
        {
            var memory = new RedisMemory(services.GetRequiredService<RedisConnection>());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await memory.ReportOutOfMemoryAsync(services.GetRequiredService<TimeProvider>().GetUtcNow(), "api", timeout.Token);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            LogOutOfMemoryReportFailed(logger, ex.GetType().Name);
        }
    }

    /// <summary>
    /// A dependency (Redis, rcd) that did not answer, classified (refused, timed out, broke off); when the classifier does
    /// not see a transient network failure in it, the outage is <paramref name="fallback"/> — the dependency is still
    /// not answering, which is worth retrying, never <c>unknown</c>.
    /// </summary>
    private static Classification Dependency(Exception exception, string fallback)
    {
        var classification = FailureClassifier.Default.Classify(exception);
        return classification.Retryable
            ? classification
            : FailureClassifier.Default.Classify(FallbackText(fallback));
    }

    /// <summary>
    /// What a dependency that did not answer in time, or could not be reached, says in Go's words: the classifier reads
    /// these as <c>upstream_timeout</c> and <c>endpoint_unreachable</c> (a bare 503 is <c>rate_limited</c> since issue 16).
    /// </summary>
    private static string FallbackText(string code) => code == ErrorCodes.UpstreamTimeout
        ? "read tcp 127.0.0.1:6379: i/o timeout"
        : "dial tcp 127.0.0.1:6379: connect: connection refused";

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "REDIS_OUT_OF_MEMORY could not be notified ({ExceptionType})")]
    private static partial void LogOutOfMemoryReportFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unexpected error answering {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "{Method} {Path} answered {ErrorCode}: {ExceptionType}: {ExceptionMessage}")]
    private static partial void LogDependencyFailure(ILogger logger, string method, string path, string errorCode,
        string exceptionType, string exceptionMessage);
}

using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Rcmd.Failures;
using Rcmd.Rclone;
using Rcmd.Serialization;
using StackExchange.Redis;

namespace Rcmd.Api.Errors;

/// <summary>
/// Turns an exception that escaped a handler into the API's error shape. Redis or rcd being unreachable answers
/// 503 <c>endpoint_unreachable</c> (retryable) at once; anything unexpected answers 500 <c>unknown</c> with a trace
/// id to look up in the log — never the exception's text, which may name internals.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        var (status, error) = Classify(context, exception);
        if (status >= 500 && error.Error.NormalizedError.Code == ErrorCodes.Unknown)
        {
            LogUnexpected(logger, context.Request.Method, context.Request.Path, exception);
        }
        else if (status >= 500)
        {
            LogDependencyFailure(logger, context.Request.Method, context.Request.Path, error.Error.NormalizedError.Code,
                exception.GetType().Name, exception.Message);
        }

        context.Response.StatusCode = status;
        if (error.Error.NormalizedError.Retryable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await context.Response.WriteAsJsonAsync(error, RcmdJsonContext.Default.ErrorResponse, contentType: null, cancellationToken);
        return true;
    }

    internal static (int Status, ErrorResponse Error) Classify(HttpContext context, Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status400BadRequest, ApiErrors.Validation(ApiErrors.FieldBody, "The request body is too large.")),
        BadHttpRequestException bad => (bad.StatusCode, ApiErrors.Validation(ApiErrors.FieldBody, bad.Message)),
        RedisConnectionException or RedisTimeoutException => (StatusCodes.Status503ServiceUnavailable, ApiErrors.RedisUnreachable()),
        HttpRequestException => (StatusCodes.Status503ServiceUnavailable, ApiErrors.RcloneUnreachable()),
        RcloneException rclone => (StatusCodes.Status502BadGateway, ErrorResponse.Create(ErrorCodes.Unknown,
            $"rclone rcd refused {rclone.Method} (HTTP {rclone.Status}).")),
        TimeoutException or OperationCanceledException => (StatusCodes.Status503ServiceUnavailable, ApiErrors.Timeout()),
        _ => (StatusCodes.Status500InternalServerError, ApiErrors.Unexpected(Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier)),
    };

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unexpected error answering {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "{Method} {Path} answered {ErrorCode}: {ExceptionType}: {ExceptionMessage}")]
    private static partial void LogDependencyFailure(ILogger logger, string method, string path, string errorCode,
        string exceptionType, string exceptionMessage);
}

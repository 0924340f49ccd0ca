using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Rcmd.Api.Errors;
using Rcmd.Failures;
using Rcmd.Rclone;

namespace Rcmd.Api.Tests.Errors;

/// <summary>The error answers without a server: Retry-After rules and how dependency failures are classified.</summary>
public sealed class ApiErrorsTests
{
    [Fact]
    public void RetryAfterSeconds_RateLimitedWithoutAWait_DefaultSeconds()
    {
        var error = ApiErrors.RateLimited("Slow down.");

        Assert.Equal(ApiErrors.DefaultRetryAfterSeconds, ApiErrors.RetryAfterSeconds(error, StatusCodes.Status429TooManyRequests));
    }

    [Fact]
    public void RetryAfterSeconds_RateLimitedEvenIfNotMarkedRetryable_StillAnswered()
    {
        var error = ErrorResponse.Create(ErrorCodes.RateLimited, "Slow down.", retryable: false);

        Assert.Equal(ApiErrors.DefaultRetryAfterSeconds, ApiErrors.RetryAfterSeconds(error, StatusCodes.Status502BadGateway));
    }

    [Theory]
    [InlineData(2200, 3)]
    [InlineData(30_000, 30)]
    [InlineData(1, 1)]
    public void RetryAfterSeconds_KnownWait_RoundedUpToWholeSeconds(int waitMs, int seconds)
    {
        var error = ApiErrors.RateLimited("Slow down.");

        Assert.Equal(seconds, ApiErrors.RetryAfterSeconds(error, StatusCodes.Status429TooManyRequests, TimeSpan.FromMilliseconds(waitMs)));
    }

    [Fact]
    public void RetryAfterSeconds_PermanentErrorNot503_None()
    {
        Assert.Null(ApiErrors.RetryAfterSeconds(ApiErrors.Conflict("no"), StatusCodes.Status409Conflict));
        Assert.Null(ApiErrors.RetryAfterSeconds(ApiErrors.Validation("body", "bad"), StatusCodes.Status400BadRequest));
    }

    [Fact]
    public void RetryAfterSeconds_Any503_Answered()
    {
        var error = ErrorResponse.Create(ErrorCodes.Unknown, "Down.");

        Assert.Equal(ApiErrors.DefaultRetryAfterSeconds, ApiErrors.RetryAfterSeconds(error, StatusCodes.Status503ServiceUnavailable));
    }

    [Fact]
    public async Task WriteAsync_RateLimitedBody_SetsStatusRetryAfterAndTheErrorShape()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, ApiErrors.RateLimited("Slow down."), TimeSpan.FromSeconds(7),
            CancellationToken.None);

        Assert.Equal(StatusCodes.Status429TooManyRequests, context.Response.StatusCode);
        Assert.Equal("7", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("\"code\":\"rate_limited\"", text, StringComparison.Ordinal);
        Assert.Contains("\"retryable\":true", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ForStatus_429_RateLimitedAndRetryable()
    {
        var error = ApiErrors.ForStatus(StatusCodes.Status429TooManyRequests, "/api/jobs");

        Assert.Equal(ErrorCodes.RateLimited, error.Error.NormalizedError.Code);
        Assert.True(error.Error.NormalizedError.Retryable);
        Assert.NotNull(ApiErrors.RetryAfterSeconds(error, StatusCodes.Status429TooManyRequests));
    }

    [Fact]
    public void Classify_RcdAnswersRateLimitedWithRetryAfter_429WithTheServersWait()
    {
        var exception = new RcloneException("operations/list", 500, "error in ListJSON: SlowDown: Please reduce your request rate. Retry-After: 12");

        var (status, error, retryAfter) = ApiExceptionHandler.Classify(new DefaultHttpContext(), exception);

        Assert.Equal(StatusCodes.Status429TooManyRequests, status);
        Assert.Equal(ErrorCodes.RateLimited, error.Error.NormalizedError.Code);
        Assert.True(error.Error.NormalizedError.Retryable);
        Assert.False(string.IsNullOrWhiteSpace(error.Error.NormalizedError.Suggestion));
        Assert.Equal(TimeSpan.FromSeconds(12), retryAfter);
        Assert.Equal(12, ApiErrors.RetryAfterSeconds(error, status, retryAfter));
        Assert.DoesNotContain("SlowDown", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RcdAnswersAccessDenied_502PermanentWithTheClassifiersSuggestion()
    {
        var exception = new RcloneException("operations/list", 500, "Failed to create file system for \"s3prod:b\": AccessDenied: Access Denied status code: 403");
        var expected = FailureClassifier.Default.Classify(exception);

        var (status, error, _) = ApiExceptionHandler.Classify(new DefaultHttpContext(), exception);

        Assert.Equal(StatusCodes.Status502BadGateway, status);
        Assert.Equal(ErrorCodes.AccessDenied, error.Error.NormalizedError.Code);
        Assert.False(error.Error.NormalizedError.Retryable);
        Assert.Equal(expected.Suggestion, error.Error.NormalizedError.Suggestion);
        Assert.Null(ApiErrors.RetryAfterSeconds(error, status));
    }

    [Fact]
    public void Classify_RcdConnectionRefused_503EndpointUnreachableRetryable()
    {
        var exception = new HttpRequestException("Connection refused (127.0.0.1:5572)", new SocketException((int)SocketError.ConnectionRefused));

        var (status, error, _) = ApiExceptionHandler.Classify(new DefaultHttpContext(), exception);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal(ErrorCodes.EndpointUnreachable, error.Error.NormalizedError.Code);
        Assert.True(error.Error.NormalizedError.Retryable);
        Assert.DoesNotContain("5572", error.Error.Message, StringComparison.Ordinal);
    }
}

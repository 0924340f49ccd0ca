using System.Net.Sockets;
using System.Text.RegularExpressions;
using Rcmd.Failures;

namespace Rcmd.Core.Tests.Failures;

public sealed class FailureClassifierTests
{
    private static readonly FailureClassifier Classifier = FailureClassifier.Default;

    [Theory]
    [InlineData(429, ErrorCodes.RateLimited)]
    [InlineData(401, ErrorCodes.InvalidCredentials)]
    [InlineData(403, ErrorCodes.AccessDenied)]
    [InlineData(404, ErrorCodes.NotFound)]
    [InlineData(410, ErrorCodes.NotFound)]
    [InlineData(409, ErrorCodes.Conflict)]
    [InlineData(412, ErrorCodes.Conflict)]
    [InlineData(423, ErrorCodes.Conflict)]
    [InlineData(400, ErrorCodes.ValidationError)]
    [InlineData(422, ErrorCodes.ValidationError)]
    [InlineData(408, ErrorCodes.UpstreamTimeout)]
    [InlineData(504, ErrorCodes.UpstreamTimeout)]
    [InlineData(502, ErrorCodes.NetworkError)]
    [InlineData(503, ErrorCodes.RateLimited)]
    [InlineData(507, ErrorCodes.Unknown)]
    [InlineData(500, ErrorCodes.Unknown)]
    [InlineData(501, ErrorCodes.Unknown)]
    [InlineData(418, ErrorCodes.Unknown)]
    public void Classify_TextSaysNothing_FallsBackToStatus(int status, string expected)
    {
        Assert.Equal(expected, Classifier.Classify("something went wrong", status).Code);
    }

    [Fact]
    public void Classify_TextAndStatusDisagree_TextWins()
    {
        // rcd answers 500 for an S3 signature error: the text, not rcd's envelope status, says what happened.
        var result = Classifier.Classify("error in ListJSON: SignatureDoesNotMatch: The request signature we calculated does not match", 500);

        Assert.Equal(ErrorCodes.SignatureMismatch, result.Code);
    }

    [Fact]
    public void Classify_UpstreamStatusQuotedInText_WinsOverRcdStatus()
    {
        var result = Classifier.Classify("error in ListJSON: Teapot: I'm a teapot\n\tstatus code: 409, request id: , host id: ", 500);

        Assert.Equal(ErrorCodes.Conflict, result.Code);
    }

    [Fact]
    public void Classify_NothingKnown_IsUnknownPartialAndNotRetryable()
    {
        var result = Classifier.Classify("the flux capacitor is out of alignment");

        Assert.Equal(ErrorCodes.Unknown, result.Code);
        Assert.False(result.Retryable);
        Assert.Equal(FailureType.Partial, result.FailureType);
        Assert.Null(result.Rule);
    }

    [Theory]
    [InlineData(ErrorCodes.RateLimited, "SlowDown: Please reduce your request rate.")]
    [InlineData(ErrorCodes.EndpointUnreachable, "dial tcp 127.0.0.1:1: connect: connection refused")]
    [InlineData(ErrorCodes.UpstreamTimeout, "context deadline exceeded")]
    [InlineData(ErrorCodes.NetworkError, "read: connection reset by peer")]
    public void Classify_DefaultRetryableCodes_AreRetryable(string code, string message)
    {
        var result = Classifier.Classify(message);

        Assert.Equal(code, result.Code);
        Assert.True(result.Retryable);
        Assert.Equal(FailureType.Retryable, result.FailureType);
    }

    [Fact]
    public void Classify_EveryOtherCode_IsNotRetryableByDefault()
    {
        var retryable = ErrorCodes.All.Where(FailureClassifier.IsRetryableByDefault).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal([ErrorCodes.EndpointUnreachable, ErrorCodes.NetworkError, ErrorCodes.RateLimited, ErrorCodes.UpstreamTimeout], retryable);
    }

    [Fact]
    public void Classify_PermanentCode_IsPermanent()
    {
        var result = Classifier.Classify("AccessDenied: Access Denied\n\tstatus code: 403");

        Assert.Equal(ErrorCodes.AccessDenied, result.Code);
        Assert.False(result.Retryable);
        Assert.Equal(FailureType.Permanent, result.FailureType);
    }

    [Fact]
    public void Classify_SyncWithSeveralErrors_IsPartial()
    {
        var result = Classifier.Classify("Attempt 3/3 failed with 7 errors and: object not found");

        Assert.Equal(ErrorCodes.NotFound, result.Code);
        Assert.Equal(FailureType.Partial, result.FailureType);
    }

    [Fact]
    public void Classify_CustomRetryableSet_IsHonoured()
    {
        var classifier = new FailureClassifier(new FailureClassifierOptions
        {
            RetryableCodes = new HashSet<string> { ErrorCodes.Conflict },
        });

        Assert.True(classifier.Classify("423 Locked").Retryable);
        Assert.False(classifier.Classify("SlowDown: Please reduce your request rate.").Retryable);
        Assert.Equal(FailureType.Permanent, classifier.Classify("SlowDown: Please reduce your request rate.").FailureType);
    }

    [Fact]
    public void Classify_ExtraRules_ComeFirst()
    {
        var classifier = new FailureClassifier(new FailureClassifierOptions
        {
            ExtraRules = [new FailureRule(ErrorCodes.RateLimited, new Regex("frobnicator busy"), "site rule")],
        });

        Assert.Equal(ErrorCodes.RateLimited, classifier.Classify("frobnicator busy: directory not found").Code);
        Assert.Equal(ErrorCodes.NotFound, FailureClassifier.Default.Classify("frobnicator busy: directory not found").Code);
    }

    [Fact]
    public void Classify_RemoteGiven_SuggestionNamesIt()
    {
        var result = Classifier.Classify("InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.", 500, "s3prod");

        Assert.Equal(ErrorCodes.InvalidCredentials, result.Code);
        Assert.Equal("Check the access key and secret for remote s3prod.", result.Suggestion);
        Assert.Equal("s3prod", result.Remote);
    }

    [Fact]
    public void Classify_NoRemote_SuggestionSaysTheRemote()
    {
        var result = Classifier.Classify("InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.");

        Assert.Equal("Check the access key and secret for the remote.", result.Suggestion);
    }

    [Fact]
    public void Classify_RemoteInMessage_IsInferredWithoutItsOptions()
    {
        var result = Classifier.Classify("Failed to create file system for \":sftp,host=h,pass=secret:\": NewFs: couldn't connect SSH: ssh: handshake failed: ssh: unable to authenticate");

        Assert.Equal(":sftp", result.Remote);
        Assert.Contains("remote :sftp", result.Suggestion, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_MissingRemote_SuggestsAddingIt()
    {
        var result = Classifier.Classify("Failed to create file system for \"s3prod:bucket\": didn't find section in config file");

        Assert.Equal(ErrorCodes.ValidationError, result.Code);
        Assert.Equal("Remote s3prod is not in rclone's config: add it (rclone config) or fix the name.", result.Suggestion);
    }

    [Theory]
    [InlineData("HTTP error 429 (429 Too Many Requests) Retry-After: 30", 30_000)]
    [InlineData("Retry-After:[120]", 120_000)]
    [InlineData("throttled, retry after 45s", 45_000)]
    [InlineData("retry after 1m30s", 90_000)]
    [InlineData("pacer: too_many_requests: trying again in 2.5s", 2_500)]
    [InlineData("Too many requests or write operations. Trying again in 300 seconds.", 300_000)]
    [InlineData("please retry in 2 minutes", 120_000)]
    [InlineData("try again after 2025-03-01T10:00:30Z (29.5s)", 29_500)]
    public void ParseRetryAfter_KnownShapes_ReadTheWait(string text, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), FailureClassifier.ParseRetryAfter(text));
    }

    [Theory]
    [InlineData("SlowDown: Please reduce your request rate.")]
    [InlineData("Retry-After: Wed, 21 Oct 2015 07:28:00 GMT")]
    [InlineData("retry after a while")]
    public void ParseRetryAfter_NoUsableWait_IsNull(string text)
    {
        Assert.Null(FailureClassifier.ParseRetryAfter(text));
    }

    [Fact]
    public void Classify_RateLimitWithRetryAfter_CarriesItAndSaysSo()
    {
        var result = Classifier.Classify("read metadata failed: 429 Too Many Requests: Retry-After: 30", 500, "dav");

        Assert.Equal(ErrorCodes.RateLimited, result.Code);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RetryAfter);
        Assert.EndsWith("The server asked to wait 30s.", result.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_CallerRetryAfter_WinsOverText()
    {
        var result = Classifier.Classify(new FailureInput { Message = "Retry-After: 30", Status = 429, RetryAfter = TimeSpan.FromSeconds(5) });

        Assert.Equal(TimeSpan.FromSeconds(5), result.RetryAfter);
    }

    [Fact]
    public void Classify_TaskCanceledWithoutCallerCancel_IsTimeout_WithCallerCancel_IsCanceled()
    {
        var timeout = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException());

        Assert.Equal(ErrorCodes.UpstreamTimeout, Classifier.Classify(timeout).Code);
        Assert.Equal(ErrorCodes.Canceled, Classifier.Classify(timeout, callerCanceled: true).Code);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, ErrorCodes.EndpointUnreachable)]
    [InlineData(SocketError.HostNotFound, ErrorCodes.EndpointUnreachable)]
    [InlineData(SocketError.NetworkUnreachable, ErrorCodes.EndpointUnreachable)]
    [InlineData(SocketError.TimedOut, ErrorCodes.UpstreamTimeout)]
    [InlineData(SocketError.ConnectionReset, ErrorCodes.NetworkError)]
    public void Classify_HttpRequestExceptionWithSocketError_MapsTheSocketError(SocketError error, string expected)
    {
        var exception = new HttpRequestException("An error occurred while sending the request.", new SocketException((int)error));

        Assert.Equal(expected, Classifier.Classify(exception).Code);
    }

    [Fact]
    public void Classify_IOExceptionWithNoKnownText_IsNetworkError()
    {
        Assert.Equal(ErrorCodes.NetworkError, Classifier.Classify(new IOException("The response ended prematurely.")).Code);
    }

    [Fact]
    public void Classify_ExceptionAndMessage_MessageIsWhatRulesRead()
    {
        var result = Classifier.Classify(new FailureInput { Message = "directory not found", Exception = new InvalidOperationException("boom") });

        Assert.Equal(ErrorCodes.NotFound, result.Code);
    }

    [Fact]
    public void ToNormalizedError_CarriesCodeRetryableAndSuggestion()
    {
        var result = Classifier.Classify("SlowDown: Please reduce your request rate.", 500, "s3prod");

        var normalized = result.ToNormalizedError();

        Assert.Equal(new NormalizedError(ErrorCodes.RateLimited, true, result.Suggestion), normalized);
    }

    [Fact]
    public void ToJobError_RedactsTheMessage()
    {
        var result = Classifier.Classify("NewFs: couldn't connect SSH: ssh: unable to authenticate");

        var error = result.ToJobError("Failed to create file system for \":sftp,host=h,pass=hunter2:\": ssh: unable to authenticate");

        Assert.Equal(ErrorCodes.InvalidCredentials, error.Code);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_EveryRule_HasAKnownCodeAndASource()
    {
        Assert.All(FailureRules.All, rule =>
        {
            Assert.Contains(rule.Code, ErrorCodes.All);
            Assert.False(string.IsNullOrWhiteSpace(rule.Source));
        });
    }

    [Fact]
    public void Suggestions_EveryCode_HasItsOwn()
    {
        var suggestions = ErrorCodes.All.Select(FailureClassifier.DefaultSuggestion).ToList();

        Assert.All(suggestions, s => Assert.False(string.IsNullOrWhiteSpace(s)));
        Assert.Equal(ErrorCodes.All.Count, suggestions.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Classify_HugeText_ReadsOnlyTheFirst16KiB()
    {
        var junk = string.Concat(Enumerable.Repeat("a: ", 200_000));

        Assert.Equal(ErrorCodes.EndpointUnreachable, Classifier.Classify("connection refused " + junk).Code);
        Assert.Equal(ErrorCodes.Unknown, Classifier.Classify(junk + "connection refused").Code);
    }
}

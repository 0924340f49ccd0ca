using System.Net;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Failures;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class ErrorsApiTests : IDisposable
{
    private readonly ApiFactory _factory;
    private readonly HttpClient _http;

    public ErrorsApiTests(RedisAndRcloneFixture fixture)
    {
        _factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        _http = _factory.CreateClient();
    }

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task Classify_S3SlowDownWithRetryAfter_RateLimitedRetryableWithSuggestionAndWait()
    {
        using var response = await _http.PostAsync("/api/errors/classify", ApiAssert.Json("""
            { "message": "SlowDown: Please reduce your request rate. Retry-After: 30", "status": 503, "remote": "s3prod" }
            """));

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var normalized = body.GetProperty("normalizedError");
        Assert.Equal(ErrorCodes.RateLimited, normalized.GetProperty("code").GetString());
        Assert.True(normalized.GetProperty("retryable").GetBoolean());
        Assert.Contains("s3prod", normalized.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
        Assert.Equal("retryable", body.GetProperty("failureType").GetString());
        Assert.Equal(30, body.GetProperty("retryAfterSeconds").GetDouble());
    }

    [Fact]
    public async Task Classify_SameAsTheSharedClassifier_ForAPermanentError()
    {
        const string message = "Failed to create file system for \"s3prod:bucket\": SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.";
        var expected = FailureClassifier.Default.Classify(message, 500);

        using var response = await _http.PostAsync("/api/errors/classify",
            ApiAssert.Json(new ClassifyErrorRequest { Message = message, Status = 500 }));

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var normalized = body.GetProperty("normalizedError");
        Assert.Equal(ErrorCodes.SignatureMismatch, normalized.GetProperty("code").GetString());
        Assert.Equal(expected.Code, normalized.GetProperty("code").GetString());
        Assert.False(normalized.GetProperty("retryable").GetBoolean());
        Assert.Equal(expected.Suggestion, normalized.GetProperty("suggestion").GetString());
        Assert.Equal("permanent", body.GetProperty("failureType").GetString());
        Assert.False(body.TryGetProperty("retryAfterSeconds", out _));
        // Issue 16: the reply names the evidence that decided (the provider's code), never the message itself.
        Assert.Equal(expected.Evidence, body.GetProperty("evidence").GetString());
        Assert.DoesNotContain("The request signature we calculated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_UnknownText_UnknownAndPartial()
    {
        using var response = await _http.PostAsync("/api/errors/classify", ApiAssert.Json("""{ "message": "the flux capacitor is misaligned" }"""));

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(ErrorCodes.Unknown, body.GetProperty("normalizedError").GetProperty("code").GetString());
        Assert.Equal("partial", body.GetProperty("failureType").GetString());
    }

    [Theory]
    [InlineData("""{ "status": 500 }""", "message")]
    [InlineData("""{ "message": "   " }""", "message")]
    [InlineData("""{ "message": "x", "status": 42 }""", "status")]
    [InlineData("""{ "message": "x", "status": "five hundred" }""", "status")]
    [InlineData("""{ "message": 12 }""", "message")]
    public async Task Classify_InvalidRequest_Returns400WithTheField(string json, string field)
    {
        using var response = await _http.PostAsync("/api/errors/classify", ApiAssert.Json(json));

        await ApiAssert.ValidationAsync(response, field);
    }

    [Fact]
    public async Task Classify_EmptyBody_Returns400MessageRequired()
    {
        using var response = await _http.PostAsync("/api/errors/classify", ApiAssert.Json(""));

        await ApiAssert.ValidationAsync(response, "message");
    }

    [Fact]
    public async Task Classify_MessageLongerThanTheLimit_Returns400()
    {
        var message = new string('x', ClassifyErrorRequest.MaxMessageLength + 1);

        using var response = await _http.PostAsync("/api/errors/classify", ApiAssert.Json(new ClassifyErrorRequest { Message = message }));

        await ApiAssert.ValidationAsync(response, "message");
    }

    [Fact]
    public async Task Classify_NotJson_Returns415()
    {
        using var response = await _http.PostAsync("/api/errors/classify", new StringContent("message=x"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.ValidationError);
    }
}

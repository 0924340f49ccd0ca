using System.Net.Sockets;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Worker.Services;

namespace Rcmd.Worker.Tests.Services;

/// <summary>The Worker's one mapping place: what rcd or .NET said → the shared classifier → the job's error.</summary>
public sealed class JobErrorsTests
{
    [Theory]
    [InlineData(404, "object not found", ErrorCodes.NotFound, false)]
    [InlineData(500, "directory not found", ErrorCodes.NotFound, false)]
    [InlineData(400, "Didn't find key \"srcFs\" in input", ErrorCodes.ValidationError, false)]
    // What rclone's webdav backend says through rcd for these upstream answers (reproduced with rclone v1.60.1 in RetryTests).
    [InlineData(500, "couldn't list files: nope: 503 Service Unavailable", ErrorCodes.RateLimited, true)]
    [InlineData(500, "couldn't list files: nope: 429 Too Many Requests", ErrorCodes.RateLimited, true)]
    [InlineData(500, "couldn't list files: nope: 403 Forbidden", ErrorCodes.AccessDenied, false)]
    [InlineData(500, "couldn't list files: Propfind \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: connect: connection refused", ErrorCodes.EndpointUnreachable, true)]
    public void FromException_RcloneError_ClassifiedWithRetryableAndSuggestion(int status, string error, string code, bool retryable)
    {
        var failure = JobErrors.FromException(new RcloneException("sync/copy", status, error));

        Assert.Equal(code, failure.Code);
        Assert.Equal(code, failure.Classification.Code);
        Assert.Equal(error, failure.Error.Message);
        Assert.Equal(retryable, failure.Error.Retryable);
        Assert.False(string.IsNullOrWhiteSpace(failure.Error.Suggestion));
        Assert.Equal(error, failure.RawMessage);
        Assert.Equal(status, failure.Status);
    }

    [Fact]
    public void FromException_ConnectionRefused_EndpointUnreachableAndRetryable()
    {
        var exception = new HttpRequestException("Connection refused (127.0.0.1:5572)", new SocketException((int)SocketError.ConnectionRefused));

        var failure = JobErrors.FromException(exception);

        Assert.Equal(ErrorCodes.EndpointUnreachable, failure.Code);
        Assert.True(failure.Error.Retryable);
        Assert.Equal("Connection refused (127.0.0.1:5572)", failure.Error.Message);
        Assert.Null(failure.Status);
    }

    [Fact]
    public void FromRunError_SecretInTheText_RedactedInTheJobErrorButKeptRawForCapture()
    {
        const string error = "Failed to create file system for \":sftp,host=h,pass=hunter2:\": ssh: handshake failed: ssh: unable to authenticate";

        var failure = JobErrors.FromRunError("sync/copy", error);

        Assert.Equal(ErrorCodes.InvalidCredentials, failure.Code);
        Assert.DoesNotContain("hunter2", failure.Error.Message, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, failure.Error.Message, StringComparison.Ordinal);
        Assert.Equal(error, failure.RawMessage);
    }

    [Fact]
    public void FromRunError_TextNamesNoRemote_SuggestionNamesTheJobsRemote()
    {
        var job = JobStateMachine.Create("j", new JobSubmission(JobType.Copy, "/data/in", "s3prod:bucket/out", new JobOptions()), TimeProvider.System);

        var failure = JobErrors.FromRunError("sync/copy", "AccessDenied: Access Denied status code: 403", job);

        Assert.Equal(ErrorCodes.AccessDenied, failure.Code);
        Assert.Contains("s3prod", failure.Error.Suggestion, StringComparison.Ordinal);
        Assert.Equal("s3prod", failure.Classification.Remote);
    }

    [Theory]
    [InlineData("/data/in", "s3prod:b/out", "s3prod")]
    [InlineData("gdrive:docs", "/data/out", "gdrive")]
    [InlineData(":webdav,url='http://127.0.0.1:8080':", "/data/out", ":webdav")]
    [InlineData("/data/in", "/data/out", "local")]
    public void RemoteOf_Job_SourceUnlessLocal(string source, string destination, string expected)
    {
        var job = JobStateMachine.Create("j", new JobSubmission(JobType.Copy, source, destination, new JobOptions()), TimeProvider.System);

        Assert.Equal(expected, JobErrors.RemoteOf(job));
    }

    [Fact]
    public void FromRunError_NoMessage_StillSaysSomething()
    {
        var failure = JobErrors.FromRunError("sync/copy", null);

        Assert.Equal(ErrorCodes.Unknown, failure.Code);
        Assert.False(failure.Error.Retryable);
        Assert.False(string.IsNullOrWhiteSpace(failure.Error.Message));
    }

    [Fact]
    public void Incompatible_OldRclone_NamesFeatureAndVersionsAndIsNotRetryable()
    {
        var error = JobErrors.Incompatible(RcloneFeatures.CallConfig, new RcloneVersion("v1.54.1", 1, 54, 1));

        Assert.Equal(ErrorCodes.TransferEngineIncompatible, error.Code);
        Assert.False(error.Retryable);
        Assert.Contains("_config", error.Message, StringComparison.Ordinal);
        Assert.Contains("v1.55.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("v1.54.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("1.55.0", error.Suggestion, StringComparison.Ordinal);
    }
}

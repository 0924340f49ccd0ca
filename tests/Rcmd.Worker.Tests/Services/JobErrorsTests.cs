using Rcmd.Failures;
using Rcmd.Rclone;
using Rcmd.Worker.Services;

namespace Rcmd.Worker.Tests.Services;

public sealed class JobErrorsTests
{
    [Theory]
    [InlineData(404, "object not found", ErrorCodes.NotFound)]
    [InlineData(500, "directory not found", ErrorCodes.NotFound)]
    [InlineData(500, "didn't find section in config file", ErrorCodes.Unknown)]
    [InlineData(400, "Didn't find key \"srcFs\" in input", ErrorCodes.ValidationError)]
    [InlineData(500, "failed to copy: unexpected EOF", ErrorCodes.Unknown)]
    public void FromException_RcloneError_MapsToCode(int status, string error, string expected)
    {
        var jobError = JobErrors.FromException(new RcloneException("sync/copy", status, error));

        Assert.Equal(expected, jobError.Code);
        Assert.Equal(error, jobError.Message);
        Assert.False(jobError.Retryable);
    }

    [Fact]
    public void FromException_ConnectionFailure_UnknownWithItsMessage()
    {
        var jobError = JobErrors.FromException(new HttpRequestException("Connection refused (127.0.0.1:5572)"));

        Assert.Equal(ErrorCodes.Unknown, jobError.Code);
        Assert.Equal("Connection refused (127.0.0.1:5572)", jobError.Message);
    }

    [Fact]
    public void FromRunError_NoMessage_StillSaysSomething()
    {
        var jobError = JobErrors.FromRunError("sync/copy", null);

        Assert.Equal(ErrorCodes.Unknown, jobError.Code);
        Assert.False(string.IsNullOrWhiteSpace(jobError.Message));
    }
}

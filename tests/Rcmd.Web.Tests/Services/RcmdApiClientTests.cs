using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Services;

public sealed class RcmdApiClientTests
{
    private readonly StubApi _api = new();

    private RcmdApiClient Client(string? apiKey = null)
    {
        var handler = new ApiKeyHandler(Options.Create(new RcmdApiOptions { BaseAddress = StubApi.BaseAddress, ApiKey = apiKey }))
        {
            InnerHandler = _api,
        };
        return new RcmdApiClient(new HttpClient(handler) { BaseAddress = StubApi.BaseAddress }, NullLogger<RcmdApiClient>.Instance);
    }

    [Fact]
    public async Task ListJobs_ApiAnswers_ReturnsThePageAndSendsStatePagePageSize()
    {
        var job = TestJobs.Failed();
        _api.OnJobs(job);

        var result = await Client().ListJobsAsync(JobState.Failed, 2, 10, CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal(1, result.Value.Total);
        var request = Assert.Single(_api.Requests);
        Assert.Equal("failed", request.Query("state"));
        Assert.Equal("2", request.Query("page"));
        Assert.Equal("10", request.Query("pageSize"));
    }

    [Fact]
    public async Task AnyCall_ApiDown_ReturnsUnreachableInsteadOfThrowing()
    {
        _api.Down = true;

        var result = await Client().GetCountsAsync(CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(ApiErrorKind.Unreachable, result.Error.Kind);
        Assert.StartsWith("Api unreachable", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_ValidationError_CarriesMessageCodeAndFieldErrors()
    {
        _api.On(HttpMethod.Post, "/api/jobs", _ => StubApi.Error(HttpStatusCode.BadRequest, "validation_error", "Invalid job.",
            new Dictionary<string, string[]> { ["source"] = ["Source is required."] }));

        var result = await Client().SubmitJobAsync(new JobRequest { Type = "copy" }, CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(ApiErrorKind.Invalid, result.Error.Kind);
        Assert.Equal("Invalid job.", result.Error.Message);
        Assert.Equal("validation_error", result.Error.Code);
        Assert.Equal(["Source is required."], result.Error.Fields["source"]);
        Assert.Equal(400, result.Error.StatusCode);
    }

    [Fact]
    public async Task GetJob_NotFoundWithoutJsonBody_IsNotFound()
    {
        _api.On(HttpMethod.Get, "/api/jobs/x", _ => new HttpResponseMessage(HttpStatusCode.NotFound));

        var result = await Client().GetJobAsync("x", CancellationToken.None);

        Assert.Equal(ApiErrorKind.NotFound, result.Error!.Kind);
    }

    [Fact]
    public async Task GetJob_BodyIsNotJson_IsAFailureNotAnException()
    {
        _api.On(HttpMethod.Get, "/api/jobs/x", _ => StubApi.RawJson(HttpStatusCode.OK, "<html>proxy</html>"));

        var result = await Client().GetJobAsync("x", CancellationToken.None);

        Assert.Equal(ApiErrorKind.Failed, result.Error!.Kind);
    }

    [Fact]
    public async Task Cancel_IdWithSlash_IsEscapedIntoOnePathSegment()
    {
        await Client().CancelJobAsync("a/b", CancellationToken.None);

        Assert.Equal("/api/jobs/a%2Fb/cancel", Assert.Single(_api.Requests).Path);
    }

    [Fact]
    public async Task AnyCall_ApiKeyConfigured_SendsXApiKey()
    {
        _api.OnJobs();

        await Client(apiKey: "s3cret").ListJobsAsync(null, 1, 10, CancellationToken.None);
        await Client().ListJobsAsync(null, 1, 10, CancellationToken.None);

        Assert.Equal("s3cret", _api.Requests[0].Headers["X-Api-Key"]);
        Assert.False(_api.Requests[1].Headers.ContainsKey("X-Api-Key"));
    }

    [Fact]
    public async Task AnyCall_CallerCancels_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().GetCountsAsync(cts.Token));
    }

    [Fact]
    public async Task Remotes_ApiAnswers_ReadsNamesTypesAndInlineBackends()
    {
        _api.OnRemotes("""{"remotes":[{"name":"s3prod","type":"s3"}],"inlineBackends":[":local:",":s3:"]}""");

        var result = await Client().GetRemotesAsync(CancellationToken.None);

        Assert.Equal(new RemoteInfo("s3prod", "s3"), Assert.Single(result.Value!.Remotes));
        Assert.Equal([":local:", ":s3:"], result.Value.InlineBackends);
    }
}

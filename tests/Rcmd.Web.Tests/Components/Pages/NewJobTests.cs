using System.Net;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

public sealed class NewJobTests : RcmdTestContext
{
    private const string Remotes = """{"remotes":[{"name":"s3prod","type":"s3"}],"inlineBackends":[":local:"]}""";

    public NewJobTests() => Api.OnRemotes(Remotes);

    [Fact]
    public void Form_EmptySubmit_ShowsValidatorMessagesNextToFieldsAndPostsNothing()
    {
        var cut = Render<NewJob>();

        cut.Find("form").Submit();

        Assert.Equal("Source is required.", cut.Find("[data-testid=error-source]").TextContent.Trim());
        Assert.Equal("Destination is required.", cut.Find("[data-testid=error-destination]").TextContent.Trim());
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, "/api/jobs"));
    }

    [Fact]
    public void Form_FlagLikeSource_ShowsTheValidatorsMessageAndClearsItWhenFixed()
    {
        var cut = Render<NewJob>();
        cut.Find("[data-testid=source]").Input("--delete-excluded");
        cut.Find("[data-testid=destination]").Input("/data/out");

        cut.Find("form").Submit();

        Assert.Contains("starts with '-'", cut.Find("[data-testid=error-source]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=error-destination]"));

        cut.Find("[data-testid=source]").Input("/data/in");

        Assert.Empty(cut.FindAll("[data-testid=error-source]"));
    }

    [Fact]
    public void Form_ValidCopy_PostsTheJobAndGoesToItsPage()
    {
        var created = TestJobs.Queued(source: "/data/in", destination: "/data/out");
        Api.On(HttpMethod.Post, "/api/jobs", _ => StubApi.Json(HttpStatusCode.Created, created, RcmdJsonContext.Default.Job));
        var cut = Render<NewJob>();

        cut.Find("[data-testid=source]").Input(" /data/in ");
        cut.Find("[data-testid=destination]").Input("/data/out");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/jobs/" + created.Id, Navigation.Uri, StringComparison.Ordinal));
        var body = Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/jobs")).Json();
        Assert.Equal("copy", body.GetProperty("type").GetString());
        Assert.Equal("/data/in", body.GetProperty("source").GetString());
        Assert.Equal("/data/out", body.GetProperty("destination").GetString());
        Assert.False(body.GetProperty("options").GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public void Form_ServerRefusesAField_ShowsItsMessageNextToThatField()
    {
        Api.On(HttpMethod.Post, "/api/jobs", _ => StubApi.Error(HttpStatusCode.BadRequest, "validation_error", "The job is invalid.",
            new Dictionary<string, string[]> { ["destination"] = ["Destination is outside the allowed roots."] }));
        var cut = Render<NewJob>();

        cut.Find("[data-testid=source]").Input("/data/in");
        cut.Find("[data-testid=destination]").Input("/etc");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("Destination is outside the allowed roots.", cut.Find("[data-testid=error-destination]").TextContent.Trim()));
        Assert.Contains("The job is invalid.", cut.Find("[data-testid=submit-error]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("/jobs/", Navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Form_ApiDown_SaysApiUnreachableAndStays()
    {
        var cut = Render<NewJob>();
        Api.Down = true;

        cut.Find("[data-testid=source]").Input("/data/in");
        cut.Find("[data-testid=destination]").Input("/data/out");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Api unreachable", cut.Find("[data-testid=submit-error]").TextContent, StringComparison.Ordinal));
        Assert.False(cut.Find("[data-testid=submit-job]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Form_DeleteType_HidesDestinationAndPostsNone()
    {
        var created = TestJobs.Queued(type: JobType.Delete, source: "/data/old");
        Api.On(HttpMethod.Post, "/api/jobs", _ => StubApi.Json(HttpStatusCode.Created, created, RcmdJsonContext.Default.Job));
        var cut = Render<NewJob>();

        await SelectAsync(cut, "type", "delete");

        Assert.Empty(cut.FindAll("[data-testid=destination]"));
        cut.Find("[data-testid=source]").Input("/data/old");
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/jobs")));
        var body = Api.RequestsTo(HttpMethod.Post, "/api/jobs")[0].Json();
        Assert.Equal("delete", body.GetProperty("type").GetString());
        Assert.False(body.TryGetProperty("destination", out _));
    }

    [Fact]
    public async Task Form_RemotePicked_PrefixesTheSourceWithTheRemoteName()
    {
        var cut = Render<NewJob>();
        cut.Find("[data-testid=source]").Input("bucket/photos");

        await SelectAsync(cut, "source-remote", "s3prod:");

        Assert.Equal("s3prod:bucket/photos", cut.Find("[data-testid=source]").GetAttribute("value"));

        await SelectAsync(cut, "source-remote", ":local:");

        Assert.Equal(":local:bucket/photos", cut.Find("[data-testid=source]").GetAttribute("value"));
    }
}

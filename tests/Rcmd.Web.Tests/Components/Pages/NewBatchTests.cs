using System.Net;
using Rcmd.Serialization;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

/// <summary>The New job form as a batch: pasted lines or a directory pair, checked per line, sent to POST /api/batches.</summary>
public sealed class NewBatchTests : RcmdTestContext
{
    public NewBatchTests() => Api.OnRemotes("""{"remotes":[],"inlineBackends":[]}""");

    private IRenderedComponent<NewJob> RenderBatchForm()
    {
        // The New batch page: the same form, opened on a batch.
        Navigation.NavigateTo("batches/new");
        var cut = Render<NewJob>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=batch-items]")));
        return cut;
    }

    [Fact]
    public void Batch_PastedLines_PostsOneItemPerLineAndGoesToTheBatch()
    {
        var created = TestJobs.Batch(Rcmd.Jobs.JobState.Queued, failed: 0);
        Api.On(HttpMethod.Post, "/api/batches", _ => StubApi.Json(HttpStatusCode.Accepted, created, RcmdJsonContext.Default.Job));
        var cut = RenderBatchForm();
        Assert.Empty(cut.FindAll("[data-testid=source]"));

        cut.Find("[data-testid=batch-name]").Change("nightly photos");
        cut.Find("[data-testid=batch-items]").Change("/data/in/a.jpg -> /data/out/a.jpg\n\n# a comment\n/data/in/b.jpg\ts3prod:bucket/b.jpg\r\n");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/jobs/" + created.Id, Navigation.Uri, StringComparison.Ordinal));
        var body = Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/batches")).Json();
        Assert.Equal("nightly photos", body.GetProperty("name").GetString());
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("copyfile", items[0].GetProperty("op").GetString());
        Assert.Equal("/data/in/a.jpg", items[0].GetProperty("source").GetString());
        Assert.Equal("/data/out/a.jpg", items[0].GetProperty("destination").GetString());
        Assert.Equal("s3prod:bucket/b.jpg", items[1].GetProperty("destination").GetString());
        Assert.False(body.TryGetProperty("directory", out _));
        Assert.Equal(8, body.GetProperty("options").GetProperty("concurrency").GetInt32());
    }

    [Fact]
    public void Batch_BadLines_ShowTheValidatorsMessagesByLineNumberAndPostNothing()
    {
        var cut = RenderBatchForm();

        cut.Find("[data-testid=batch-items]").Change("/data/in/a.jpg -> /data/out/a.jpg\n\n--delete -> /data/out/x\n/data/in/a.jpg -> /data/out/a.jpg\n/data/in/c.jpg");
        cut.Find("form").Submit();

        var errors = cut.Find("[data-testid=error-items]").TextContent;
        Assert.Contains("Line 3: Source starts with '-'", errors, StringComparison.Ordinal);
        Assert.Contains("Line 4: Duplicate of items[0]", errors, StringComparison.Ordinal);
        Assert.Contains("Line 5: Destination is required.", errors, StringComparison.Ordinal);
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, "/api/batches"));

        cut.Find("[data-testid=batch-items]").Change("/data/in/a.jpg -> /data/out/a.jpg");

        Assert.Empty(cut.FindAll("[data-testid=error-items]"));
    }

    [Fact]
    public void Batch_NoLines_SaysABatchNeedsAnItem()
    {
        var cut = RenderBatchForm();

        cut.Find("form").Submit();

        Assert.Contains("A batch needs at least one item.", cut.Find("[data-testid=error-items]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_DirectoryPairWithFilters_PostsTheDirectoryOpAndPatterns()
    {
        var created = TestJobs.Batch(Rcmd.Jobs.JobState.Queued, failed: 0);
        Api.On(HttpMethod.Post, "/api/batches", _ => StubApi.Json(HttpStatusCode.Accepted, created, RcmdJsonContext.Default.Job));
        var cut = RenderBatchForm();

        await SelectAsync(cut, "batch-kind", "directory");
        await SelectAsync(cut, "batch-op", "movefile");
        cut.Find("[data-testid=directory-source]").Input("/data/in");
        cut.Find("[data-testid=directory-destination]").Input("/data/out");
        cut.Find("[data-testid=directory-include]").Change("*.jpg\n**/*.png\n");
        cut.Find("[data-testid=directory-exclude]").Change("tmp/**");
        cut.Find("[data-testid=dry-run]").Change(true);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/batches")));
        var body = Api.RequestsTo(HttpMethod.Post, "/api/batches")[0].Json();
        Assert.False(body.TryGetProperty("items", out _));
        Assert.Equal("movefile", body.GetProperty("op").GetString());
        var directory = body.GetProperty("directory");
        Assert.Equal("/data/in", directory.GetProperty("source").GetString());
        Assert.Equal("/data/out", directory.GetProperty("destination").GetString());
        Assert.Equal(["*.jpg", "**/*.png"], directory.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["tmp/**"], directory.GetProperty("exclude").EnumerateArray().Select(e => e.GetString()));
        Assert.True(body.GetProperty("options").GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public void Batch_ApiRefusesAnItem_ShowsItsMessageAtTheLine()
    {
        Api.On(HttpMethod.Post, "/api/batches", _ => StubApi.Error(HttpStatusCode.BadRequest, "validation_error", "The batch is not valid.",
            new Dictionary<string, string[]> { ["items[1].source"] = ["Source names a directory."] }));
        var cut = RenderBatchForm();

        cut.Find("[data-testid=batch-items]").Change("/data/in/a.jpg -> /data/out/a.jpg\n\n/data/in/dir -> /data/out/dir");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Line 3: Source names a directory.", cut.Find("[data-testid=error-items]").TextContent, StringComparison.Ordinal));
    }
}

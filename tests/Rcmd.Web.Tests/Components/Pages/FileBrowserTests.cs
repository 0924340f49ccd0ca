using System.Globalization;
using System.Net;
using System.Text.Json;
using MudBlazor;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Components.Pages;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Pages;

/// <summary>The file browser: a big folder a page at a time from the Api, stale listings marked, what Start submits.</summary>
public sealed class FileBrowserTests : RcmdTestContext
{
    private const int FolderSize = 5000;

    public FileBrowserTests()
    {
        Api.OnRemotes("""{"remotes":[{"name":"s3prod","type":"s3"}],"inlineBackends":[":local:"]}""");
        OnList(stale: false);
    }

    private void OnList(bool stale)
    {
        HttpResponseMessage Respond(RecordedRequest request)
        {
            var offset = int.Parse(request.Query("offset") ?? "0", CultureInfo.InvariantCulture);
            var limit = int.Parse(request.Query("limit") ?? "100", CultureInfo.InvariantCulture);
            var path = request.Query("path") ?? string.Empty;
            var entries = Enumerable.Range(offset, Math.Max(0, Math.Min(limit, FolderSize - offset)))
                .Select(i => new
                {
                    Path = path + "/f" + i.ToString("D4", CultureInfo.InvariantCulture),
                    Name = i == 0 ? "dir0" : "f" + i.ToString("D4", CultureInfo.InvariantCulture),
                    Size = 1024L * i,
                    ModTime = "2025-05-04T12:00:00Z",
                    IsDir = i == 0,
                });
            var body = new
            {
                remote = ":local",
                operation = "list",
                path,
                source = stale ? "cache" : "remote",
                stale,
                ageSeconds = stale ? 125.0 : (double?)null,
                readAt = "2025-05-04T12:00:00Z",
                result = new { list = entries, total = FolderSize, offset, limit },
            };
            return StubApi.RawJson(HttpStatusCode.OK, JsonSerializer.Serialize(body));
        }

        Api.On(HttpMethod.Get, "/api/remotes/%3Alocal/list", Respond);
        Api.On(HttpMethod.Get, "/api/remotes/:local/list", Respond);
    }

    private IReadOnlyList<RecordedRequest> Lists(string path = "") =>
        [.. Api.Requests.Where(r => r.Path.EndsWith("/list", StringComparison.Ordinal) && (r.Query("path") ?? string.Empty) == path)];

    [Fact]
    public async Task Browse_FolderOf5000Entries_HoldsOnePageAndAsksTheApiForTheNext()
    {
        RenderDialogs();
        var cut = Render<FileBrowser>();

        cut.WaitForAssertion(() => Assert.Equal(RemotePane.PageSize, cut.FindAll("[data-testid=src-files] tr.entry-row").Count));
        Assert.Equal("5000", cut.Find("[data-testid=src-count]").GetAttribute("data-total"));
        var first = Lists().First();
        Assert.Equal("0", first.Query("offset"));
        Assert.Equal("100", first.Query("limit"));
        Assert.Equal("name", first.Query("sort"));

        var grid = cut.FindComponents<MudDataGrid<FileEntry>>()[0];
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));

        cut.WaitForAssertion(() => Assert.Contains(Lists(), r => r.Query("offset") == "100"));
        cut.WaitForAssertion(() => Assert.Contains("f0100", cut.Find("[data-testid=src-files] tbody").TextContent, StringComparison.Ordinal));
        Assert.Equal(RemotePane.PageSize, cut.FindAll("[data-testid=src-files] tr.entry-row").Count);
    }

    [Fact]
    public async Task Browse_RefreshPressed_AsksTheApiToListTheFolderAgainOnceThenPagesNormally()
    {
        RenderDialogs();
        var cut = Render<FileBrowser>();
        cut.WaitForAssertion(() => Assert.Equal(RemotePane.PageSize, cut.FindAll("[data-testid=src-files] tr.entry-row").Count));
        Assert.All(Lists(), r => Assert.Null(r.Query("refresh")));

        cut.Find("[data-testid=src-refresh]").Click();

        cut.WaitForAssertion(() => Assert.Single(Lists(), r => r.Query("refresh") == "true"));
        var grid = cut.FindComponents<MudDataGrid<FileEntry>>()[0];
        await grid.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));
        cut.WaitForAssertion(() => Assert.Contains(Lists(), r => r.Query("offset") == "100"));
        Assert.Null(Lists().Last(r => r.Query("offset") == "100").Query("refresh"));
    }

    [Fact]
    public void Browse_FolderClicked_OpensItAndShowsItInTheBreadcrumbs()
    {
        RenderDialogs();
        var cut = Render<FileBrowser>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=src-files] [data-testid=entry-open]")));

        cut.Find("[data-testid=src-files] [data-testid=entry-open]").Click();

        cut.WaitForAssertion(() => Assert.NotEmpty(Lists("dir0")));
        Assert.Contains("dir0", cut.Find("[data-testid=src-breadcrumbs]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Browse_BreakerOpen_ShowsTheCachedListingMarkedStaleWithItsAge()
    {
        OnList(stale: true);
        RenderDialogs();

        var cut = Render<FileBrowser>();

        cut.WaitForAssertion(() => Assert.Contains("Cached listing", cut.Find("[data-testid=src-stale]").TextContent, StringComparison.Ordinal));
        Assert.Contains(Humanize.Duration(TimeSpan.FromSeconds(125)), cut.Find("[data-testid=src-stale]").TextContent, StringComparison.Ordinal);
        Assert.Equal(RemotePane.PageSize, cut.FindAll("[data-testid=src-files] tr.entry-row").Count);
    }

    [Fact]
    public void Plan_FolderAndFilesTicked_OneJobPerFolderAndOneBatchForTheFiles()
    {
        FileEntry[] ticked =
        [
            new() { Name = "photos", Path = "data/photos", IsDir = true },
            new() { Name = "a.txt", Path = "data/a.txt" },
            new() { Name = "b.txt", Path = "data/b.txt" },
        ];

        var (jobs, batch, problem) = FileBrowser.Plan("copy", (RemoteOption.Local, "data"), ("s3prod", "backup"), ticked);

        Assert.Null(problem);
        var job = Assert.Single(jobs);
        Assert.Equal(("copy", "/data/photos", "s3prod:backup/photos"), (job.Type, job.Source, job.Destination));
        Assert.NotNull(batch);
        Assert.Equal(["copyfile:/data/a.txt->s3prod:backup/a.txt", "copyfile:/data/b.txt->s3prod:backup/b.txt"],
            batch.Items!.Select(i => $"{i.Op}:{i.Source}->{i.Destination}"));
    }

    [Fact]
    public void Plan_SyncOfFiles_IsRefusedWithAReason()
    {
        var (jobs, batch, problem) = FileBrowser.Plan("sync", (RemoteOption.Local, "data"), (RemoteOption.Local, "out"),
            [new FileEntry { Name = "a.txt", Path = "data/a.txt" }]);

        Assert.Empty(jobs);
        Assert.Null(batch);
        Assert.Contains("folders", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NothingTickedDelete_DeletesTheOpenFolderWithNoDestination()
    {
        var (jobs, batch, _) = FileBrowser.Plan("delete", ("s3prod", "old/logs"), (RemoteOption.Local, string.Empty), []);

        var job = Assert.Single(jobs);
        Assert.Equal(("delete", "s3prod:old/logs", (string?)null), (job.Type, job.Source, job.Destination));
        Assert.Null(batch);
    }
}

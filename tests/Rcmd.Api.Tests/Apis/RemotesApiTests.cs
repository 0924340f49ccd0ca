using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Rclone;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class RemotesApiTests(RedisAndRcloneFixture fixture)
{
    [Fact]
    public async Task ListRemotes_RemoteInRcloneConfig_ListedWithNameAndTypeOnly()
    {
        var secret = "pw-" + Guid.NewGuid().ToString("N");
        fixture.Rclone.AddRemote("apitest-sftp", "sftp", ("host", "127.0.0.1"), ("user", "backup-user"), ("pass", secret));
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/remotes");

        var text = await response.Content.ReadAsStringAsync();
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var remote = body.GetProperty("remotes").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "apitest-sftp");
        Assert.Equal("sftp", remote.GetProperty("type").GetString());
        Assert.Equal(["breaker", "name", "type"], remote.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("closed", remote.GetProperty("breaker").GetProperty("state").GetString());
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("backup-user", text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Rclone.Password, text, StringComparison.Ordinal);

        var inline = body.GetProperty("inlineBackends").EnumerateArray().Select(b => b.GetString()).ToList();
        Assert.Contains(":local:", inline);
        Assert.Contains(":s3:", inline);
        Assert.Contains(":gcs:", inline);
        Assert.All(inline, b => Assert.Matches("^:[a-z0-9]+:$", b));
    }

    [Fact]
    public async Task ListRemotes_RcdUnreachable_Returns503EndpointUnreachableWithoutSecrets()
    {
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        using var factory = ApiFactory.Create(fixture.Redis.ConnectionString, closed, fixture.Rclone);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/remotes");

        var text = await response.Content.ReadAsStringAsync();
        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "endpoint_unreachable", retryable: true);
        Assert.DoesNotContain(fixture.Rclone.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(closed.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListRemotes_RcdNeverAnswers_Returns503WhenTheRequestTimesOut()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        using var factory = ApiFactory.Create(fixture.Redis.ConnectionString, url, fixture.Rclone,
            new Dictionary<string, string?> { ["Rcmd:Api:RequestTimeout"] = "00:00:01" });
        using var http = factory.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(8);

        using var response = await http.GetAsync("/api/remotes");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "upstream_timeout", retryable: true);
    }

    [Fact]
    public async Task ListRemotes_UnexpectedException_Returns500UnknownWithoutItsText()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, services: services =>
            services.AddHttpClient<RcloneClient>().ConfigurePrimaryHttpMessageHandler(() => new FailingHandler()));
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/remotes");

        var text = await response.Content.ReadAsStringAsync();
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.InternalServerError, "unknown");
        Assert.DoesNotContain(FailingHandler.Detail, text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), text, StringComparison.Ordinal);
        Assert.Contains("trace id", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Fails every call the way a bug would: with an exception nobody classified.</summary>
    [Fact]
    public async Task ListPages_FolderChangedAfterTheFirstPage_LaterPagesComeFromOneListingUntilRefresh()
    {
        using var folder = new TempDirectory("pages");
        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(folder.Combine($"f{i}.txt"), "x");
        }

        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var http = factory.CreateClient();
        var url = $"/api/remotes/%3Alocal/list?path={Uri.EscapeDataString(folder.Path)}&limit=2&sort=name";

        var first = await ApiAssert.JsonAsync(await http.GetAsync(url + "&offset=0"), HttpStatusCode.OK);
        await File.WriteAllTextAsync(folder.Combine("a-new.txt"), "x");
        var second = await ApiAssert.JsonAsync(await http.GetAsync(url + "&offset=2"), HttpStatusCode.OK);
        var byFilter = await ApiAssert.JsonAsync(await http.GetAsync(url + "&offset=0&filter=new"), HttpStatusCode.OK);
        var refreshed = await ApiAssert.JsonAsync(await http.GetAsync(url + "&offset=0&refresh=true"), HttpStatusCode.OK);
        var afterRefresh = await ApiAssert.JsonAsync(await http.GetAsync(url + "&offset=2"), HttpStatusCode.OK);

        Assert.Equal(5, first.GetProperty("result").GetProperty("total").GetInt32());
        // The second page and a filter are cut from the listing the first page read: the new file is not in it.
        Assert.Equal(5, second.GetProperty("result").GetProperty("total").GetInt32());
        Assert.Equal(["f2.txt", "f3.txt"], Names(second));
        Assert.Equal(0, byFilter.GetProperty("result").GetProperty("total").GetInt32());
        Assert.Equal(6, refreshed.GetProperty("result").GetProperty("total").GetInt32());
        Assert.Equal(["a-new.txt", "f0.txt"], Names(refreshed));
        Assert.Equal(["f1.txt", "f2.txt"], Names(afterRefresh));
    }

    private static List<string> Names(System.Text.Json.JsonElement read) =>
        [.. read.GetProperty("result").GetProperty("list").EnumerateArray().Select(e => e.GetProperty("Name").GetString() ?? string.Empty)];

    private sealed class FailingHandler : HttpMessageHandler
    {
        public const string Detail = "internal-detail-that-must-not-leak";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Detail);
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Failures;
using Rcmd.Rclone;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Rclone;

/// <summary>One real <c>rclone rcd</c> on a free loopback port for the client tests.</summary>
public sealed class RcloneServerFixture : IAsyncLifetime
{
    public RcloneServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RcloneClientTests(RcloneServerFixture fixture) : IClassFixture<RcloneServerFixture>, IDisposable
{
    private readonly RecordingHandler _recorder = new();
    private readonly TempDirectory _temp = new("rcclient");
    private RcloneServer Rcd => fixture.Server;

    private static CancellationToken Ct => TestTimeout.Token;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Call_SendsContentTypeExactlyApplicationJson_AndRcdReadsTheBody()
    {
        var client = CreateClient();

        var echoed = await client.CallAsync("rc/noop", new JsonObject { ["probe"] = "ünïcode ✓", ["n"] = 7 }, Ct);

        Assert.Equal("application/json", Assert.Single(_recorder.ContentTypes));
        Assert.Equal("ünïcode ✓", echoed.GetProperty("probe").GetString());
        Assert.Equal(7, echoed.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Version_IsTheInstalledRclone()
    {
        var version = await CreateClient().VersionAsync(Ct);

        Assert.StartsWith("v1.", version.Version, StringComparison.Ordinal);
        Assert.Equal(1, version.Major);
        Assert.True(version.Minor >= 60, $"minor {version.Minor}");
        Assert.Contains($"{version.Major}.{version.Minor}.{version.Patch}", version.Version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pid_IsTheRcdProcess()
    {
        Assert.Equal(Rcd.ProcessId, (int)await CreateClient().PidAsync(Ct));
    }

    [Fact]
    public async Task ListRemotes_NameAndTypeOnly_SecretsNeverReturned()
    {
        var password = Guid.NewGuid().ToString("N");
        var obscured = Obscure(password);
        Rcd.AddRemote("zz-sftp-secret", "sftp", ("host", "127.0.0.1"), ("user", "bob"), ("pass", obscured));
        Rcd.AddRemote("zz-s3-secret", "s3", ("provider", "Minio"), ("access_key_id", "AKIAIOSFODNN7EXAMPLE"), ("secret_access_key", password));

        var remotes = await CreateClient().ListRemotesAsync(Ct);

        Assert.Contains(new RcloneRemote("zz-sftp-secret", "sftp"), remotes);
        Assert.Contains(new RcloneRemote("zz-s3-secret", "s3"), remotes);
        var json = JsonSerializer.Serialize(remotes);
        Assert.DoesNotContain(obscured, json, StringComparison.Ordinal);
        Assert.DoesNotContain(password, json, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", json, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_MissingDirectory_RcloneExceptionWithRclonesTextAndStatus()
    {
        var missing = _temp.Combine("does-not-exist");

        var ex = await Assert.ThrowsAsync<RcloneException>(() =>
            CreateClient().CallAsync("operations/list", new JsonObject { ["fs"] = missing, ["remote"] = "" }, Ct));

        Assert.Equal("operations/list", ex.Method);
        Assert.Equal(404, ex.Status);
        Assert.Equal("error in ListJSON: directory not found", ex.Error);
        Assert.Equal(ErrorCodes.NotFound, FailureClassifier.Default.Classify(ex).Code);
    }

    [Fact]
    public async Task Call_MissingParameter_400ValidationError()
    {
        var ex = await Assert.ThrowsAsync<RcloneException>(() =>
            CreateClient().CallAsync("operations/list", new JsonObject { ["remote"] = "" }, Ct));

        Assert.Equal(400, ex.Status);
        Assert.Equal("Didn't find key \"fs\" in input", ex.Error);
        Assert.Equal(ErrorCodes.ValidationError, FailureClassifier.Default.Classify(ex).Code);
    }

    [Fact]
    public async Task Call_UnknownMethod_404ValidationError()
    {
        // No rclone release has this method (issue 16's rule): a wrong name, not an older rclone.
        var ex = await Assert.ThrowsAsync<RcloneException>(() => CreateClient().CallAsync("sync/teleport", null, Ct));

        Assert.Equal(404, ex.Status);
        Assert.Equal("couldn't find method \"sync/teleport\"", ex.Error);
        Assert.Equal(ErrorCodes.ValidationError, FailureClassifier.Default.Classify(ex).Code);
    }

    [Fact]
    public async Task Call_WrongPassword_401InvalidCredentials()
    {
        var client = CreateClient(password: "wrong-" + Guid.NewGuid().ToString("N"));

        var ex = await Assert.ThrowsAsync<RcloneException>(() => client.CallAsync("core/version", null, Ct));

        Assert.Equal(401, ex.Status);
        Assert.Equal(ErrorCodes.InvalidCredentials, FailureClassifier.Default.Classify(ex).Code);
    }

    [Fact]
    public async Task StartAsync_CopyFromMissingSource_JobStatusCarriesRclonesError()
    {
        var client = CreateClient();
        var parameters = new JsonObject
        {
            ["srcFs"] = _temp.Combine("no-such-source"),
            ["dstFs"] = _temp.Combine("out"),
            ["_async"] = true,
            ["_group"] = "rcmd/test/1",
        };

        var jobId = await client.StartAsync("sync/copy", parameters, Ct);
        RcloneJobStatus? status = null;
        await Wait.UntilAsync(async () => (status = await client.JobStatusAsync(jobId, Ct)).Finished, TimeSpan.FromSeconds(30), "the rclone job to finish");

        Assert.False(status!.Success);
        Assert.Equal("directory not found", status.Error);
        Assert.Equal(ErrorCodes.NotFound, FailureClassifier.Default.Classify(status.Error, remote: "local").Code);
    }

    [Fact]
    public async Task StopJob_UnknownJob_NotAnError()
    {
        await CreateClient().StopJobAsync(987654, Ct);

        var ex = await Assert.ThrowsAsync<RcloneException>(() => CreateClient().JobStatusAsync(987654, Ct));
        Assert.Equal("job not found", ex.Error);
    }

    private RcloneClient CreateClient(string? password = null)
    {
        var http = new HttpClient(_recorder, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        return new RcloneClient(http, Options.Create(new RcloneOptions { Url = Rcd.Url, User = Rcd.User, Password = password ?? Rcd.Password }));
    }

    private static string Obscure(string secret)
    {
        using var process = Process.Start(new ProcessStartInfo("rclone", ["obscure", secret]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    /// <summary>Passes requests to rcd and remembers each request's Content-Type header as sent.</summary>
    private sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<string?> ContentTypes { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (ContentTypes)
            {
                ContentTypes.Add(request.Content?.Headers.ContentType?.ToString());
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

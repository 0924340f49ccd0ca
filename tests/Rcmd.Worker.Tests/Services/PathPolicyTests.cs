using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// A job queued around the Api (before the path policy existed, or by an older Api) that reads Rcmd's data directory
/// or a relative path fails at the Worker with <c>access_denied</c>, before rcd sees it.
/// </summary>
public sealed class PathPolicyTests : IAsyncLifetime
{
    private readonly WorkerFixture _system = new();

    public Task InitializeAsync() => _system.InitializeAsync();

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task QueuedJobsBreakingThePolicy_FailAccessDeniedWithoutAnAttempt_OthersRun()
    {
        var dataDirectory = _system.Data.Combine("rcmd-data");
        Directory.CreateDirectory(Path.Combine(dataDirectory, "redis"));
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "redis", "appendonly.aof"), "not for copying");
        var source = _system.Data.Combine("in");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "fine");
        using var worker = await _system.StartWorkerAsync("paths", new Dictionary<string, string> { ["Rcmd__DataDir"] = dataDirectory });

        var stolen = await _system.EnqueueAsync(JobType.Copy, Path.Combine(dataDirectory, "redis"), _system.Data.Combine("stolen"));
        var relative = await _system.EnqueueAsync(JobType.Copy, "redis", _system.Data.Combine("stolen-too"));
        var fine = await _system.EnqueueAsync(JobType.Copy, source, _system.Data.Combine("out"));

        foreach (var id in new[] { stolen.Id, relative.Id })
        {
            var failed = await _system.WaitForStateAsync(id, JobState.Failed, TimeSpan.FromSeconds(30));
            Assert.Equal(ErrorCodes.AccessDenied, failed.Error?.Code);
            Assert.False(failed.Error!.Retryable);
            Assert.Null(failed.RcloneJobId);
        }

        await _system.WaitForStateAsync(fine.Id, JobState.Succeeded, TimeSpan.FromSeconds(30));
        Assert.False(Directory.Exists(_system.Data.Combine("stolen")));
        Assert.False(Directory.Exists(_system.Data.Combine("stolen-too")));
        Assert.True(File.Exists(_system.Data.Combine("out", "a.txt")));
        Assert.Contains("refused by the path policy", worker.Output, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Rcmd.Jobs;
using Rcmd.Testing;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>
/// Redis reaches <c>maxmemory</c> (noeviction) while a Worker runs a copy: the Worker keeps the outcome it cannot save and
/// saves it once memory is freed — the job ends succeeded, nothing is lost, and the Worker never crashed.
/// </summary>
public sealed class RedisFullTests : IAsyncLifetime
{
    private readonly WorkerFixture _system = new();

    public async Task InitializeAsync()
    {
        await _system.InitializeAsync();
        await _system.RcAsync("core/bwlimit", new JsonObject { ["rate"] = "2M" });
    }

    public Task DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task RedisFullWhileACopyRuns_FinalStateKeptAndSavedWhenMemoryIsFreed()
    {
        // A lease long enough to outlast the episode: renewing it is a write that a full Redis refuses too.
        using var worker = await _system.StartWorkerAsync("full", new Dictionary<string, string> { ["Worker__LeaseDuration"] = "00:01:00" });
        var source = _system.MakeLargeFile("full-src", "big.bin", 8L * 1024 * 1024);
        var job = await _system.EnqueueAsync(JobType.Copy, source, _system.Data.Combine("full-dst"));
        await _system.WaitForJobAsync(job.Id, j => j.State == JobState.Running && j.RcloneJobId is not null, TimeSpan.FromSeconds(30),
            "the copy to be running");

        var used = long.Parse(_system.Redis.Cli("info", "memory").Split('\n').Single(l => l.StartsWith("used_memory:", StringComparison.Ordinal))[12..].Trim(),
            CultureInfo.InvariantCulture);
        _system.Redis.Cli("config", "set", "maxmemory-policy", "noeviction");
        _system.Redis.Cli("config", "set", "maxmemory", (used - 100_000).ToString(CultureInfo.InvariantCulture));
        try
        {
            // The copy ends in rcd (≈ 4 s at 2 MiB/s); its end cannot be written, so the Worker says so and keeps it.
            await Wait.UntilAsync(() => Task.FromResult(worker.Output.Contains($"job {job.Id}'s final state is kept in this Worker", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60), "the Worker to keep the final state", () => worker.Output);
            Assert.Equal(JobState.Running, (await _system.Store.GetAsync(job.Id, CancellationToken.None))!.State);
        }
        finally
        {
            _system.Redis.Cli("config", "set", "maxmemory", "0");
        }

        var done = await _system.WaitForStateAsync(job.Id, JobState.Succeeded, TimeSpan.FromSeconds(30));
        Assert.Single(done.Attempts);
        Assert.False(worker.HasExited);
        Assert.Equal(new FileInfo(Path.Combine(source, "big.bin")).Length, new FileInfo(_system.Data.Combine("full-dst", "big.bin")).Length);
    }
}

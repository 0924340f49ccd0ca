using System.Text.Json;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests.Services;

/// <summary>One Worker process against a real Redis and a real rcd: each job type does the right thing on disk.</summary>
public sealed class JobRunnerServiceTests(JobRunnerServiceTests.Fixture fixture) : IClassFixture<JobRunnerServiceTests.Fixture>
{
    private WorkerFixture System => fixture.System;

    [Fact]
    public async Task Copy_DirectoryWithFiles_CopiesThemAndSucceedsWithFullProgress()
    {
        var source = System.MakeFiles("copy-src", count: 5, size: 64 * 1024);
        var destination = System.Data.Combine("copy-dst");

        var job = await System.EnqueueAsync(JobType.Copy, source, destination);
        var done = await System.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Equal(5, Directory.GetFiles(destination).Length);
        foreach (var file in Directory.GetFiles(source))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(destination, Path.GetFileName(file))));
        }

        Assert.NotNull(done.Progress);
        Assert.Equal(100, done.Progress.Percent);
        Assert.Equal(5 * 64 * 1024, done.Progress.Bytes);
        var attempt = Assert.Single(done.Attempts);
        Assert.NotNull(attempt.FinishedAt);
        Assert.Null(attempt.ErrorCode);
        Assert.Null(done.Error);
        Assert.NotNull(done.RcloneJobId);
        Assert.Equal(System.Rclone.ProcessId, (int?)done.RclonePid);
        Assert.Equal([done.RcloneJobId.Value], await System.RcdRunsOfAsync(job.Id));
        Assert.Equal(fixture.Worker.WorkerId, done.WorkerId);
    }

    [Fact]
    public async Task CopyFile_OneFile_CopiesItUnderTheNewName()
    {
        var source = System.MakeFiles("copyfile-src", count: 1, size: 1000);
        var destination = System.Data.Combine("copyfile-dst");

        var job = await System.EnqueueAsync(JobType.CopyFile, Path.Combine(source, "file-000.bin"), Path.Combine(destination, "renamed.bin"));
        var done = await System.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "file-000.bin")), File.ReadAllBytes(Path.Combine(destination, "renamed.bin")));
        Assert.True(File.Exists(Path.Combine(source, "file-000.bin")));
        Assert.Single(done.Attempts);
    }

    [Fact]
    public async Task Delete_Directory_RemovesItsFiles()
    {
        var target = System.MakeFiles("delete-me", count: 3, size: 100);

        var job = await System.EnqueueAsync(JobType.Delete, target, null);
        await System.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Empty(Directory.Exists(target) ? Directory.GetFiles(target) : []);
    }

    [Fact]
    public async Task DeleteFileAndPurge_RemoveTheFileAndTheWholeDirectory()
    {
        var files = System.MakeFiles("deletefile-in", count: 2, size: 100);
        var tree = System.MakeFiles("purge-me", count: 3, size: 100);
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        File.WriteAllText(Path.Combine(tree, "sub", "x.txt"), "x");

        var deleteFile = await System.EnqueueAsync(JobType.DeleteFile, Path.Combine(files, "file-000.bin"), null);
        var purge = await System.EnqueueAsync(JobType.Purge, tree, null);
        await System.WaitForStateAsync(deleteFile.Id, JobState.Succeeded);
        await System.WaitForStateAsync(purge.Id, JobState.Succeeded);

        Assert.Equal(["file-001.bin"], Directory.GetFiles(files).Select(Path.GetFileName));
        Assert.False(Directory.Exists(tree));
    }

    [Fact]
    public async Task Copy_WithFilterAndConfig_RcdAppliesThem()
    {
        var source = System.MakeFiles("filter-src", count: 3, size: 100);
        var destination = System.Data.Combine("filter-dst");
        var options = new JobOptions
        {
            Config = new Dictionary<string, JsonElement> { ["Transfers"] = JsonSerializer.SerializeToElement(1) },
            Filter = new Dictionary<string, JsonElement>
            {
                ["IncludeRule"] = JsonSerializer.SerializeToElement(new[] { "file-001.bin" }),
            },
        };

        var job = await System.EnqueueAsync(JobType.Copy, source, destination, options);
        await System.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Equal(["file-001.bin"], Directory.GetFiles(destination).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Move_Directory_MovesTheFilesAndEmptiesTheSource()
    {
        var source = System.MakeFiles("move-src", count: 3, size: 100);
        var destination = System.Data.Combine("move-dst");

        var job = await System.EnqueueAsync(JobType.Move, source, destination);
        await System.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Equal(3, Directory.GetFiles(destination).Length);
        Assert.Empty(Directory.Exists(source) ? Directory.GetFiles(source) : []);
    }

    [Fact]
    public async Task Copy_MissingSource_FailsWithACodeAndMessage()
    {
        var job = await System.EnqueueAsync(JobType.Copy, System.Data.Combine("does-not-exist"), System.Data.Combine("never"));
        var failed = await System.WaitForStateAsync(job.Id, JobState.Failed);

        Assert.NotNull(failed.Error);
        Assert.Equal(ErrorCodes.NotFound, failed.Error.Code);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error.Message));
        Assert.DoesNotContain(System.Rclone.Password, failed.Error.Message, StringComparison.Ordinal);
        var attempt = Assert.Single(failed.Attempts);
        Assert.Equal(ErrorCodes.NotFound, attempt.ErrorCode);
        Assert.False(Directory.Exists(System.Data.Combine("never")));
    }

    [Fact]
    public async Task CancelRequestedBeforeClaim_Job_IsCanceledWithoutRunningInRclone()
    {
        var source = System.MakeFiles("cancel-early-src", count: 1, size: 100);
        var job = JobStateMachine.Create(Guid.NewGuid().ToString("N"),
            new JobSubmission(JobType.Copy, source, System.Data.Combine("cancel-early-dst"), new JobOptions()), TimeProvider.System);

        // The Api's path when its queued-cancel lost the race against a Worker's claim: only the flag is set.
        await System.Store.RequestCancelAsync(job.Id, CancellationToken.None);
        Assert.True(await System.Store.EnqueueAsync(job, CancellationToken.None));
        var canceled = await System.WaitForStateAsync(job.Id, JobState.Canceled);

        Assert.Equal(ErrorCodes.Canceled, canceled.Error?.Code);
        Assert.Empty(canceled.Attempts);
        Assert.False(await System.Store.IsCancelRequestedAsync(job.Id, CancellationToken.None));
        Assert.Empty(await System.RcdRunsOfAsync(job.Id));
    }

    [Fact]
    public async Task Health_RedisAndRcdUp_ReadyAndAlive()
    {
        using var http = new HttpClient();

        using var health = await http.GetAsync(new Uri(fixture.Worker.Url, "health"));
        var body = await health.Content.ReadAsStringAsync();
        using var alive = await http.GetAsync(new Uri(fixture.Worker.Url, "alive"));

        Assert.True(health.IsSuccessStatusCode, body);
        Assert.Contains("\"redis\":\"Healthy", body, StringComparison.Ordinal);
        Assert.Contains("\"rclone\":\"Healthy", body, StringComparison.Ordinal);
        Assert.True(alive.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Logs_AfterJobs_NeverContainTheRcdPassword()
    {
        var source = System.MakeFiles("log-src", count: 1, size: 10);
        var job = await System.EnqueueAsync(JobType.Copy, source, System.Data.Combine("log-dst"));
        await System.WaitForStateAsync(job.Id, JobState.Succeeded);

        Assert.Contains(job.Id, fixture.Worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(System.Rclone.Password, fixture.Worker.Output, StringComparison.Ordinal); // options/get carries it
        Assert.DoesNotContain("rcd forgets a finished job", fixture.Worker.Output, StringComparison.Ordinal); // rcd keeps them 1 h here
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public WorkerFixture System { get; } = new();

        public WorkerProcess Worker { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await System.InitializeAsync();
            Worker = await System.StartWorkerAsync("runner");
        }

        public Task DisposeAsync() => System.DisposeAsync();
    }
}

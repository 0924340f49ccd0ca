using System.Text.Json.Nodes;
using Rcmd.Jobs;
using Rcmd.Rclone;

namespace Rcmd.Core.Tests.Rclone;

public sealed class RcloneCommandsTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(JobType.Copy, "sync/copy")]
    [InlineData(JobType.Sync, "sync/sync")]
    [InlineData(JobType.Move, "sync/move")]
    public void ForJob_DirectoryJobs_SrcFsDstFsAsyncGroup(JobType type, string method)
    {
        var job = Running(type, "/data/in", "s3prod:bucket/out");

        var (actualMethod, parameters) = RcloneCommands.ForJob(job);

        Assert.Equal(method, actualMethod);
        AssertJson(new JsonObject
        {
            ["srcFs"] = "/data/in",
            ["dstFs"] = "s3prod:bucket/out",
            ["_async"] = true,
            ["_group"] = "rcmd/job-1/1",
        }, parameters);
    }

    [Theory]
    [InlineData(JobType.CopyFile, "operations/copyfile")]
    [InlineData(JobType.MoveFile, "operations/movefile")]
    public void ForJob_FileJobs_SplitIntoFsAndRemote(JobType type, string method)
    {
        var job = Running(type, "/data/in/report.pdf", ":s3,region=eu:bucket/archive/report-2026.pdf");

        var (actualMethod, parameters) = RcloneCommands.ForJob(job);

        Assert.Equal(method, actualMethod);
        AssertJson(new JsonObject
        {
            ["srcFs"] = "/data/in",
            ["srcRemote"] = "report.pdf",
            ["dstFs"] = ":s3,region=eu:bucket/archive",
            ["dstRemote"] = "report-2026.pdf",
            ["_async"] = true,
            ["_group"] = "rcmd/job-1/1",
        }, parameters);
    }

    [Fact]
    public void ForJob_Delete_FsOnly()
    {
        var job = Running(JobType.Delete, "s3prod:bucket/old", null);

        var (method, parameters) = RcloneCommands.ForJob(job);

        Assert.Equal("operations/delete", method);
        AssertJson(new JsonObject { ["fs"] = "s3prod:bucket/old", ["_async"] = true, ["_group"] = "rcmd/job-1/1" }, parameters);
    }

    [Theory]
    [InlineData(JobType.Copy)]
    [InlineData(JobType.CopyFile)]
    [InlineData(JobType.Delete)]
    public void ForJob_DryRun_AddsConfigDryRun(JobType type)
    {
        var job = Running(type, "/data/in/a.txt", type.HasDestination() ? "/data/out/a.txt" : null, dryRun: true);

        var (_, parameters) = RcloneCommands.ForJob(job);

        AssertJson(new JsonObject { ["DryRun"] = true }, parameters["_config"]);
    }

    [Fact]
    public void ForJob_NoDryRun_NoConfig()
    {
        var (_, parameters) = RcloneCommands.ForJob(Running(JobType.Sync, "/a", "/b"));

        Assert.False(parameters.ContainsKey("_config"));
    }

    [Fact]
    public void ForJob_DeleteFileAndPurge_FsAndRemote()
    {
        var (fileMethod, file) = RcloneCommands.ForJob(Running(JobType.DeleteFile, "s3prod:bucket/old/a.txt", null));
        var (purgeMethod, purge) = RcloneCommands.ForJob(Running(JobType.Purge, "s3prod:bucket/old", null));

        Assert.Equal(("operations/deletefile", "operations/purge"), (fileMethod, purgeMethod));
        AssertJson(new JsonObject { ["fs"] = "s3prod:bucket/old", ["remote"] = "a.txt", ["_async"] = true, ["_group"] = "rcmd/job-1/1" }, file);
        AssertJson(new JsonObject { ["fs"] = "s3prod:bucket/old", ["remote"] = "", ["_async"] = true, ["_group"] = "rcmd/job-1/1" }, purge);
    }

    [Fact]
    public void ForJob_ConfigAndFilter_PassedAsObjectsWithDryRun()
    {
        var options = new JobOptions
        {
            DryRun = true,
            Config = new Dictionary<string, System.Text.Json.JsonElement> { ["Transfers"] = System.Text.Json.JsonSerializer.SerializeToElement(8) },
            Filter = new Dictionary<string, System.Text.Json.JsonElement> { ["IncludeRule"] = System.Text.Json.JsonSerializer.SerializeToElement(new[] { "*.jpg" }) },
        };
        var job = JobStateMachine.Start(JobStateMachine.Create("job-1", new JobSubmission(JobType.Copy, "/a", "/b", options), _time), "w1", _time);

        var (_, parameters) = RcloneCommands.ForJob(job);

        AssertJson(new JsonObject { ["Transfers"] = 8, ["DryRun"] = true }, parameters["_config"]);
        AssertJson(new JsonObject { ["IncludeRule"] = new JsonArray("*.jpg") }, parameters["_filter"]);
    }

    [Fact]
    public void Group_SecondAttempt_NewGroup()
    {
        var first = Running(JobType.Copy, "/a", "/b");
        var second = JobStateMachine.Start(JobStateMachine.Requeue(first, new JobError { Code = "server_restarted", Message = "x" }, _time), "w2", _time);

        Assert.Equal("rcmd/job-1/1", RcloneCommands.Group(first));
        Assert.Equal("rcmd/job-1/2", RcloneCommands.Group(second));
        Assert.Equal("rcmd/job-1/2", RcloneCommands.ForJob(second).Parameters["_group"]!.GetValue<string>());
    }

    private Job Running(JobType type, string source, string? destination, bool dryRun = false) =>
        JobStateMachine.Start(
            JobStateMachine.Create("job-1", new JobSubmission(type, source, destination, new JobOptions { DryRun = dryRun }), _time),
            "w1", _time);

    private static void AssertJson(JsonNode expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual?.ToJsonString()}");
}

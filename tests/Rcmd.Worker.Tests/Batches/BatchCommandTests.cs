using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Worker.Batches;

namespace Rcmd.Worker.Tests.Batches;

/// <summary>The pure parts of the batch runner: the rcd call of an item, its remotes, the listing filter, the counters.</summary>
public sealed class BatchCommandTests
{
    [Fact]
    public void Command_CopyFile_OneSynchronousCallInTheBatchGroup()
    {
        var (method, parameters) = BatchRunner.Command(
            new BatchItem { Op = BatchOp.CopyFile, Source = "/in/d/a.txt", Destination = "s3:b/x/a.txt" }, "rcmd/j1/1", dryRun: false);

        Assert.Equal("operations/copyfile", method);
        Assert.Equal("""{"srcFs":"/in/d","srcRemote":"a.txt","dstFs":"s3:b/x","dstRemote":"a.txt","_group":"rcmd/j1/1"}""", parameters.ToJsonString());
        Assert.Null(parameters["_async"]); // never start + poll: the call itself is the transfer
    }

    [Fact]
    public void Command_DeleteFileDryRun_FsRemoteAndConfig()
    {
        var (method, parameters) = BatchRunner.Command(new BatchItem { Op = BatchOp.DeleteFile, Source = "/in/old.tmp" }, "g", dryRun: true);

        Assert.Equal("operations/deletefile", method);
        Assert.Equal("""{"fs":"/in","remote":"old.tmp","_group":"g","_config":{"DryRun":true}}""", parameters.ToJsonString());
    }

    [Theory]
    [InlineData("/in/a", "/out/a", new[] { "local" })]
    [InlineData("/in/a", "s3prod:b/a", new[] { "local", "s3prod" })]
    [InlineData("gdrive:a", "s3prod:b/a", new[] { "gdrive", "s3prod" })]
    [InlineData(":s3,region=x:b/a", null, new[] { ":s3" })]
    public void RemotesOf_DistinctSorted_LocalPathsAreLocal(string source, string? destination, string[] remotes)
    {
        var op = destination is null ? BatchOp.DeleteFile : BatchOp.CopyFile;

        Assert.Equal(remotes, BatchRunner.RemotesOf(new BatchItem { Op = op, Source = source, Destination = destination }));
    }

    [Fact]
    public void FilterRules_ExcludesFirst_ThenIncludes_ThenEverythingElseOut()
    {
        Assert.Equal(["- tmp/**", "- *.bak", "+ *.jpg", "+ /top/**", "- **"],
            BatchRunner.FilterRules(new BatchDirectory { Include = ["*.jpg", "/top/**"], Exclude = ["tmp/**", "*.bak"] }));
        Assert.Equal(["- *.bak"], BatchRunner.FilterRules(new BatchDirectory { Exclude = ["*.bak"] }));
        Assert.Empty(BatchRunner.FilterRules(new BatchDirectory()));
    }

    [Fact]
    public void ItemFor_JoinsTheListedPathUnderBothRoots()
    {
        var item = BatchRunner.ItemFor(new BatchDirectory { Source = "s3:bucket", Destination = "/out/" }, BatchOp.MoveFile, "a/b.txt");

        Assert.Equal(new BatchItem { Op = BatchOp.MoveFile, Source = "s3:bucket/a/b.txt", Destination = "/out/a/b.txt" }, item);
        Assert.Equal("remote:a/b.txt", BatchRunner.ItemFor(new BatchDirectory { Source = "remote:", Destination = "/o" }, BatchOp.CopyFile, "a/b.txt").Source);
    }

    [Fact]
    public void Apply_MovesAnItemBetweenStates_AsTheStoreScriptDoes()
    {
        var counters = new BatchCounters(10, 1, 0, 0, 1, 0, new Dictionary<string, long>());
        var queued = new BatchItemResult { State = BatchItemState.RetryQueued, Code = ErrorCodes.NetworkError, Retryable = true };
        var failed = new BatchItemResult { State = BatchItemState.Failed, Code = ErrorCodes.NetworkError, Retryable = true };

        var after = BatchRun.Apply(counters, BatchItemState.RetryQueued, queued, failed);
        Assert.Equal((1L, 1L, 0L, 1L), (after.Succeeded, after.Failed, after.RetryQueued, after.RetryableFailed));
        Assert.Equal(1, after.FailedByCode[ErrorCodes.NetworkError]);

        var fresh = BatchRun.Apply(after, null, null, new BatchItemResult { State = BatchItemState.Succeeded });
        Assert.Equal(2, fresh.Succeeded);
    }

    [Fact]
    public void IsRcdUnreachable_ConnectionErrorsYes_AnErrorRcdAnsweredNo()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:5572)");
        var cut = new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        var answered = new Rcmd.Rclone.RcloneException("operations/copyfile", 500, "is a file not a directory");

        Assert.True(BatchRunner.IsRcdUnreachable(refused));
        Assert.True(BatchRunner.IsRcdUnreachable(cut));
        Assert.False(BatchRunner.IsRcdUnreachable(answered));
        Assert.False(BatchRunner.IsOutage(answered));
        Assert.True(BatchRunner.IsOutage(new TimeoutException("redis")));
    }
}

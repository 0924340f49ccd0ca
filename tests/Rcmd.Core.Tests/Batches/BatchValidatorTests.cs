using Rcmd.Batches;

namespace Rcmd.Core.Tests.Batches;

public sealed class BatchValidatorTests
{
    private static BatchItemRequest Copy(string source, string destination) => new() { Op = "copyfile", Source = source, Destination = destination };

    [Fact]
    public void CheckItem_ValidItems_StoredTrimmed()
    {
        var validator = new BatchValidator();

        var copy = validator.CheckItem(0, Copy(" /in/a.txt ", "s3:b/a.txt"));
        var delete = validator.CheckItem(1, new BatchItemRequest { Op = "deletefile", Source = "/tmp/x.tmp" });

        Assert.True(validator.IsValid);
        Assert.Equal(new BatchItem { Op = BatchOp.CopyFile, Source = "/in/a.txt", Destination = "s3:b/a.txt" }, copy);
        Assert.Equal(BatchOp.DeleteFile, delete!.Op);
        Assert.Null(delete.Destination);
    }

    [Theory]
    [InlineData("copyfile", "-in/a", "/out/a", "items[3].source")]
    [InlineData("copyfile", "/in/a --delete-before", "/out/a", "items[3].source")]
    [InlineData("copyfile", "/in/a", null, "items[3].destination")]
    [InlineData("copyfile", "/in/dir/", "/out/a", "items[3].source")]
    [InlineData("copyfile", "/in/a", "/in/a", "items[3].destination")]
    [InlineData("movefile", ":s3,secret_access_key=x:b/a", "/out/a", "items[3].source")]
    [InlineData("deletefile", "/in/a", "/out/a", "items[3].destination")]
    [InlineData("sync", "/in/a", "/out/a", "items[3].op")]
    [InlineData(null, "/in/a", "/out/a", "items[3].op")]
    public void CheckItem_Invalid_NamesTheItemAndField(string? op, string source, string? destination, string field)
    {
        var validator = new BatchValidator();

        var item = validator.CheckItem(3, new BatchItemRequest { Op = op, Source = source, Destination = destination });

        Assert.Null(item);
        Assert.False(validator.IsValid);
        Assert.Contains(field, validator.Errors.Keys);
    }

    [Fact]
    public void CheckItem_Duplicate_PointsAtTheFirst()
    {
        var validator = new BatchValidator();

        validator.CheckItem(0, Copy("/in/a", "/out/a"));
        validator.CheckItem(1, Copy("/in/b", "/out/b"));
        var duplicate = validator.CheckItem(2, Copy(" /in/a", "/out/a"));

        Assert.Null(duplicate);
        Assert.Equal(["Duplicate of items[0] (same op, source and destination)."], validator.Errors["items[2]"]);
    }

    [Fact]
    public void CheckItem_TwoItemsWritingOneDestination_Refused()
    {
        var validator = new BatchValidator();

        validator.CheckItem(0, Copy("/in/a", "/out/same"));
        validator.CheckItem(1, new BatchItemRequest { Op = "movefile", Source = "/in/b", Destination = "/out/same" });

        Assert.Equal(["Writes the same destination as items[0]."], validator.Errors["items[1]"]);
    }

    [Theory]
    [InlineData(0, "A batch needs at least one item.")]
    [InlineData(100_001, "A batch takes at most 100000 items; this one has more.")]
    public void CheckCount_EmptyOrTooMany(long count, string message)
    {
        var validator = new BatchValidator();

        validator.CheckCount(count);

        Assert.Equal([message], validator.Errors["items"]);
    }

    [Fact]
    public void Errors_ManyBadItems_ListedUpToTheLimitThenSummed()
    {
        var validator = new BatchValidator();

        for (var i = 0; i < 80; i++)
        {
            validator.CheckItem(i, Copy($"-bad{i}", $"/out/{i}"));
        }

        var errors = validator.Errors;
        Assert.Equal(BatchValidator.MaxListedErrors + 1, errors.Count); // 50 items + the "items" summary
        Assert.Equal(["… and 30 more problems."], errors["items"]);
    }

    [Fact]
    public void CheckOptions_DefaultsAndLimits()
    {
        var validator = new BatchValidator();
        var defaults = validator.CheckOptions(null);
        Assert.Equal(8, defaults.Concurrency);
        Assert.Equal(10, defaults.CheckpointEvery);
        Assert.Equal(20, defaults.StopRule.MinItems);
        Assert.Equal(0.5, defaults.StopRule.MaxFailureRatio);
        Assert.True(validator.IsValid);

        validator.CheckOptions(new BatchOptions { Concurrency = 0, CheckpointEvery = 5000, StopRule = new BatchStopRule { MinItems = 0, MaxFailureRatio = 1.5 } });
        Assert.Equal(
            ["options.checkpointEvery", "options.concurrency", "options.stopRule.maxFailureRatio", "options.stopRule.minItems"],
            validator.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CheckDirectory_OpAndPaths()
    {
        var ok = new BatchValidator();
        Assert.Equal(BatchOp.MoveFile, ok.CheckDirectory(new BatchDirectory { Source = "/in", Destination = "s3:b/out", Include = ["*.jpg"] }, "movefile"));
        Assert.True(ok.IsValid);

        var bad = new BatchValidator();
        bad.CheckDirectory(new BatchDirectory { Source = "/in", Destination = "/in/", Exclude = ["{a,b"] }, "deletefile");
        Assert.Equal(["directory.destination", "directory.exclude[0]", "op"], bad.Errors.Keys.Order(StringComparer.Ordinal));
    }
}

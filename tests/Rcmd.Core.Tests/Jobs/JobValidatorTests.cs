using Rcmd.Jobs;

namespace Rcmd.Core.Tests.Jobs;

public sealed class JobValidatorTests
{
    [Fact]
    public void Validate_NullBody_BodyError()
    {
        var result = JobValidator.Validate(null);

        Assert.False(result.IsValid);
        Assert.Contains("body", result.Errors.Keys);
    }

    [Fact]
    public void Validate_GoodCopy_Submission()
    {
        var result = JobValidator.Validate(new JobRequest { Type = "copy", Source = " /data/in ", Destination = "s3prod:bucket/out" });

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(new JobSubmission(JobType.Copy, "/data/in", "s3prod:bucket/out", new JobOptions()), result.Submission);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("COPY", JobType.Copy)]
    [InlineData("sync", JobType.Sync)]
    [InlineData("move", JobType.Move)]
    [InlineData("copyfile", JobType.CopyFile)]
    [InlineData("movefile", JobType.MoveFile)]
    public void Validate_EveryTypeWithDestination_Accepted(string type, JobType expected)
    {
        var result = JobValidator.Validate(new JobRequest { Type = type, Source = "/in/a.txt", Destination = "s3:b/a.txt" });

        Assert.True(result.IsValid);
        Assert.Equal(expected, result.Submission!.Type);
    }

    [Fact]
    public void Validate_Delete_NoDestinationNeeded()
    {
        var result = JobValidator.Validate(new JobRequest { Type = "delete", Source = "s3:b/old" });

        Assert.True(result.IsValid);
        Assert.Null(result.Submission!.Destination);
    }

    [Theory]
    [InlineData("deletefile", "s3:b/old/a.txt", true)]
    [InlineData("deletefile", "s3:b/old/", false)]
    [InlineData("purge", "s3:b/old", true)]
    [InlineData("purge", "s3:", false)]
    [InlineData("purge", "/", false)]
    public void Validate_DeleteFileAndPurge_NeedAFileOrAPathUnderARoot(string type, string source, bool valid)
    {
        var result = JobValidator.Validate(new JobRequest { Type = type, Source = source });

        Assert.Equal(valid, result.IsValid);
        Assert.True(valid ? result.Submission!.Destination is null : result.Errors.ContainsKey("source"));
    }

    [Fact]
    public void Validate_RcloneSettings_NamesInRclonesSpelling_UnknownOrSecretNamesRefused()
    {
        static System.Text.Json.JsonElement Json(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
        var good = JobValidator.Validate(new JobRequest
        {
            Type = "copy", Source = "/in", Destination = "/out",
            Options = new JobOptions
            {
                Config = new Dictionary<string, System.Text.Json.JsonElement> { ["transfers"] = Json("8"), ["no_traverse"] = Json("true") },
                Filter = new Dictionary<string, System.Text.Json.JsonElement> { ["IncludeRule"] = Json("""["*.jpg"]""") },
            },
        });
        var bad = JobValidator.Validate(new JobRequest
        {
            Type = "copy", Source = "/in", Destination = "/out",
            Options = new JobOptions
            {
                Config = new Dictionary<string, System.Text.Json.JsonElement>
                {
                    ["PasswordCommand"] = Json("\"sh -c x\""), ["Nope"] = Json("1"), ["Transfers"] = Json("{}"),
                },
                Filter = new Dictionary<string, System.Text.Json.JsonElement> { ["FilterFrom"] = Json("\"/etc/passwd\"") },
            },
        });

        Assert.True(good.IsValid, string.Join("; ", good.Errors.SelectMany(e => e.Value)));
        Assert.Equal(["NoTraverse", "Transfers"], good.Submission!.Options.Config!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("*.jpg", good.Submission.Options.Filter!["IncludeRule"][0].GetString());
        Assert.Equal(3, bad.Errors["options.config"].Length);
        Assert.Contains(bad.Errors["options.config"], m => m.Contains("'PasswordCommand'", StringComparison.Ordinal));
        Assert.Contains(bad.Errors["options.config"], m => m.Contains("'Transfers' must be", StringComparison.Ordinal));
        Assert.Single(bad.Errors["options.filter"]);
    }

    [Theory]
    [InlineData(null, "type", "Type is required")]
    [InlineData("  ", "type", "Type is required")]
    [InlineData("teleport", "type", "Unknown type 'teleport'")]
    public void Validate_BadType_TypeError(string? type, string field, string message)
    {
        AssertError(new JobRequest { Type = type, Source = "/in", Destination = "/out" }, field, message);
    }

    [Fact]
    public void Validate_LongUnknownType_IsTruncatedInMessage()
    {
        var result = JobValidator.Validate(new JobRequest { Type = new string('x', 100), Source = "/in", Destination = "/out" });

        Assert.Contains(result.Errors["type"], m => m.Contains(new string('x', 40) + "…", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "Source is required.")]
    [InlineData("", "Source is required.")]
    [InlineData("-r", "starts with '-'")]
    [InlineData("/in --delete-before", "looks like a command-line flag")]
    [InlineData("/in\u0007bell", "control characters")]
    [InlineData(":s3,secret_access_key=x:bucket", "credentials in its connection string")]
    [InlineData(":s3,session_token=x:bucket", "credentials in its connection string")]
    [InlineData(":,region=x:bucket", "inline backend without a valid name")]
    [InlineData(":!x:bucket", "inline backend without a valid name")]
    [InlineData("bad|name:bucket", "invalid remote name 'bad|name'")]
    public void Validate_BadSource_SourceError(string? source, string message)
    {
        AssertError(new JobRequest { Type = "copy", Source = source, Destination = "/out" }, "source", message);
    }

    [Fact]
    public void Validate_TooLongPath_Refused()
    {
        AssertError(new JobRequest { Type = "copy", Source = "/" + new string('a', JobValidator.MaxPathLength), Destination = "/out" },
            "source", "longer than 4096");
    }

    [Fact]
    public void Validate_MissingDestination_DestinationError()
    {
        AssertError(new JobRequest { Type = "sync", Source = "/in" }, "destination", "Destination is required.");
    }

    [Fact]
    public void Validate_DeleteWithDestination_Refused()
    {
        AssertError(new JobRequest { Type = "delete", Source = "/in", Destination = "/out" }, "destination", "takes no destination");
    }

    [Theory]
    [InlineData("copyfile", "s3:", "s3:b/a.txt", "source")]
    [InlineData("copyfile", "/in/dir/", "s3:b/a.txt", "source")]
    [InlineData("movefile", "/in/a.txt", "s3:", "destination")]
    [InlineData("movefile", "/in/a.txt", "s3:b/dir/", "destination")]
    public void Validate_FileJobsWithoutFileNames_Refused(string type, string source, string destination, string field)
    {
        AssertError(new JobRequest { Type = type, Source = source, Destination = destination }, field, "file path");
    }

    [Theory]
    [InlineData("/data/in", "/data/in/")]
    [InlineData("s3:bucket/x", "s3:bucket/x")]
    public void Validate_SameSourceAndDestination_Refused(string source, string destination)
    {
        AssertError(new JobRequest { Type = "sync", Source = source, Destination = destination }, "destination", "same as the source");
    }

    [Fact]
    public void Validate_SeveralProblems_AllReportedPerField()
    {
        var result = JobValidator.Validate(new JobRequest { Type = "nope", Source = "-x", Destination = null });

        Assert.False(result.IsValid);
        Assert.Contains("type", result.Errors.Keys);
        Assert.Contains("source", result.Errors.Keys);
        Assert.Contains("destination", result.Errors.Keys);
    }

    [Fact]
    public void Validate_Options_PassedThrough()
    {
        var result = JobValidator.Validate(new JobRequest { Type = "copy", Source = "/in", Destination = "/out", Options = new JobOptions { DryRun = true } });

        Assert.True(result.Submission!.Options.DryRun);
    }

    private static void AssertError(JobRequest request, string field, string fragment)
    {
        var result = JobValidator.Validate(request);

        Assert.False(result.IsValid);
        Assert.Null(result.Submission);
        Assert.True(result.Errors.TryGetValue(field, out var messages), $"no error for '{field}': {string.Join("; ", result.Errors.Keys)}");
        Assert.Contains(messages, m => m.Contains(fragment, StringComparison.Ordinal));
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Retention;

namespace Rcmd.Core.Tests.Retention;

public sealed class RetentionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionOptions Defaults = new();

    internal static Job Finished(JobState state, DateTimeOffset finishedAt, string id = "j", JobType type = JobType.Copy) => new()
    {
        Id = id,
        Type = type,
        Source = "/in",
        Destination = "/out",
        State = state,
        CreatedAt = finishedAt - TimeSpan.FromMinutes(5),
        UpdatedAt = finishedAt,
        FinishedAt = state.IsTerminal() ? finishedAt : null,
    };

    [Fact]
    public void Evaluate_SucceededWithin14Days_Kept() =>
        Assert.Equal(RetentionVerdict.Keep, RetentionRules.Evaluate(Finished(JobState.Succeeded, Now - TimeSpan.FromDays(13.9)), Defaults, Now));

    [Fact]
    public void Evaluate_SucceededAt14Days_Expired() =>
        Assert.Equal(RetentionVerdict.Expired, RetentionRules.Evaluate(Finished(JobState.Succeeded, Now - TimeSpan.FromDays(14)), Defaults, Now));

    [Theory]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.PartiallyFailed)]
    [InlineData(JobState.Canceled)]
    public void Evaluate_FailedOutcomes_Kept90Days(JobState state)
    {
        Assert.Equal(RetentionVerdict.Keep, RetentionRules.Evaluate(Finished(state, Now - TimeSpan.FromDays(89)), Defaults, Now));
        Assert.Equal(RetentionVerdict.Expired, RetentionRules.Evaluate(Finished(state, Now - TimeSpan.FromDays(90)), Defaults, Now));
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Waiting)]
    public void Evaluate_LiveJobOfAnyAge_NeverTouched(JobState state)
    {
        var ancient = Finished(state, Now - TimeSpan.FromDays(3650));

        Assert.Equal(RetentionVerdict.Live, RetentionRules.Evaluate(ancient, Defaults, Now));
        Assert.Empty(RetentionRules.CapVictims([ancient], 10));
        Assert.False(RetentionRules.BatchItemsExpired(ancient with { Type = JobType.Batch }, Defaults, Now));
    }

    [Fact]
    public void Evaluate_NoFinishedAt_UsesLastChange()
    {
        var job = Finished(JobState.Canceled, Now - TimeSpan.FromDays(91)) with { FinishedAt = null };

        Assert.Equal(RetentionVerdict.Expired, RetentionRules.Evaluate(job, Defaults, Now));
    }

    [Fact]
    public void Evaluate_ConfiguredRetention_FollowsIt()
    {
        var options = new RetentionOptions { Succeeded = TimeSpan.FromHours(1), Failed = TimeSpan.FromHours(2) };

        Assert.Equal(RetentionVerdict.Expired, RetentionRules.Evaluate(Finished(JobState.Succeeded, Now - TimeSpan.FromHours(1)), options, Now));
        Assert.Equal(RetentionVerdict.Keep, RetentionRules.Evaluate(Finished(JobState.Failed, Now - TimeSpan.FromHours(1)), options, Now));
    }

    [Fact]
    public void CandidateCutoff_IsNowMinusOutcomeRetention()
    {
        Assert.Equal(Now - TimeSpan.FromDays(14), RetentionRules.CandidateCutoff(JobState.Succeeded, Defaults, Now));
        Assert.Equal(Now - TimeSpan.FromDays(90), RetentionRules.CandidateCutoff(JobState.Canceled, Defaults, Now));
    }

    [Fact]
    public void BatchItemsExpired_FinishedBatch_After14Days()
    {
        var batch = Finished(JobState.Failed, Now - TimeSpan.FromDays(14), type: JobType.Batch);

        Assert.True(RetentionRules.BatchItemsExpired(batch, Defaults, Now));
        Assert.False(RetentionRules.BatchItemsExpired(batch with { FinishedAt = Now - TimeSpan.FromDays(13) }, Defaults, Now));
        Assert.False(RetentionRules.BatchItemsExpired(batch with { Type = JobType.Copy }, Defaults, Now));
    }

    [Fact]
    public void OverCap_CountsOnlyThePart()
    {
        var options = new RetentionOptions { MaxFinishedJobs = 100 };

        Assert.Equal(0, RetentionRules.OverCap(100, options));
        Assert.Equal(5, RetentionRules.OverCap(105, options));
    }

    [Fact]
    public void CapVictims_OldestFinishedFirst_LiveSkipped()
    {
        var jobs = new[]
        {
            Finished(JobState.Succeeded, Now, "a"), Finished(JobState.Running, Now, "b"), Finished(JobState.Failed, Now, "c"),
            Finished(JobState.Succeeded, Now, "d"),
        };

        Assert.Equal(["a", "c"], RetentionRules.CapVictims(jobs, 2).Select(j => j.Id));
        Assert.Empty(RetentionRules.CapVictims(jobs, 0));
    }

    [Fact]
    public void Link_LiveArchivedUnknown_SaySo()
    {
        var at = new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);

        Assert.Equal(JobLinkState.Live, RetentionRules.Link("x", live: true, archivedAt: at, "/a").State);
        var archived = RetentionRules.Link("x", live: false, archivedAt: at, "s3:rcmd/history");
        Assert.Equal(JobLinkState.Archived, archived.State);
        Assert.Equal("s3:rcmd/history/rcmd-jobs-2026-02-03.jsonl.gz", archived.ArchiveFile);
        Assert.Equal(JobLinkState.Unknown, RetentionRules.Link("x", live: false, archivedAt: null, "/a").State);
    }

    [Fact]
    public void ArchiveFileName_UtcDay() =>
        Assert.Equal("rcmd-jobs-2026-03-01.jsonl.gz", RetentionRules.ArchiveFileName(new DateTimeOffset(2026, 3, 1, 23, 30, 0, TimeSpan.FromHours(-1)).AddHours(-1)));

    [Theory]
    [InlineData("s3archive:rcmd/history", true)]
    [InlineData(":s3,provider=AWS:bucket", true)]
    [InlineData("/var/lib/rcmd/archive", false)]
    [InlineData("./archive", false)]
    [InlineData("rcmd-archive", false)]
    [InlineData("C:\\rcmd\\archive", false)]
    public void IsRemote_RecognisesRemotes(string target, bool remote) => Assert.Equal(remote, RetentionOptions.IsRemote(target));

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnesAndValid()
    {
        var options = new RetentionOptions();

        Assert.Equal(TimeSpan.FromDays(14), options.Succeeded);
        Assert.Equal(TimeSpan.FromDays(90), options.Failed);
        Assert.Equal(TimeSpan.FromDays(14), options.BatchItems);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(null, null, "rcmd-archive")]
    [InlineData("/var/lib/rcmd", null, "/var/lib/rcmd/archive")]
    [InlineData("/var/lib/rcmd", "/srv/history", "/srv/history")]
    [InlineData("/var/lib/rcmd", "rcmd-archive", "rcmd-archive")]
    [InlineData(null, "s3archive:rcmd/history", "s3archive:rcmd/history")]
    public void Options_ArchiveToUnset_UnderTheDataDirectory(string? dataDirectory, string? archiveTo, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Rcmd:DataDir"] = dataDirectory, ["Rcmd:Retention:ArchiveTo"] = archiveTo };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(setting => setting.Value is not null))
            .Build();
        using var services = new ServiceCollection().AddRcmdRetention(configuration).BuildServiceProvider();

        Assert.Equal(expected, services.GetRequiredService<IOptions<RetentionOptions>>().Value.ArchiveTo);
    }

    [Fact]
    public void ArchiveLocation_InlineRemoteWithCredentials_ShownMasked()
    {
        var location = RetentionRules.ArchiveLocation(":s3,access_key_id=AKIAXYZ,secret_access_key=sekrit123:bucket/h", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.DoesNotContain("sekrit123", location, StringComparison.Ordinal);
        Assert.EndsWith("bucket/h/rcmd-jobs-2026-03-01.jsonl.gz", location, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ArchivedLinksShorterThanRetention_Refused()
    {
        var errors = Validate(new RetentionOptions { ArchivedLinks = TimeSpan.FromDays(30) });

        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(RetentionOptions.ArchivedLinks)));
    }

    [Fact]
    public void Options_EmptyArchiveToOrZeroCap_Refused()
    {
        Assert.NotEmpty(Validate(new RetentionOptions { ArchiveTo = " " }));
        Assert.NotEmpty(Validate(new RetentionOptions { MaxFinishedJobs = 0 }));
    }

    private static List<ValidationResult> Validate(RetentionOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        results.AddRange(options.Validate(new ValidationContext(options)));
        return results;
    }
}

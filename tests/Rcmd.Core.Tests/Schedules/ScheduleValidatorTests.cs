using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Schedules;

namespace Rcmd.Core.Tests.Schedules;

public sealed class ScheduleValidatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static ScheduleRequest Valid() => new()
    {
        Name = "nightly",
        Cron = "30 2 * * *",
        TimeZone = "Europe/Paris",
        Job = new JobRequest { Type = "sync", Source = "/data/in", Destination = "s3prod:bucket/out" },
    };

    [Fact]
    public void Validate_ValidJobSchedule_ScheduleWithDefaults()
    {
        var result = ScheduleValidator.Validate(Valid(), "id1", Now);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        var schedule = result.Schedule!;
        Assert.Equal(ScheduleOverlap.Skip, schedule.Overlap);
        Assert.Equal(ScheduleMissed.RunOnce, schedule.Missed);
        Assert.Equal("sync", schedule.Job!.Type);
        Assert.Equal(Now, schedule.CreatedAt);
    }

    [Theory]
    [InlineData("* * *", "cron")]
    [InlineData("61 * * * *", "cron")]
    [InlineData("0 0 30 2 *", "cron")] // never fires
    [InlineData("", "cron")]
    public void Validate_BadCron_FieldError(string cron, string field)
    {
        var result = ScheduleValidator.Validate(Valid() with { Cron = cron }, "id1", Now);

        Assert.False(result.IsValid);
        Assert.Contains(field, result.Errors.Keys);
    }

    [Theory]
    [InlineData("@hourly")]
    [InlineData("@daily")]
    [InlineData("*/5 * * * * *")]
    public void Validate_MacroOrSeconds_Accepted(string cron) =>
        Assert.True(ScheduleValidator.Validate(Valid() with { Cron = cron }, "id1", Now).IsValid);

    [Fact]
    public void Validate_UnknownZone_FieldError()
    {
        var result = ScheduleValidator.Validate(Valid() with { TimeZone = "Mars/Olympus" }, "id1", Now);

        Assert.Contains("timeZone", result.Errors.Keys);
    }

    [Fact]
    public void Validate_EndBeforeNextFire_NeverFires()
    {
        var result = ScheduleValidator.Validate(Valid() with { Cron = "0 0 1 1 *", EndAt = Now.AddDays(30) }, "id1", Now);

        Assert.Contains("never fires", Assert.Single(result.Errors["cron"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_JobRefusedAsAJob_RefusedWithJobFields()
    {
        var result = ScheduleValidator.Validate(Valid() with { Job = new JobRequest { Type = "copy", Source = "--config=/etc/x", Destination = "/out" } }, "id1", Now);

        Assert.False(result.IsValid);
        Assert.Contains("job.source", result.Errors.Keys);
    }

    [Fact]
    public void Validate_BatchWithBadItem_RefusedWithBatchFields()
    {
        var request = Valid() with
        {
            Job = null,
            Batch = new ScheduleBatchRequest { Items = [new BatchItemRequest { Op = "explode", Source = "/a/f.txt" }] },
        };

        var result = ScheduleValidator.Validate(request, "id1", Now);

        Assert.Contains("batch.items[0].op", result.Errors.Keys);
    }

    [Fact]
    public void Validate_DirectoryBatch_Accepted()
    {
        var request = Valid() with
        {
            Job = null,
            Batch = new ScheduleBatchRequest { Directory = new BatchDirectory { Source = "/data/in", Destination = "/data/out", Include = ["*.txt"] } },
        };

        var result = ScheduleValidator.Validate(request, "id1", Now);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(BatchOp.CopyFile, result.Schedule!.Batch!.Op);
    }

    [Fact]
    public void Validate_PoliciesAndJitter_ParsedOrRefused()
    {
        var ok = ScheduleValidator.Validate(Valid() with { Overlap = "queue_one", Missed = "run_each", MissedCap = 5, Jitter = "30s" }, "id1", Now);
        var bad = ScheduleValidator.Validate(Valid() with { Overlap = "sometimes", Missed = "never", MissedCap = 0, Jitter = "soon" }, "id1", Now);

        Assert.Equal(ScheduleOverlap.QueueOne, ok.Schedule!.Overlap);
        Assert.Equal(ScheduleMissed.RunEach, ok.Schedule.Missed);
        Assert.Equal(TimeSpan.FromSeconds(30), ok.Schedule.Jitter);
        Assert.Equal(["jitter", "missed", "missedCap", "overlap"], bad.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_NeitherJobNorBatch_Refused()
    {
        var result = ScheduleValidator.Validate(Valid() with { Job = null }, "id1", Now);

        Assert.Contains("job", result.Errors.Keys);
    }
}

using System.Text.Json;

namespace Rcmd.Notifications.Tests.Notifications;

/// <summary>A channel's <c>Schedules</c> filter: only job events of jobs those schedules started; remote events pass.</summary>
public sealed class ScheduleFilterTests
{
    private static readonly NotificationChannelOptions Channel = new() { Name = "c", Type = "webhook", Events = ["*"], Schedules = ["nightly"] };

    [Theory]
    [InlineData("JOB_FAILED", """{"type":"copy","remote":"local","scheduleId":"nightly"}""", true)]
    [InlineData("JOB_FAILED", """{"type":"copy","remote":"local","scheduleId":"hourly"}""", false)]
    [InlineData("JOB_COMPLETED", """{"type":"copy","remote":"local"}""", false)]
    [InlineData("REMOTE_OFFLINE", """{"remote":"s3prod"}""", true)]
    public void Matches_ScheduleFilter_OnlyThatSchedulesJobs(string name, string data, bool expected)
    {
        var entry = NotificationEntry.Parse("1-0", new Dictionary<string, string> { ["event"] = name, ["data"] = data })!;

        Assert.Equal(expected, NotificationDispatcher.Matches(Channel, entry));
    }

    [Fact]
    public void JobNotificationData_ScheduledJob_CarriesItsSchedule()
    {
        var job = Rcmd.Jobs.JobStateMachine.Create("j1", new Rcmd.Jobs.JobSubmission(Rcmd.Jobs.JobType.Copy, "/in", "/out", new Rcmd.Jobs.JobOptions()),
            TimeProvider.System) with { ScheduleId = "nightly" };

        using var json = JsonDocument.Parse(JobNotificationData.From(job).ToJson());

        Assert.Equal("nightly", json.RootElement.GetProperty("scheduleId").GetString());
    }
}

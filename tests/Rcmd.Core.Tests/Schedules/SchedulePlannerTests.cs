using System.Diagnostics;
using Rcmd.Jobs;
using Rcmd.Schedules;

namespace Rcmd.Core.Tests.Schedules;

/// <summary>Fire times across DST in three zones, the missed and overlap policies, pause, end, jitter: pure, with times passed in.</summary>
public sealed class SchedulePlannerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MissedAfter = TimeSpan.FromSeconds(30);

    public static Schedule Make(string cron, string zone = "UTC", ScheduleMissed missed = ScheduleMissed.RunOnce, int cap = 10,
        ScheduleOverlap overlap = ScheduleOverlap.Skip, TimeSpan jitter = default, DateTimeOffset? endAt = null, bool paused = false) => new()
    {
        Id = "s1",
        Name = "test",
        Cron = cron,
        TimeZone = zone,
        Job = new JobRequest { Type = "copy", Source = "/in", Destination = "/out" },
        Missed = missed,
        MissedCap = cap,
        Overlap = overlap,
        Jitter = jitter,
        EndAt = endAt,
        Paused = paused,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    // Spring forward: 02:30 does not exist on that day; it runs once, at 03:00 (the first valid time after the gap).
    [InlineData("America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z")]
    [InlineData("Europe/Paris", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z")]
    [InlineData("Australia/Sydney", "2026-10-03T00:00:00Z", "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z", "2026-10-05T15:30:00Z")]
    public void NextAfter_SpringForwardAtTwoThirty_RunsOnceEachDay(string zone, string from, string first, string second, string third)
    {
        var timetable = ScheduleTimetable.For(Make("30 2 * * *", zone));

        var times = timetable.Upcoming(DateTimeOffset.Parse(from, null), 3).Select(t => t.UtcDateTime).ToArray();

        Assert.Equal([Utc(first), Utc(second), Utc(third)], times);
    }

    [Theory]
    // Fall back: 01:30 (New York) / 02:30 (Paris, Sydney) happens twice on the clock; it runs once.
    [InlineData("America/New_York", "30 1 * * *", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z")]
    [InlineData("Europe/Paris", "30 2 * * *", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")]
    [InlineData("Australia/Sydney", "30 2 * * *", "2026-04-04T00:00:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z")]
    public void NextAfter_FallBackHour_RunsOnce(string zone, string cron, string from, string first, string second)
    {
        var timetable = ScheduleTimetable.For(Make(cron, zone));

        var times = timetable.Upcoming(DateTimeOffset.Parse(from, null), 2).Select(t => t.UtcDateTime).ToArray();

        Assert.Equal([Utc(first), Utc(second)], times);
    }

    [Fact]
    public void NextAfter_LeapDayCron_OnlyOnLeapYears()
    {
        var timetable = ScheduleTimetable.For(Make("0 12 29 2 *"));

        var times = timetable.Upcoming(DateTimeOffset.Parse("2026-01-01T00:00:00Z", null), 2).Select(t => t.UtcDateTime).ToArray();

        Assert.Equal([Utc("2028-02-29T12:00:00Z"), Utc("2032-02-29T12:00:00Z")], times);
    }

    [Fact]
    public void Step_YearOfMinutesOnAFakeClock_FiresEachMinuteOnce()
    {
        var schedule = Make("* * * * *", "Europe/Paris");
        var timetable = ScheduleTimetable.For(schedule);
        var start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", null);
        var cursor = start;
        var fires = 0;
        var wrong = 0;
        var watch = Stopwatch.StartNew();
        for (var now = start.AddMinutes(1); now <= start.AddDays(365); now = now.AddMinutes(1))
        {
            var step = SchedulePlanner.Step(schedule, timetable, cursor, now, MissedAfter);
            if (step.Kind != ScheduleStepKind.Fire || step.Planned != now)
            {
                wrong++;
            }

            cursor = step.Planned ?? now;
            fires++;
        }

        watch.Stop();
        Assert.Equal(0, wrong);
        output.WriteLine($"{fires} fire times planned in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(525_600, fires); // DST changes do not add or remove real minutes
        // Wall time is printed, not asserted: ~10 µs a step alone, several times that on a shared, busy machine.
    }

    [Fact]
    public void Step_NotYetDue_WaitsUntilTheFireTime()
    {
        var schedule = Make("0 * * * *");
        var now = DateTimeOffset.Parse("2026-05-01T10:20:00Z", null);

        var step = SchedulePlanner.Step(schedule, ScheduleTimetable.For(schedule), now, now, MissedAfter);

        Assert.Equal(ScheduleStepKind.Wait, step.Kind);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T11:00:00Z", null), step.DueAt);
    }

    [Fact]
    public void Step_MissedRunOnce_FiresOnlyTheLatest()
    {
        var schedule = Make("0 * * * *");
        var cursor = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);
        var now = DateTimeOffset.Parse("2026-05-01T15:10:00Z", null); // 11:00 … 15:00 missed

        var step = SchedulePlanner.Step(schedule, ScheduleTimetable.For(schedule), cursor, now, MissedAfter);

        Assert.Equal(ScheduleStepKind.Fire, step.Kind);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T15:00:00Z", null), step.Planned);
        var after = SchedulePlanner.Step(schedule, ScheduleTimetable.For(schedule), step.Planned!.Value, now, MissedAfter);
        Assert.Equal(ScheduleStepKind.Wait, after.Kind);
    }

    [Fact]
    public void Step_MissedSkip_DropsThemAndWaitsForTheNext()
    {
        var schedule = Make("0 * * * *", missed: ScheduleMissed.Skip);
        var timetable = ScheduleTimetable.For(schedule);
        var cursor = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);
        var now = DateTimeOffset.Parse("2026-05-01T15:10:00Z", null);

        var step = SchedulePlanner.Step(schedule, timetable, cursor, now, MissedAfter);

        Assert.Equal(ScheduleStepKind.SkipMissed, step.Kind);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T15:00:00Z", null), step.Planned);
        Assert.Equal(ScheduleStepKind.Wait, SchedulePlanner.Step(schedule, timetable, step.Planned!.Value, now, MissedAfter).Kind);
    }

    [Fact]
    public void Step_MissedRunEach_FiresTheLatestCapOldestFirst()
    {
        var schedule = Make("0 * * * *", missed: ScheduleMissed.RunEach, cap: 3);
        var timetable = ScheduleTimetable.For(schedule);
        var cursor = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);
        var now = DateTimeOffset.Parse("2026-05-01T15:10:00Z", null); // 11, 12, 13, 14, 15 missed: 13, 14, 15 run

        var fired = new List<DateTimeOffset>();
        var dropped = 0;
        for (var i = 0; i < 10; i++)
        {
            var step = SchedulePlanner.Step(schedule, timetable, cursor, now, MissedAfter);
            if (step.Kind == ScheduleStepKind.Wait)
            {
                break;
            }

            if (step.Kind == ScheduleStepKind.Fire)
            {
                fired.Add(step.Planned!.Value);
            }
            else
            {
                dropped++;
            }

            cursor = step.Planned!.Value;
        }

        Assert.Equal(1, dropped);
        Assert.Equal(["2026-05-01T13:00:00Z", "2026-05-01T14:00:00Z", "2026-05-01T15:00:00Z"],
            fired.Select(t => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Step_SlightlyLate_FiresNormally()
    {
        var schedule = Make("0 * * * *", missed: ScheduleMissed.Skip);
        var cursor = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);
        var now = DateTimeOffset.Parse("2026-05-01T11:00:20Z", null);

        var step = SchedulePlanner.Step(schedule, ScheduleTimetable.For(schedule), cursor, now, MissedAfter);

        Assert.Equal(ScheduleStepKind.Fire, step.Kind);
        Assert.Equal(DateTimeOffset.Parse("2026-05-01T11:00:00Z", null), step.Planned);
    }

    [Fact]
    public void Step_Paused_Done()
    {
        var schedule = Make("* * * * *", paused: true);
        var now = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);

        Assert.Equal(ScheduleStepKind.Done, SchedulePlanner.Step(schedule, ScheduleTimetable.For(schedule), now.AddHours(-1), now, MissedAfter).Kind);
    }

    [Fact]
    public void Step_PastEndAt_Done()
    {
        var end = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);
        var schedule = Make("0 * * * *", endAt: end);

        Assert.Equal(ScheduleStepKind.Done, SchedulePlanner.Step(schedule, ScheduleTimetable.For(schedule), end, end.AddHours(3), MissedAfter).Kind);
    }

    [Fact]
    public void Jitter_SameScheduleAndTime_SameDelayWithinBound()
    {
        var planned = DateTimeOffset.Parse("2026-05-01T10:00:00Z", null);
        var max = TimeSpan.FromSeconds(30);

        var delays = Enumerable.Range(0, 200).Select(i => SchedulePlanner.Jitter("s1", planned.AddMinutes(i), max)).ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, max));
        Assert.Equal(delays[7], SchedulePlanner.Jitter("s1", planned.AddMinutes(7), max));
        Assert.True(delays.Distinct().Count() > 100, "the delays spread over the bound");
        Assert.Equal(TimeSpan.Zero, SchedulePlanner.Jitter("s1", planned, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(ScheduleOverlap.Skip, false, false, OverlapAction.Fire)]
    [InlineData(ScheduleOverlap.Skip, true, false, OverlapAction.Skip)]
    [InlineData(ScheduleOverlap.QueueOne, false, false, OverlapAction.Fire)]
    [InlineData(ScheduleOverlap.QueueOne, true, false, OverlapAction.Queue)]
    [InlineData(ScheduleOverlap.QueueOne, true, true, OverlapAction.Skip)]
    [InlineData(ScheduleOverlap.QueueOne, false, true, OverlapAction.Skip)]
    [InlineData(ScheduleOverlap.Parallel, true, false, OverlapAction.Fire)]
    public void Overlap_PolicyAndPreviousRun_Decides(ScheduleOverlap policy, bool running, bool queued, OverlapAction expected) =>
        Assert.Equal(expected, SchedulePlanner.Overlap(policy, running, queued));

    private static DateTime Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
}

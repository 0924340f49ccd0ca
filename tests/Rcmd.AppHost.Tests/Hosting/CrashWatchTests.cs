using Aspire.Hosting.ApplicationModel;
using Rcmd.AppHost.Tests.Support;

namespace Rcmd.AppHost.Tests.Hosting;

/// <summary>What <see cref="CrashWatch"/> makes of a resource instance's states: crashes come back, stops stay stopped.</summary>
public sealed class CrashWatchTests
{
    private readonly ManualClock _clock = new();

    [Theory]
    [InlineData("Exited")]
    [InlineData("Finished")]
    [InlineData("FailedToStart")]
    public void Observe_EndWithoutStopping_IsACrash_RestartsAfterOneSecond(string end)
    {
        var watch = Running();

        Assert.Equal(TimeSpan.FromSeconds(1), watch.Observe(end));
    }

    [Theory]
    [InlineData("Exited")]
    [InlineData("Finished")]
    public void Observe_EndAfterStopping_IsAStop_NotRestarted(string end)
    {
        var watch = Running();

        Assert.Null(watch.Observe(KnownResourceStates.Stopping));
        Assert.Null(watch.Observe(end));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(watch.Observe(end)); // Aspire repeats a snapshot: still a stop
    }

    [Fact]
    public void Observe_StartedAgainAfterAStop_ThenCrashes_IsRestarted()
    {
        var watch = Running();
        watch.Observe(KnownResourceStates.Stopping);
        watch.Observe(KnownResourceStates.Exited);

        watch.Observe(KnownResourceStates.Starting);
        watch.Observe(KnownResourceStates.Running);

        Assert.Equal(TimeSpan.FromSeconds(1), watch.Observe(KnownResourceStates.Exited));
    }

    [Fact]
    public void Observe_DashboardRestart_StopThenStart_NoSecondStart()
    {
        var watch = Running();

        Assert.Null(watch.Observe(KnownResourceStates.Stopping));
        Assert.Null(watch.Observe(KnownResourceStates.Exited));
        Assert.Null(watch.Observe(KnownResourceStates.Starting));
        Assert.Null(watch.Observe(KnownResourceStates.Running));
    }

    [Fact]
    public void Observe_RepeatedEndWhileRestarting_OneRestart()
    {
        var watch = Running();

        Assert.NotNull(watch.Observe(KnownResourceStates.Exited));
        Assert.Null(watch.Observe(KnownResourceStates.Exited));
        watch.RestartDone();
        Assert.NotNull(watch.Observe(KnownResourceStates.Exited));
    }

    [Fact]
    public void Observe_QuickCrashes_DelayDoublesUpTo30s_HealthyMinuteResets()
    {
        var watch = Running();
        var delays = new List<TimeSpan?>();
        for (var i = 0; i < 7; i++)
        {
            delays.Add(watch.Observe(KnownResourceStates.Exited));
            watch.RestartDone();
            watch.Observe(KnownResourceStates.Starting);
            watch.Observe(KnownResourceStates.Running);
            _clock.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays.Select(d => d!.Value.TotalSeconds));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(1), watch.Observe(KnownResourceStates.Exited));
    }

    private CrashWatch Running()
    {
        var watch = new CrashWatch(_clock);
        Assert.Null(watch.Observe(KnownResourceStates.Starting));
        Assert.Null(watch.Observe(KnownResourceStates.Running));
        return watch;
    }
}

using Rcmd.AppHost.Orchestration;
using Rcmd.AppHost.Tests.Support;

namespace Rcmd.AppHost.Tests.Orchestration;

public class RestartPolicyTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void OnExit_FastCrashes_DoubleTheDelayThenGiveUpAtTheFifth()
    {
        var policy = new RestartPolicy(_time);
        var decisions = new List<RestartDecision>();

        for (var i = 0; i < 5; i++)
        {
            var started = _time.GetUtcNow();
            _time.Advance(TimeSpan.FromSeconds(2));
            decisions.Add(policy.OnExit(started));
        }

        Assert.Equal([1, 2, 4, 8], decisions.Take(4).Select(d => d.Delay.TotalSeconds));
        Assert.All(decisions.Take(4), d => Assert.False(d.GiveUp));
        Assert.True(decisions[4].GiveUp);
        Assert.Equal(5, decisions[4].FastCrashes);
    }

    [Fact]
    public void OnExit_AfterALongRun_StartsCountingAgain()
    {
        var policy = new RestartPolicy(_time);
        for (var i = 0; i < 4; i++)
        {
            policy.OnExit(_time.GetUtcNow());
        }

        var started = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(5));
        var decision = policy.OnExit(started);

        Assert.False(decision.GiveUp);
        Assert.Equal(0, decision.FastCrashes);
        Assert.Equal(TimeSpan.FromSeconds(1), decision.Delay);
    }
}

namespace Rcmd.AppHost.Orchestration;

/// <summary>What to do after a process exited on its own.</summary>
internal readonly record struct RestartDecision(bool GiveUp, TimeSpan Delay, int FastCrashes);

/// <summary>
/// Restart with backoff, as a pure state machine: a process that ran less than
/// <see cref="OrchestrationConstants.FastCrashWindow"/> crashed fast; each fast crash in a row doubles the delay
/// (1 s, 2 s, 4 s, …, at most 30 s) and after <see cref="OrchestrationConstants.MaxFastCrashes"/> the supervisor gives up.
/// A process that ran longer starts the count again.
/// </summary>
internal sealed class RestartPolicy(TimeProvider time)
{
    public int FastCrashes { get; private set; }

    public RestartDecision OnExit(DateTimeOffset startedAt)
    {
        var ranFor = time.GetUtcNow() - startedAt;
        FastCrashes = ranFor < OrchestrationConstants.FastCrashWindow ? FastCrashes + 1 : 0;
        if (FastCrashes >= OrchestrationConstants.MaxFastCrashes)
        {
            return new RestartDecision(true, TimeSpan.Zero, FastCrashes);
        }

        var delay = OrchestrationConstants.InitialRestartDelay * Math.Pow(2, Math.Max(0, FastCrashes - 1));
        return new RestartDecision(false, delay < OrchestrationConstants.MaxRestartDelay ? delay : OrchestrationConstants.MaxRestartDelay, FastCrashes);
    }
}

namespace Rcmd.AppHost;

/// <summary>
/// One resource instance's states as Aspire reports them, read for the one question <see cref="CrashRestarter"/> asks:
/// did it just crash, and how long to wait before starting it again. Pure: the states come in through
/// <see cref="Observe"/>, time through the <see cref="TimeProvider"/>.
/// <list type="bullet">
/// <item>A crash is an end state (Exited, Finished, FailedToStart) that no Stopping came before: the process ended on its own.</item>
/// <item>A stop is Stopping then an end state: the Aspire dashboard's Stop (or the first half of its Restart) asked for it,
/// so it stays stopped until someone starts it (Starting clears it).</item>
/// <item>Delays: 1 s, 2 s, 4 s … at most 30 s; back to 1 s once the instance has run for a minute.</item>
/// </list>
/// </summary>
internal sealed class CrashWatch(TimeProvider time)
{
    /// <summary>The first delay, and the delay again after a healthy run.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>A run at least this long resets the delay to <see cref="FirstDelay"/>.</summary>
    public static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);

    private long? _runningSince;
    private TimeSpan _delay;
    private bool _stopRequested;
    private bool _restarting;

    /// <summary>Takes the instance's new state; answers the delay before starting it again when it crashed, otherwise null.</summary>
    public TimeSpan? Observe(string? state)
    {
        if (state == KnownResourceStates.Stopping)
        {
            _stopRequested = true;
            return null;
        }

        if (state == KnownResourceStates.Starting)
        {
            _stopRequested = false;
            return null;
        }

        if (state == KnownResourceStates.Running)
        {
            _stopRequested = false;
            _runningSince ??= time.GetTimestamp();
            return null;
        }

        if (!IsEnd(state))
        {
            return null;
        }

        var ranLong = _runningSince is { } since && time.GetElapsedTime(since) >= HealthyRun;
        _runningSince = null;
        if (_stopRequested || _restarting)
        {
            return null;
        }

        _restarting = true;
        _delay = ranLong || _delay == TimeSpan.Zero ? FirstDelay : Min(_delay * 2, MaxDelay);
        return _delay;
    }

    /// <summary>The start command answered (or was given up): a later end state may be a crash again.</summary>
    public void RestartDone() => _restarting = false;

    private static bool IsEnd(string? state) =>
        state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

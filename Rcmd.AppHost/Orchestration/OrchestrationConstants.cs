namespace Rcmd.AppHost.Orchestration;

/// <summary>The timings of process supervision, in one place.</summary>
internal static class OrchestrationConstants
{
    /// <summary>How long redis-server and rclone rcd may take to answer after starting.</summary>
    public static readonly TimeSpan InfrastructureReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a project may take to answer 200 on /health (generous: first starts on a busy machine are slow).</summary>
    public static readonly TimeSpan ProjectReadyTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Between readiness probes.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>One probe's own timeout.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>After SIGTERM, how long a process may take to exit before it is killed.</summary>
    public static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>A process that exits within this time of starting has crashed "fast".</summary>
    public static readonly TimeSpan FastCrashWindow = TimeSpan.FromSeconds(30);

    /// <summary>After this many fast crashes in a row the AppHost gives up and stops everything.</summary>
    public const int MaxFastCrashes = 5;

    /// <summary>The delay before the first restart; it doubles with each fast crash in a row.</summary>
    public static readonly TimeSpan InitialRestartDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
}

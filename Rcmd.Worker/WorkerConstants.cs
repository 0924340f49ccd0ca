namespace Rcmd.Worker;

/// <summary>Defaults of <see cref="WorkerOptions"/> and the fixed numbers of the Worker's loops.</summary>
internal static class WorkerConstants
{
    public const int DefaultConcurrency = 4;

    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan DefaultLeaseCheckInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultWaitingPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Due waiting jobs queued again per pass at most; a full batch is followed by another pass at once.</summary>
    public const int ReleaseBatchSize = 100;

    /// <summary>The shortest sleep of the waiting-jobs scheduler (due times are in whole milliseconds).</summary>
    public static readonly TimeSpan MinWaitingDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>How long the Worker waits for rcd's version at start before going on without it.</summary>
    public static readonly TimeSpan VersionReadTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The replica's name where the host gives one — Aspire puts the replica's suffix in <c>OTEL_RESOURCE_ATTRIBUTES</c> as
    /// <c>service.instance.id</c>, and the Worker is named as the Aspire dashboard names it (<c>worker-x7k2q</c>), stable
    /// across restarts of that replica — else host and pid.
    /// </summary>
    public static string DefaultWorkerId =>
        ReplicaName(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"), Environment.GetEnvironmentVariable("OTEL_RESOURCE_ATTRIBUTES"))
        ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    internal static string? ReplicaName(string? serviceName, string? resourceAttributes) =>
        (resourceAttributes ?? string.Empty).Split(',', StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0] == "service.instance.id" && pair[1].Length > 0)
            .Select(pair => string.IsNullOrEmpty(serviceName) || pair[1].StartsWith(serviceName + "-", StringComparison.Ordinal)
                ? pair[1]
                : $"{serviceName}-{pair[1]}")
            .FirstOrDefault();

    /// <summary>
    /// How long an idle Worker waits for a wake-up message before it looks at the queue anyway (a message can be lost
    /// while Redis reconnects).
    /// </summary>
    public static readonly TimeSpan IdlePollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The first look at a run's status after launch; the delay then doubles up to the poll interval, so short jobs
    /// (a small copyfile, done in rcd within a millisecond or two) finish in milliseconds, not in a whole poll interval.
    /// Progress saves stay one per interval. Measured with bench/ (throughput): 25 ms here capped 8 slots at ~80 jobs/s.
    /// </summary>
    public static readonly TimeSpan FirstPollDelay = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The most a launch (record Running, start in rcd, record rclone's job id) may take. Shutdown does not interrupt
    /// a launch: a run that rcd started but Redis never heard of could be started again after recovery.
    /// </summary>
    public static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Expired leases taken over per sweep at most.</summary>
    public const int ReapBatchSize = 100;
}

namespace Rcmd.Notifications;

/// <summary>
/// Entries of the notifications stream (Redis stream <c>rcmd:notifications</c>, see <see cref="Storage.RedisKeys.Notifications"/>):
/// things worth telling a person about (by Telegram, webhook, …). Each entry has the fields <c>event</c> (one of these),
/// <c>at</c> (ISO 8601) and <c>data</c> (JSON: the <see cref="Breakers.RemoteStatus"/> for remote events, a
/// <see cref="JobNotificationData"/> for job events), optionally <c>remote</c>. <see cref="NotificationEntry.Parse"/> also
/// takes <c>type</c> for <c>event</c>. One writer adds each entry once (the winning breaker write; JobStore's guarded saves),
/// and the Workers' <see cref="NotificationDispatcher"/>s share a consumer group, so each is delivered once.
/// </summary>
public static class NotificationTypes
{
    /// <summary>A remote's breaker opened (or was isolated): jobs on it wait.</summary>
    public const string RemoteOffline = "REMOTE_OFFLINE";

    /// <summary>A remote's breaker closed again (after probes succeeded, or a reset).</summary>
    public const string RemoteOnline = "REMOTE_ONLINE";

    /// <summary>A job succeeded (JobStore's guarded save to <c>succeeded</c>).</summary>
    public const string JobCompleted = "JOB_COMPLETED";

    /// <summary>A job failed for good (retries used up, or not retryable); the data carries <c>errorCode</c>.</summary>
    public const string JobFailed = "JOB_FAILED";

    /// <summary>A run failed retryably and the job waits for its next attempt (saved <c>waiting</c>, reason <c>retry</c>).</summary>
    public const string JobRetrying = "JOB_RETRYING";

    /// <summary>A batch finished with some items failed. Defined for batches (a later issue): nothing emits it yet.</summary>
    public const string JobPartiallyFailed = "JOB_PARTIALLY_FAILED";

    /// <summary>
    /// The retention sweep could not write (or verify) its archive: nothing was deleted, and Redis keeps growing until it
    /// can (Retention/). The data carries <c>file</c> and <c>error</c>.
    /// </summary>
    public const string ArchiveFailed = "ARCHIVE_FAILED";

    /// <summary>Redis refused a write as out of memory (<c>maxmemory</c> reached); written once memory is available again.</summary>
    public const string RedisOutOfMemory = "REDIS_OUT_OF_MEMORY";

    /// <summary>Every event type, in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [JobCompleted, JobFailed, JobPartiallyFailed, JobRetrying, RemoteOffline, RemoteOnline, ArchiveFailed, RedisOutOfMemory];
}

namespace Rcmd.Notifications;

/// <summary>The defaults of <see cref="NotificationOptions"/> and <see cref="NotificationChannelOptions"/>.</summary>
internal static class NotificationConstants
{
    public const string Section = "Notifications";

    public const bool DefaultEnabled = true;

    /// <summary>The consumer group the Workers' dispatchers share.</summary>
    public const string DefaultConsumerGroup = "notifiers";

    /// <summary>How often an idle dispatcher looks for new entries.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    public const int DefaultBatchSize = 100;

    public const int DefaultMaxConcurrentDeliveries = 16;

    /// <summary>An entry read but not acknowledged for this long (its Worker died) is claimed by another.</summary>
    public static readonly TimeSpan DefaultClaimIdleTime = TimeSpan.FromMinutes(5);

    /// <summary>Attempts per channel and entry, the first included.</summary>
    public const int DefaultMaxAttempts = 4;

    /// <summary>The first retry's delay; exponential with jitter after it.</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Dead letters kept (the oldest are dropped).</summary>
    public const int DefaultDeadLetterLimit = 1000;

    /// <summary>One alert per (channel, event, remote) per this long, for the cooldown events.</summary>
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromMinutes(5);

    /// <summary>The events a cooldown applies to unless a channel says otherwise: the ones a flapping remote repeats.</summary>
    public static readonly IReadOnlyList<string> DefaultCooldownEvents = [NotificationTypes.RemoteOffline, NotificationTypes.RemoteOnline];

    /// <summary>The events of a Telegram or email channel that names none: the seed's Telegram channel's, plus REMOTE_ONLINE.</summary>
    public static readonly IReadOnlyList<string> DefaultPersonEvents =
        [NotificationTypes.JobCompleted, NotificationTypes.JobFailed, NotificationTypes.RemoteOffline, NotificationTypes.RemoteOnline];

    public const string DefaultTelegramApiBaseUrl = "https://api.telegram.org";

    public const int DefaultSmtpPort = 587;

    /// <summary>The header carrying a webhook body's HMAC-SHA256.</summary>
    public const string SignatureHeader = "X-Rcmd-Signature";

    /// <summary>Masked secret values in the API and logs.</summary>
    public const string Mask = "***";
}

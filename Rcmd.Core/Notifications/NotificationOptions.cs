using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Rcmd.Notifications;

/// <summary>
/// <c>Notifications</c> in configuration: where alerts go (<see cref="Channels"/>) and how the Workers' dispatchers
/// deliver them. Validated once at start.
/// <code>
/// "Notifications": { "Channels": [
///   { "Name": "ops-hook", "Type": "webhook", "Url": "https://hooks.example/rcmd", "SigningSecret": "…",
///     "Headers": { "Authorization": "Bearer …" } },
///   { "Name": "oncall", "Type": "telegram", "BotToken": "123:ABC", "ChatId": "-100123",
///     "Events": [ "JOB_FAILED", "REMOTE_OFFLINE", "REMOTE_ONLINE" ], "Remotes": [ "s3prod" ] },
///   { "Name": "mail", "Type": "email", "Host": "smtp.example", "Port": 587, "Security": "StartTls",
///     "UserName": "rcmd", "Password": "…", "From": "rcmd@example", "To": [ "ops@example" ] } ] }
/// </code>
/// </summary>
public sealed partial class NotificationOptions : IValidatableObject
{
    public const string Section = NotificationConstants.Section;

    /// <summary>Whether this process runs a dispatcher. Default true (it idles when no channel is configured).</summary>
    public bool Enabled { get; set; } = NotificationConstants.DefaultEnabled;

    /// <summary>Where notifications go; any number of each type. Default none.</summary>
    public List<NotificationChannelOptions> Channels { get; set; } = [];

    /// <summary>The Redis consumer group of the dispatchers. Default <c>notifiers</c>.</summary>
    [Required]
    public string ConsumerGroup { get; set; } = NotificationConstants.DefaultConsumerGroup;

    /// <summary>How often an idle dispatcher reads the stream. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = NotificationConstants.DefaultPollInterval;

    /// <summary>Entries read at a time. Default 100.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = NotificationConstants.DefaultBatchSize;

    /// <summary>Entries delivered at once by one dispatcher (a slow channel does not hold the others up). Default 16.</summary>
    [Range(1, 256)]
    public int MaxConcurrentDeliveries { get; set; } = NotificationConstants.DefaultMaxConcurrentDeliveries;

    /// <summary>
    /// An entry a dispatcher read but did not acknowledge for this long (its Worker died) is claimed by another. Must
    /// exceed a delivery's longest run (all attempts, timeouts and delays). Default 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ClaimIdleTime { get; set; } = NotificationConstants.DefaultClaimIdleTime;

    /// <summary>Delivery attempts per channel and notification, the first included. Default 4.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = NotificationConstants.DefaultMaxAttempts;

    /// <summary>The delay before the first retry; doubles each time, with jitter. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = NotificationConstants.DefaultRetryDelay;

    /// <summary>The longest delay between two attempts. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = NotificationConstants.DefaultMaxRetryDelay;

    /// <summary>The bound on one attempt (connect, send, answer). Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = NotificationConstants.DefaultAttemptTimeout;

    /// <summary>Dead letters kept in <c>rcmd:notifications:dead</c> (the oldest go). Default 1000.</summary>
    [Range(1, 100_000)]
    public int DeadLetterLimit { get; set; } = NotificationConstants.DefaultDeadLetterLimit;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Channels.Count; i++)
        {
            var channel = Channels[i];
            var at = $"{nameof(Channels)}[{i}]";
            if (string.IsNullOrWhiteSpace(channel.Name) || !ChannelName().IsMatch(channel.Name))
            {
                yield return new ValidationResult($"{at}.Name must be 1–64 letters, digits, '-' or '_'.", [$"{at}.Name"]);
            }
            else if (!names.Add(channel.Name))
            {
                yield return new ValidationResult($"{at}.Name '{channel.Name}' is used twice.", [$"{at}.Name"]);
            }

            foreach (var problem in channel.Problems())
            {
                yield return new ValidationResult($"{at} ({channel.Name}): {problem}", [at]);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelName();
}

/// <summary>The kinds of channel.</summary>
public static class NotificationChannelTypes
{
    public const string Webhook = "webhook";
    public const string Telegram = "telegram";
    public const string Email = "email";

    public static IReadOnlyList<string> All { get; } = [Webhook, Telegram, Email];
}

/// <summary>How an email channel talks to its SMTP server.</summary>
public enum SmtpSecurity
{
    /// <summary>Upgrade the connection with STARTTLS before sending (ports 587, 25). The default.</summary>
    StartTls,

    /// <summary>Plain SMTP, no TLS: only for a relay on a trusted network (or a test sink).</summary>
    None,
}

/// <summary>One channel. The fields of the other types are ignored.</summary>
public sealed class NotificationChannelOptions
{
    /// <summary>A unique name (letters, digits, '-', '_'): in metrics (<c>channel</c> label), logs and dead letters.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>webhook</c>, <c>telegram</c> or <c>email</c>.</summary>
    public string Type { get; set; } = "";

    /// <summary>
    /// The events it takes (see <see cref="NotificationTypes"/>; <c>*</c> = all). Default: every event for a webhook;
    /// JOB_COMPLETED, JOB_FAILED, REMOTE_OFFLINE and REMOTE_ONLINE for Telegram and email.
    /// </summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Only events about these remotes (a job's source or destination remote). Default: any remote.</summary>
    public List<string> Remotes { get; set; } = [];

    /// <summary>Only job events of these job types (remote events are not filtered by it). Default: any type.</summary>
    public List<string> JobTypes { get; set; } = [];

    /// <summary>Only job events of jobs started by these schedules (ids; remote events are not filtered by it). Default: any job.</summary>
    public List<string> Schedules { get; set; } = [];

    /// <summary>One alert per (channel, event, remote) per this long for <see cref="CooldownEvents"/>; 0 = none. Default 5 minutes.</summary>
    public TimeSpan Cooldown { get; set; } = NotificationConstants.DefaultCooldown;

    /// <summary>The events the cooldown applies to. Default REMOTE_OFFLINE and REMOTE_ONLINE (what a flapping remote repeats).</summary>
    public List<string>? CooldownEvents { get; set; }

    /// <summary>
    /// Deliveries to this channel at once, per dispatcher (waiting for a slot is not part of an attempt's timeout).
    /// Default 8 for webhook and Telegram, 2 for email (one SMTP connection per message).
    /// </summary>
    public int? MaxConcurrency { get; set; }

    /// <summary><see cref="MaxConcurrency"/> with the type's default applied.</summary>
    public int EffectiveMaxConcurrency => MaxConcurrency
        ?? (string.Equals(Type, NotificationChannelTypes.Email, StringComparison.OrdinalIgnoreCase) ? 2 : 8);

    // webhook

    /// <summary>Webhook: where to POST <c>{timestamp, event, data}</c>.</summary>
    public string? Url { get; set; }

    /// <summary>Webhook: extra request headers (their values are treated as secrets).</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Webhook: when set, the body's HMAC-SHA256 with this key goes in <c>X-Rcmd-Signature: sha256=&lt;hex&gt;</c>.</summary>
    public string? SigningSecret { get; set; }

    // telegram

    /// <summary>Telegram: the bot token (<c>123456:ABC…</c>). Secret.</summary>
    public string? BotToken { get; set; }

    /// <summary>Telegram: the chat, group or channel id (<c>-100…</c>) or <c>@channelname</c>.</summary>
    public string? ChatId { get; set; }

    /// <summary>Telegram: the Bot API's base URL. Default <c>https://api.telegram.org</c>.</summary>
    public string ApiBaseUrl { get; set; } = NotificationConstants.DefaultTelegramApiBaseUrl;

    // email

    /// <summary>Email: the SMTP server.</summary>
    public string? Host { get; set; }

    /// <summary>Email: its port. Default 587.</summary>
    public int Port { get; set; } = NotificationConstants.DefaultSmtpPort;

    /// <summary>Email: <c>StartTls</c> (default) or <c>None</c>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Email: the SMTP user, when the server wants one.</summary>
    public string? UserName { get; set; }

    /// <summary>Email: the SMTP password. Secret.</summary>
    public string? Password { get; set; }

    /// <summary>Email: the sender address.</summary>
    public string? From { get; set; }

    /// <summary>Email: the recipients.</summary>
    public List<string> To { get; set; } = [];

    /// <summary>The events this channel takes, defaults applied.</summary>
    public IReadOnlyList<string> EffectiveEvents => Events.Count > 0 ? Events
        : string.Equals(Type, NotificationChannelTypes.Webhook, StringComparison.OrdinalIgnoreCase) ? ["*"]
        : NotificationConstants.DefaultPersonEvents;

    public IReadOnlyList<string> EffectiveCooldownEvents => CooldownEvents ?? [.. NotificationConstants.DefaultCooldownEvents];

    /// <summary>Every secret value of this channel (to mask wherever text could carry one).</summary>
    public IEnumerable<string> Secrets()
    {
        string?[] values = [BotToken, Password, SigningSecret, .. Headers.Values, UrlSecret()];
        return values.Where(v => !string.IsNullOrEmpty(v) && v.Length >= 3).Select(v => v!);
    }

    /// <summary>What is wrong with it (empty when nothing).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var name in Events.Concat(CooldownEvents ?? []).Where(e => e != "*" && !NotificationTypes.All.Contains(e)))
        {
            yield return $"unknown event '{name}' (known: {string.Join(", ", NotificationTypes.All)}, or *).";
        }

        foreach (var type in JobTypes.Where(t => !Jobs.JobTypes.TryParse(t, out _)))
        {
            yield return $"unknown job type '{type}'.";
        }

        if (Cooldown < TimeSpan.Zero)
        {
            yield return "Cooldown must not be negative.";
        }

        if (MaxConcurrency is < 1 or > 64)
        {
            yield return "MaxConcurrency must be 1–64.";
        }

        switch (Type.ToLowerInvariant())
        {
            case NotificationChannelTypes.Webhook:
                if (!IsHttpUrl(Url))
                {
                    yield return "a webhook needs an absolute http(s) Url.";
                }

                break;
            case NotificationChannelTypes.Telegram:
                if (string.IsNullOrWhiteSpace(BotToken))
                {
                    yield return "a telegram channel needs a BotToken.";
                }

                if (string.IsNullOrWhiteSpace(ChatId))
                {
                    yield return "a telegram channel needs a ChatId.";
                }

                if (!IsHttpUrl(ApiBaseUrl))
                {
                    yield return "ApiBaseUrl must be an absolute http(s) URL.";
                }

                break;
            case NotificationChannelTypes.Email:
                if (string.IsNullOrWhiteSpace(Host))
                {
                    yield return "an email channel needs a Host.";
                }

                if (Port is < 1 or > 65535)
                {
                    yield return "Port must be 1–65535.";
                }

                if (string.IsNullOrWhiteSpace(From))
                {
                    yield return "an email channel needs a From address.";
                }

                if (To.Count == 0)
                {
                    yield return "an email channel needs at least one To address.";
                }

                if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
                {
                    yield return "UserName and Password go together.";
                }

                break;
            default:
                yield return $"unknown Type '{Type}' (use {string.Join(", ", NotificationChannelTypes.All)}).";
                break;
        }
    }

    /// <summary>A webhook URL's path and query can be a credential (Slack, Discord): treated as secret.</summary>
    internal string? UrlSecret() =>
        Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.PathAndQuery.Length > 1 ? uri.PathAndQuery : null;

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

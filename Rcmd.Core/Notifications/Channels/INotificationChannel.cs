namespace Rcmd.Notifications.Channels;

/// <summary>
/// Somewhere notifications go: a webhook, a Telegram chat, a mailbox. A channel sends one notification per call and
/// throws when it did not arrive (<see cref="NotificationDeliveryException"/> for answers it understood); the
/// dispatcher owns retries, cooldowns, dead letters and metrics. Implementations never put a secret in an exception.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The configured name (unique).</summary>
    string Name { get; }

    /// <summary><see cref="NotificationChannelTypes"/>.</summary>
    string Type { get; }

    /// <param name="notification">What to send.</param>
    /// <param name="suppressed">Alerts like this one held back by the cooldown since the last one sent (0 = none).</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    Task SendAsync(NotificationEntry notification, int suppressed, CancellationToken cancellationToken);
}

/// <summary>A delivery the receiver refused or failed. <see cref="Permanent"/> ones (a 4xx but 408/429) are not retried.</summary>
public sealed class NotificationDeliveryException(string message, bool permanent = false) : Exception(message)
{
    public bool Permanent { get; } = permanent;

    /// <summary>For an HTTP answer that is not a success: 408, 429 and 5xx are worth retrying, other 4xx are not.</summary>
    public static NotificationDeliveryException ForStatus(System.Net.HttpStatusCode status, string? detail = null)
    {
        var code = (int)status;
        var permanent = code is >= 400 and < 500 and not 408 and not 429;
        return new NotificationDeliveryException($"HTTP {code} ({status})" + (string.IsNullOrEmpty(detail) ? "" : ": " + detail), permanent);
    }
}

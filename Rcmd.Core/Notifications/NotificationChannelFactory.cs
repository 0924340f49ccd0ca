using Rcmd.Notifications.Channels;

namespace Rcmd.Notifications;

/// <summary>Builds a channel from its options (HTTP channels share the notifications HttpClient).</summary>
public sealed class NotificationChannelFactory(IHttpClientFactory httpClients)
{
    /// <summary>The named HttpClient of webhook and Telegram channels: no request logging, no spans, no propagation headers.</summary>
    public const string HttpClientName = "Rcmd.Notifications";

    public INotificationChannel Create(NotificationChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Type.ToLowerInvariant() switch
        {
            NotificationChannelTypes.Webhook => new WebhookChannel(options, httpClients.CreateClient(HttpClientName)),
            NotificationChannelTypes.Telegram => new TelegramChannel(options, httpClients.CreateClient(HttpClientName)),
            NotificationChannelTypes.Email => new EmailChannel(options),
            _ => throw new ArgumentException($"Unknown channel type '{options.Type}'.", nameof(options)),
        };
    }
}

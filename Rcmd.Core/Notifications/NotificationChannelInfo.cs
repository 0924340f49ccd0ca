namespace Rcmd.Notifications;

/// <summary>
/// A channel as the API and the dashboard show it: what it takes and where it goes, every secret masked
/// (<c>***</c>): bot tokens, SMTP passwords, signing secrets, header values and a webhook URL's path and query.
/// </summary>
public sealed record NotificationChannelInfo
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    public IReadOnlyList<string> Remotes { get; init; } = [];

    public IReadOnlyList<string> JobTypes { get; init; } = [];

    public double CooldownSeconds { get; init; }

    public IReadOnlyList<string> CooldownEvents { get; init; } = [];

    /// <summary>Webhook: scheme, host and port; the path is masked.</summary>
    public string? Url { get; init; }

    /// <summary>Webhook: header names, values masked.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public bool? Signed { get; init; }

    public string? BotToken { get; init; }

    public string? ChatId { get; init; }

    public string? ApiBaseUrl { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? Security { get; init; }

    public string? UserName { get; init; }

    public string? Password { get; init; }

    public string? From { get; init; }

    public IReadOnlyList<string>? To { get; init; }

    public static NotificationChannelInfo Of(NotificationChannelOptions channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var type = channel.Type.ToLowerInvariant();
        var info = new NotificationChannelInfo
        {
            Name = channel.Name,
            Type = type,
            Events = channel.EffectiveEvents,
            Remotes = channel.Remotes,
            JobTypes = channel.JobTypes,
            CooldownSeconds = channel.Cooldown.TotalSeconds,
            CooldownEvents = channel.EffectiveCooldownEvents,
        };
        return type switch
        {
            NotificationChannelTypes.Webhook => info with
            {
                Url = MaskUrl(channel.Url),
                Headers = channel.Headers.ToDictionary(h => h.Key, _ => NotificationConstants.Mask, StringComparer.OrdinalIgnoreCase),
                Signed = !string.IsNullOrEmpty(channel.SigningSecret),
            },
            NotificationChannelTypes.Telegram => info with
            {
                BotToken = Mask(channel.BotToken),
                ChatId = channel.ChatId,
                ApiBaseUrl = channel.ApiBaseUrl,
            },
            NotificationChannelTypes.Email => info with
            {
                Host = channel.Host,
                Port = channel.Port,
                Security = channel.Security.ToString(),
                UserName = channel.UserName,
                Password = Mask(channel.Password),
                From = channel.From,
                To = channel.To,
            },
            _ => info,
        };
    }

    private static string? Mask(string? secret) => string.IsNullOrEmpty(secret) ? null : NotificationConstants.Mask;

    private static string? MaskUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Authority).Replace(uri.UserInfo + "@", "", StringComparison.Ordinal)
                + (uri.PathAndQuery.Length > 1 ? "/" + NotificationConstants.Mask : "/")
            : null;
}

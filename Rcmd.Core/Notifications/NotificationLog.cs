using Microsoft.Extensions.Logging;

namespace Rcmd.Notifications;

/// <summary>The dispatcher's log lines. None carries a secret: errors are masked before they get here.</summary>
internal static partial class NotificationLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Notification dispatcher {Consumer} started: group {Group}, {Channels} channel(s)")]
    public static partial void Started(ILogger logger, string consumer, string group, int channels);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "No notification channels configured: the dispatcher stays idle")]
    public static partial void NoChannels(ILogger logger);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Debug, Message = "Sent {Event} {EntryId} to {Channel}")]
    public static partial void Sent(ILogger logger, string @event, string entryId, string channel);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "Held back {Event} {EntryId} for {Channel}: cooldown")]
    public static partial void Suppressed(ILogger logger, string @event, string entryId, string channel);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning,
        Message = "Could not deliver {Event} {EntryId} to {Channel} after {Attempts} attempt(s): {Error}; dead-lettered")]
    public static partial void DeadLettered(ILogger logger, string @event, string entryId, string channel, int attempts, string error);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Retrying {Event} {EntryId} to {Channel} (attempt {Attempt}): {Error}")]
    public static partial void Retrying(ILogger logger, string @event, string entryId, string channel, int attempt, string error);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "Notification stream unavailable: {Error}")]
    public static partial void StreamError(ILogger logger, string error);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Warning, Message = "Dropped malformed notification entry {EntryId}")]
    public static partial void Malformed(ILogger logger, string entryId);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information, Message = "Claimed {Count} notification(s) left pending by a stopped dispatcher")]
    public static partial void Claimed(ILogger logger, int count);
}

using System.Text.Json;
using Rcmd.Storage;

namespace Rcmd.Notifications;

/// <summary>
/// Notifications whose last delivery attempt failed, newest first, capped (<c>rcmd:notifications:dead</c>): what
/// <c>GET /api/notifications/dead</c> shows. Errors are masked of the channel's secrets before they get here.
/// </summary>
public sealed class NotificationDeadLetters(RedisConnection redis)
{
    public async Task AddAsync(DeadLetter letter, int limit, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(letter, NotificationJsonContext.Default.DeadLetter);
        var database = redis.Database;
        var transaction = database.CreateTransaction();
        _ = transaction.ListLeftPushAsync(redis.Keys.NotificationsDead, json);
        _ = transaction.ListTrimAsync(redis.Keys.NotificationsDead, 0, limit - 1);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest <paramref name="count"/> dead letters.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int count, CancellationToken cancellationToken)
    {
        var values = await redis.Database.ListRangeAsync(redis.Keys.NotificationsDead, 0, Math.Max(1, count) - 1)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. values.Select(v => JsonSerializer.Deserialize((string)v!, NotificationJsonContext.Default.DeadLetter)).OfType<DeadLetter>()];
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        await redis.Database.ListLengthAsync(redis.Keys.NotificationsDead).WaitAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>A notification one channel could not deliver.</summary>
/// <param name="Id">The stream entry id.</param>
/// <param name="Channel">The channel's name.</param>
/// <param name="ChannelType">webhook, telegram or email.</param>
/// <param name="Event">The event type.</param>
/// <param name="At">When the event happened.</param>
/// <param name="FailedAt">When the last attempt failed.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="Error">The last error, with the channel's secrets masked.</param>
/// <param name="Data">The event's data.</param>
public sealed record DeadLetter(
    string Id,
    string Channel,
    string ChannelType,
    string Event,
    DateTimeOffset At,
    DateTimeOffset FailedAt,
    int Attempts,
    string Error,
    JsonElement Data);

using System.Globalization;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Notifications;

/// <summary>
/// The notifications stream (<c>rcmd:notifications</c>) and its consumer group, over the one Redis connection.
/// StackExchange.Redis's stream API; none of the commands blocks (the multiplexed connection must never wait on a
/// server-side BLOCK), the dispatcher polls instead.
/// </summary>
public sealed class NotificationStream(RedisConnection redis)
{
    /// <summary>Entries kept (<c>XADD … MAXLEN ~</c>).</summary>
    public const int MaxLength = 10_000;

    private RedisKeys Keys => redis.Keys;

    /// <summary>Adds an entry (the stores write theirs in their own scripts; this is for everything else and tests).</summary>
    public async Task<string> AddAsync(string notificationEvent, DateTimeOffset at, string dataJson, CancellationToken cancellationToken)
    {
        var id = await redis.Database.StreamAddAsync(Keys.Notifications,
            [new("event", notificationEvent), new("at", at.ToString("O", CultureInfo.InvariantCulture)), new("data", dataJson)],
            maxLength: MaxLength, useApproximateMaxLength: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        return id.ToString();
    }

    /// <summary>Creates the group (at the stream's end: a new group does not replay history) unless it exists.</summary>
    public async Task EnsureGroupAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await redis.Database.StreamCreateConsumerGroupAsync(Keys.Notifications, group, StreamPosition.NewMessages, createStream: true)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another Worker made it.
        }
    }

    /// <summary>New entries for <paramref name="consumer"/> (<c>XREADGROUP … &gt;</c>, no BLOCK).</summary>
    public async Task<IReadOnlyList<RawEntry>> ReadAsync(string group, string consumer, int count, CancellationToken cancellationToken)
    {
        var entries = await redis.Database.StreamReadGroupAsync(Keys.Notifications, group, consumer, StreamPosition.NewMessages, count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return Entries(entries);
    }

    /// <summary>
    /// Takes over entries other consumers read but have not acknowledged for <paramref name="minIdle"/> (their Worker
    /// died): <c>XAUTOCLAIM</c>, one page from <paramref name="start"/>. Returns them and the cursor of the next page
    /// (<c>0-0</c> when the scan is complete).
    /// </summary>
    public async Task<(IReadOnlyList<RawEntry> Entries, string Next)> ClaimAsync(string group, string consumer, TimeSpan minIdle, string start,
        int count, CancellationToken cancellationToken)
    {
        var result = await redis.Database.StreamAutoClaimAsync(Keys.Notifications, group, consumer, (long)minIdle.TotalMilliseconds, start, count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (Entries(result.ClaimedEntries), result.NextStartId.ToString());
    }

    public Task AckAsync(string group, string id, CancellationToken cancellationToken) =>
        redis.Database.StreamAcknowledgeAsync(Keys.Notifications, group, id).WaitAsync(cancellationToken);

    /// <summary>How many entries the group has read but not acknowledged.</summary>
    public async Task<long> PendingAsync(string group, CancellationToken cancellationToken) =>
        (await redis.Database.StreamPendingAsync(Keys.Notifications, group).WaitAsync(cancellationToken).ConfigureAwait(false)).PendingMessageCount;

    public Task<long> LengthAsync(CancellationToken cancellationToken) =>
        redis.Database.StreamLengthAsync(Keys.Notifications).WaitAsync(cancellationToken);

    /// <summary>Every entry in the stream, oldest first (<c>XRANGE - +</c>, at most <paramref name="count"/>).</summary>
    public async Task<IReadOnlyList<RawEntry>> RangeAsync(int count, CancellationToken cancellationToken) =>
        Entries(await redis.Database.StreamRangeAsync(Keys.Notifications, "-", "+", count).WaitAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Entries with their fields; a claimed entry deleted meanwhile (no values) is left out.</summary>
    private static List<RawEntry> Entries(StreamEntry[]? entries) =>
        (entries ?? [])
            .Where(e => !e.IsNull && e.Values is { Length: > 0 })
            .Select(e => new RawEntry(e.Id.ToString(), e.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.Ordinal)))
            .ToList();
}

/// <summary>A stream entry's id and fields, before <see cref="NotificationEntry.Parse"/>.</summary>
public sealed record RawEntry(string Id, IReadOnlyDictionary<string, string> Fields)
{
    public NotificationEntry? Parse() => NotificationEntry.Parse(Id, Fields);
}

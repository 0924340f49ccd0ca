using System.Globalization;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Notifications;

/// <summary>
/// The notifications stream (<c>rcmd:notifications</c>) and its consumer group, over the one Redis connection.
/// StackExchange.Redis 1.2.6 has no stream API, so the commands go through <c>EXECUTE</c>; none of them blocks (the
/// multiplexed connection must never wait on a server-side BLOCK), the dispatcher polls instead.
/// </summary>
public sealed class NotificationStream(RedisConnection redis)
{
    /// <summary>Entries kept (<c>XADD … MAXLEN ~</c>).</summary>
    public const int MaxLength = 10_000;

    private RedisKeys Keys => redis.Keys;

    /// <summary>Adds an entry (the stores write theirs in their own scripts; this is for everything else and tests).</summary>
    public async Task<string> AddAsync(string notificationEvent, DateTimeOffset at, string dataJson, CancellationToken cancellationToken)
    {
        var id = await redis.Database.ExecuteAsync("XADD", Keys.Notifications, "MAXLEN", "~", MaxLength, "*",
            "event", notificationEvent, "at", at.ToString("O", CultureInfo.InvariantCulture), "data", dataJson)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (string)id!;
    }

    /// <summary>Creates the group (at the stream's end: a new group does not replay history) unless it exists.</summary>
    public async Task EnsureGroupAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await redis.Database.ExecuteAsync("XGROUP", "CREATE", Keys.Notifications, group, "$", "MKSTREAM")
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
        var result = await redis.Database.ExecuteAsync("XREADGROUP", "GROUP", group, consumer, "COUNT", count,
            "STREAMS", Keys.Notifications, ">").WaitAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsNull)
        {
            return [];
        }

        // [[stream, [[id, [f, v, …]], …]]]
        var streams = (RedisResult[])result!;
        return streams.Length == 0 ? [] : Entries(((RedisResult[])streams[0]!)[1]);
    }

    /// <summary>
    /// Takes over entries other consumers read but have not acknowledged for <paramref name="minIdle"/> (their Worker
    /// died): <c>XAUTOCLAIM</c>, one page from <paramref name="start"/>. Returns them and the cursor of the next page
    /// (<c>0-0</c> when the scan is complete).
    /// </summary>
    public async Task<(IReadOnlyList<RawEntry> Entries, string Next)> ClaimAsync(string group, string consumer, TimeSpan minIdle, string start,
        int count, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ExecuteAsync("XAUTOCLAIM", Keys.Notifications, group, consumer,
            (long)minIdle.TotalMilliseconds, start, "COUNT", count).WaitAsync(cancellationToken).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        return (Entries(parts[1]), (string)parts[0]!);
    }

    public Task AckAsync(string group, string id, CancellationToken cancellationToken) =>
        redis.Database.ExecuteAsync("XACK", Keys.Notifications, group, id).WaitAsync(cancellationToken);

    /// <summary>How many entries the group has read but not acknowledged.</summary>
    public async Task<long> PendingAsync(string group, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ExecuteAsync("XPENDING", Keys.Notifications, group).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (long)((RedisResult[])result!)[0];
    }

    public async Task<long> LengthAsync(CancellationToken cancellationToken) =>
        (long)await redis.Database.ExecuteAsync("XLEN", Keys.Notifications).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Every entry in the stream, oldest first (<c>XRANGE - +</c>, at most <paramref name="count"/>).</summary>
    public async Task<IReadOnlyList<RawEntry>> RangeAsync(int count, CancellationToken cancellationToken)
    {
        var result = await redis.Database.ExecuteAsync("XRANGE", Keys.Notifications, "-", "+", "COUNT", count)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return Entries(result);
    }

    private static IReadOnlyList<RawEntry> Entries(RedisResult list)
    {
        if (list.IsNull)
        {
            return [];
        }

        var entries = new List<RawEntry>();
        foreach (var item in (RedisResult[])list!)
        {
            // A claimed entry that was deleted meanwhile comes back as nil (Redis 7 lists those ids separately).
            if (item.IsNull)
            {
                continue;
            }

            var pair = (RedisResult[])item!;
            if (pair.Length < 2 || pair[1].IsNull)
            {
                continue;
            }

            var values = (RedisResult[])pair[1]!;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < values.Length; i += 2)
            {
                fields[(string)values[i]!] = (string)values[i + 1]!;
            }

            entries.Add(new RawEntry((string)pair[0]!, fields));
        }

        return entries;
    }
}

/// <summary>A stream entry's id and fields, before <see cref="NotificationEntry.Parse"/>.</summary>
public sealed record RawEntry(string Id, IReadOnlyDictionary<string, string> Fields)
{
    public NotificationEntry? Parse() => NotificationEntry.Parse(Id, Fields);
}

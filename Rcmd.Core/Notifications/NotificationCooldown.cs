using Rcmd.Storage;

namespace Rcmd.Notifications;

/// <summary>
/// One alert per (channel, event, remote) per cooldown, across all Workers: the first takes the cooldown key
/// (<c>SET NX PX</c>) and is sent with the count of alerts held back since the previous one; the others only count
/// themselves. A flapping remote thus sends one REMOTE_OFFLINE per cooldown, and the next says how many were held back.
/// </summary>
public sealed class NotificationCooldown(RedisConnection redis)
{
    // KEYS: cooldown, suppressed; ARGV: cooldown ms, how long a suppressed count is kept (ms).
    // Returns the suppressed count carried into this alert (≥ 0), or -1 when this alert is held back.
    private const string EnterScript = """
        if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
          local held = redis.call('GETDEL', KEYS[2])
          return tonumber(held) or 0
        end
        redis.call('INCR', KEYS[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return -1
        """;

    /// <summary>How long held-back counts are kept after the last one (an alert after that starts from zero).</summary>
    private static readonly TimeSpan SuppressedRetention = TimeSpan.FromDays(7);

    /// <summary>Null when the alert must be held back; else how many were held back before it.</summary>
    public async Task<int?> TryEnterAsync(string channel, string notificationEvent, string remote, TimeSpan cooldown,
        CancellationToken cancellationToken)
    {
        var result = (long)await redis.Database.ScriptEvaluateAsync(EnterScript,
            [redis.Keys.NotificationCooldown(channel, notificationEvent, remote), redis.Keys.NotificationSuppressed(channel, notificationEvent, remote)],
            [(long)Math.Max(1, cooldown.TotalMilliseconds), (long)SuppressedRetention.TotalMilliseconds])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return result < 0 ? null : (int)Math.Min(result, int.MaxValue);
    }
}

using System.Globalization;
using StackExchange.Redis;

namespace Rcmd.Storage;

/// <summary>
/// Redis being full, as an outcome: with <c>maxmemory</c> and <c>noeviction</c> Redis refuses writes ("OOM command not
/// allowed…") instead of evicting job keys. A script is refused at its first write, before it changed anything — every
/// JobStore script reads (and checks) before it writes — so a refused change leaves nothing half-written. This reads the
/// memory figures for <c>/health</c> and raises <c>REDIS_OUT_OF_MEMORY</c> once per episode.
/// </summary>
public sealed class RedisMemory(RedisConnection redis)
{
    /// <summary>One REDIS_OUT_OF_MEMORY notification per this long at most.</summary>
    public static readonly TimeSpan ReportCooldown = TimeSpan.FromMinutes(10);

    // The alert must get through while Redis is full: allow-oom; the cooldown key makes it once per episode.
    // KEYS: cooldown, notifications stream. ARGV: ms, maxlen, event, at, data.
    private const string ReportScript = """
        #!lua flags=allow-oom
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'event', ARGV[3], 'at', ARGV[4], 'data', ARGV[5])
        return 1
        """;

    private const string InfoScript = """
        #!lua flags=no-writes,allow-oom
        return redis.call('INFO', 'memory')
        """;

    /// <summary>Whether <paramref name="exception"/> is Redis refusing a write because it reached <c>maxmemory</c>.</summary>
    public static bool IsOutOfMemory(Exception? exception) =>
        exception switch
        {
            RedisServerException server => server.Message.StartsWith("OOM", StringComparison.Ordinal),
            AggregateException aggregate => aggregate.InnerExceptions.Any(IsOutOfMemory),
            null => false,
            _ => IsOutOfMemory(exception.InnerException),
        };

    /// <summary>Used and maximum memory (<c>INFO memory</c>); <see cref="RedisMemoryInfo.MaxMemory"/> 0 = no limit.</summary>
    public async Task<RedisMemoryInfo> ReadAsync(CancellationToken cancellationToken)
    {
        // Through a script: the client library keeps INFO for admin connections; Redis allows it in a script.
        var info = (string?)await redis.Database.ScriptEvaluateAsync(InfoScript).WaitAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty;
        long used = 0, max = 0;
        string policy = string.Empty;
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            var value = line[(colon + 1)..];
            switch (line[..colon])
            {
                case "used_memory":
                    used = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "maxmemory":
                    max = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "maxmemory_policy":
                    policy = value;
                    break;
            }
        }

        return new RedisMemoryInfo(used, max, policy);
    }

    /// <summary>Adds REDIS_OUT_OF_MEMORY to the notifications stream unless it was added in the last <see cref="ReportCooldown"/>.</summary>
    public async Task<bool> ReportOutOfMemoryAsync(DateTimeOffset at, string source, CancellationToken cancellationToken)
    {
        var data = new System.Text.Json.Nodes.JsonObject
        {
            ["source"] = source,
            ["message"] = "Redis is out of memory (maxmemory reached): new jobs are refused until the retention sweep or an operator frees memory.",
        };
        var result = await redis.Database.ScriptEvaluateAsync(ReportScript, [redis.Keys.OutOfMemoryReported, redis.Keys.Notifications],
            [(long)ReportCooldown.TotalMilliseconds, Notifications.NotificationStream.MaxLength, Notifications.NotificationTypes.RedisOutOfMemory,
             at.ToString("O", CultureInfo.InvariantCulture), data.ToJsonString()]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }
}

/// <summary>Redis's memory as <c>INFO memory</c> reports it.</summary>
public sealed record RedisMemoryInfo(long UsedMemory, long MaxMemory, string Policy)
{
    /// <summary>At or past <c>maxmemory</c>: Redis refuses writes (with <c>noeviction</c>).</summary>
    public bool IsFull => MaxMemory > 0 && UsedMemory >= MaxMemory;
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rcmd.Storage;

/// <summary>
/// Ready while Redis answers a PING; degraded while it is at <c>maxmemory</c> (it then refuses writes: new jobs answer
/// 503 until memory frees up), with the reason, and REDIS_OUT_OF_MEMORY raised once per episode.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection redis, TimeProvider? time = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        TimeSpan latency;
        try
        {
            latency = await redis.PingAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis is not reachable: " + ex.GetType().Name);
        }

        try
        {
            var memory = new RedisMemory(redis);
            var info = await memory.ReadAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            if (info.IsFull)
            {
                await memory.ReportOutOfMemoryAsync((time ?? TimeProvider.System).GetUtcNow(), "health", cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Degraded(
                    $"Redis is out of memory ({info.UsedMemory / 1048576.0:0.0} MiB used of maxmemory {info.MaxMemory / 1048576.0:0.0} MiB): writes are refused until memory frees up.");
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The memory figures are extra; PING answered.
        }

        return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
    }
}

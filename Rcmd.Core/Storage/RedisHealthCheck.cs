using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rcmd.Storage;

/// <summary>Ready only while Redis answers a PING.</summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.PingAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis is not reachable: " + ex.GetType().Name);
        }
    }
}

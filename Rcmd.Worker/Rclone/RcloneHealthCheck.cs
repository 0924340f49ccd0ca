using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rcmd.Rclone;

namespace Rcmd.Worker.Rclone;

/// <summary>Ready only while rcd answers <c>core/pid</c> (with our credentials) within a few seconds.</summary>
public sealed class RcloneHealthCheck(RcloneClient rclone) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var pid = await rclone.PidAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"rcd pid {pid}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The type only: an exception message could carry a URL, never worth the risk in a public health answer.
            return HealthCheckResult.Unhealthy("rclone rcd is not reachable: " + (ex is RcloneException r ? $"HTTP {r.Status}" : ex.GetType().Name));
        }
    }
}

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rcmd.AppHost;

/// <summary>
/// <c>redis-server</c> run as an executable (no container runtime here): loopback only, AOF on (RDB snapshots off), data in
/// <c>{data}/redis</c>, <c>maxmemory</c> with <c>noeviction</c> (evicting job keys would lose data silently; a full Redis
/// refuses writes, which the services answer as an outcome). Referencing projects get <c>ConnectionStrings__redis</c>.
/// </summary>
internal sealed class RedisServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    /// <summary><c>127.0.0.1:{port}</c>: Redis listens on the IPv4 loopback only, so no client tries <c>::1</c> first.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

internal static class RedisServerExtensions
{
    /// <summary>Default <c>maxmemory</c>; <c>RCMD_REDIS_MAXMEMORY</c> (Redis's units: <c>512mb</c>, <c>2gb</c>) overrides it.</summary>
    public const string DefaultMaxMemory = "1gb";

    public static IResourceBuilder<RedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name, RcmdRun run)
    {
        var port = run.RedisPort;
        var maxMemory = Environment.GetEnvironmentVariable("RCMD_REDIS_MAXMEMORY") is { Length: > 0 } m ? m : DefaultMaxMemory;
        var healthCheck = name + "-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => PingAsync(port, ct));
        return builder.AddResource(new RedisServerResource(name, run.Toolchain.RedisServer, run.Data.RedisDirectory))
            // Not proxied: every Redis call of every job would cross DCP's proxy; the port is this run's own.
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: RedisServerResource.EndpointName, isProxied: false)
            .WithArgs("--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", run.Data.RedisDirectory,
                "--appendonly", "yes", "--save", "", "--protected-mode", "yes",
                "--maxmemory", maxMemory, "--maxmemory-policy", "noeviction")
            .WithHealthCheck(healthCheck)
            .WithRestartOnCrash();
    }

    /// <summary>Healthy once Redis answers <c>PING</c> (it is Running before it listens, and while it loads the AOF it answers LOADING).</summary>
    private static async Task<HealthCheckResult> PingAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            var answer = Encoding.ASCII.GetString(buffer, 0, read).Trim();
            return answer == "+PONG" ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("redis answered " + answer);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("redis does not answer yet: " + e.GetType().Name);
        }
    }
}

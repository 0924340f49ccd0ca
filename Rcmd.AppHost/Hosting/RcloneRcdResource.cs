using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rcmd.AppHost;

/// <summary>
/// <c>rclone rcd</c>, rclone's remote-control server, run as an executable: loopback only, never <c>--rc-no-auth</c>
/// (user <c>rcmd</c>, a password generated per run: <see cref="RcdCredentials"/>), finished jobs kept
/// <see cref="RcloneRcdExtensions.JobExpireDuration"/>, working directory <c>{data}/rclone</c>, empty.
/// rclone reads its remotes from <c>RCLONE_CONFIG</c> or its default config file, as the user's own rclone does.
/// </summary>
internal sealed class RcloneRcdResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithServiceDiscovery
{
    public const string EndpointName = "http";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);
}

internal static class RcloneRcdExtensions
{
    /// <summary>
    /// How long rcd keeps a finished job. rcd 1.60 keeps <em>every</em> RC call as a job until then (each
    /// <c>job/status</c> poll, <c>core/stats</c>, <c>core/pid</c>, … with its output): ~3.6 KiB of rcd memory each, three
    /// to five per Rcmd job, so with 24 h rcd grew ~10 KiB per job without bound (issue 17's soak: 2.2 GiB after 225,500
    /// jobs). With 2 minutes it holds at most two minutes of calls. The Worker needs a finished run only until it has
    /// recorded it: at once while it watches, or after a Worker dies when another adopts the job (a lease, 30 s, plus a
    /// check, 5 s). A run rcd has forgotten is resolved from the job's record, never run again if it may have moved data
    /// (<c>JobExecutor.RecoverLostRunAsync</c>). <c>RCMD_RCLONE_JOB_EXPIRE</c> (rclone's units: <c>5m</c>, <c>1h</c>)
    /// overrides it — longer for a Worker lease of minutes, at rcd's memory's cost.
    /// </summary>
    public const string JobExpireDuration = "2m";

    public static IResourceBuilder<RcloneRcdResource> AddRcloneRcd(this IDistributedApplicationBuilder builder, string name, RcmdRun run)
    {
        var port = run.RclonePort;
        var healthCheck = name + "-noop";
        var credentials = run.Rcd;
        var jobExpire = Environment.GetEnvironmentVariable("RCMD_RCLONE_JOB_EXPIRE") is { Length: > 0 } e ? e : JobExpireDuration;
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => NoopAsync(port, credentials, ct));
        return builder.AddResource(new RcloneRcdResource(name, run.Toolchain.Rclone, run.Data.RcloneWorkingDirectory))
            .WithHttpEndpoint(port: port, targetPort: port, name: RcloneRcdResource.EndpointName, isProxied: false)
            .WithArgs("rcd", "--rc-addr", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                "--rc-htpasswd", credentials.HtpasswdFile, "--rc-job-expire-duration", jobExpire)
            .WithHealthCheck(healthCheck)
            .WithRestartOnCrash();
    }

    /// <summary>
    /// What a project referencing rcd gets: <c>services__rclone__http__0</c> (service discovery resolves
    /// <c>http://rclone</c>), <c>Rclone__User</c> and <c>Rclone__PasswordFile</c> — a path, never the password.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRcloneReference(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<RcloneRcdResource> rclone, RcdCredentials credentials) =>
        project.WithReference(rclone.GetEndpoint(RcloneRcdResource.EndpointName))
            .WithEnvironment("Rclone__User", RcdCredentials.User)
            .WithEnvironment("Rclone__PasswordFile", credentials.PasswordFile);

    /// <summary>Healthy once rcd answers <c>rc/noop</c> with our credentials (it is Running before it listens).</summary>
    private static async Task<HealthCheckResult> NoopAsync(int port, RcdCredentials credentials, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/rc/noop")
            {
                Content = new StringContent("{}", Encoding.UTF8),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var password = (await File.ReadAllTextAsync(credentials.PasswordFile, cancellationToken).ConfigureAwait(false)).Trim();
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RcdCredentials.User}:{password}")));
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"rcd answered rc/noop with HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("rcd does not answer yet: " + e.GetType().Name);
        }
    }
}

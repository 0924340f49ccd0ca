using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Rcmd.AppHost;

/// <summary>
/// What a run tells its user and scripts, beside Aspire's own output (which prints the dashboard's login link):
/// <list type="bullet">
///   <item>once the Api (and the Web) are healthy, one block with the Rcmd dashboard, Api and Aspire dashboard URLs;</item>
///   <item><c>{data}/endpoints.json</c>: <c>api</c>, <c>web</c>, <c>aspire-dashboard</c> (no login token), <c>redis</c>,
///     <c>rclone</c> — addresses only, no credentials — deleted when the run ends;</item>
///   <item><c>{data}/rcmd.pids</c>: <c>pid - name</c> per running process (each replica by its Aspire name), rewritten as
///     processes start again, for scripts and tests that signal one.</item>
/// </list>
/// </summary>
internal sealed class RunInfo(
    RcmdRun run,
    DataDirectory data,
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    IConfiguration configuration) : BackgroundService
{
    public const string EndpointsFileName = "endpoints.json";
    public const string PidsFileName = "rcmd.pids";

    private readonly Dictionary<string, int> _pids = new(StringComparer.Ordinal);

    // The data directory through the container, which owns it: the lock is let go when the app is disposed (a test starts
    // Rcmd again on the same directory in the same process).
    private string EndpointsPath => Path.Combine(data.Path, EndpointsFileName);

    private string PidsPath => Path.Combine(data.Path, PidsFileName);

    /// <summary>The Aspire dashboard's address without its login token.</summary>
    private string? AspireDashboardUrl => configuration["ASPNETCORE_URLS"]?.Split(';')[0];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        File.Delete(EndpointsPath);
        var pids = WatchPidsAsync(stoppingToken);
        try
        {
            await notifications.WaitForResourceHealthyAsync("api", stoppingToken).ConfigureAwait(false);
            if (run.Options.Web)
            {
                await notifications.WaitForResourceHealthyAsync("web", stoppingToken).ConfigureAwait(false);
            }

            WriteEndpoints();
            Console.Out.WriteLine(Summary());
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await pids.ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        File.Delete(EndpointsPath);
        File.Delete(PidsPath);
    }

    private Dictionary<string, string> Endpoints()
    {
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["api"] = Url(run.ApiPort),
            ["redis"] = $"127.0.0.1:{run.RedisPort.ToString(CultureInfo.InvariantCulture)}",
            ["rclone"] = Url(run.RclonePort) + "/",
        };
        if (run.Options.Web)
        {
            endpoints["web"] = Url(run.WebPort);
        }

        if (model.Resources.Any(r => r.Name == "aspire-dashboard") && AspireDashboardUrl is { } dashboard)
        {
            endpoints["aspire-dashboard"] = dashboard;
        }

        return endpoints;
    }

    private void WriteEndpoints()
    {
        var temporary = EndpointsPath + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (name, address) in Endpoints())
            {
                json.WriteString(name, address);
            }

            json.WriteEndObject();
        }

        File.Move(temporary, EndpointsPath, overwrite: true);
    }

    private string Summary()
    {
        var endpoints = Endpoints();
        var text = new StringBuilder().AppendLine();
        if (endpoints.TryGetValue("web", out var web))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  Rcmd dashboard    {web}    <- open this in a browser");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  Rcmd Api          {endpoints["api"]}    (requests to try: Rcmd.Api/Rcmd.Api.http)");
        if (endpoints.TryGetValue("aspire-dashboard", out var aspire))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  Aspire dashboard  {aspire}    (log in with the link Aspire printed above)");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  Data              {run.Data.Path}    (endpoints.json for scripts)");
        text.AppendLine(run.Options.Auth
            ? "  Mode              server: sign-in required (dashboard: /signin; Api: API key, or HTTP Basic with a local account)"
            : "  Mode              local: no sign-in, loopback only (./rcmd run --auth for server mode)");
        if (run.SetupToken is { } token)
        {
            // Printed once, on purpose: the only way to the first admin when no bootstrap password was given.
            text.AppendLine("  First admin       set its password once (user admin), while no admin exists:");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"    curl -X POST {endpoints["api"]}/api/auth/setup -H 'Content-Type: application/json' -d '{{\"token\":\"{token}\",\"password\":\"<choose one>\"}}'");
        }

        text.Append("  Ctrl+C stops everything.");
        return text.ToString();
    }

    private async Task WatchPidsAsync(CancellationToken stoppingToken)
    {
        var watched = model.Resources.Where(r => r.Annotations.OfType<RestartOnCrashAnnotation>().Any()).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!watched.Contains(change.Resource.Name))
                {
                    continue;
                }

                // A replica by its own name (worker-x7k2q), a resource of one instance by the resource's name (api).
                var name = change.Resource.Annotations.OfType<ReplicaAnnotation>().Any(r => r.Replicas > 1) ? change.ResourceId : change.Resource.Name;
                var pid = change.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
                var running = change.Snapshot.State?.Text == KnownResourceStates.Running;
                var changed = running && pid is not null && int.TryParse(Convert.ToString(pid, CultureInfo.InvariantCulture), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    ? Set(name, id)
                    : !running && _pids.Remove(name);
                if (changed)
                {
                    WritePids();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private bool Set(string name, int pid)
    {
        if (_pids.TryGetValue(name, out var old) && old == pid)
        {
            return false;
        }

        _pids[name] = pid;
        return true;
    }

    private void WritePids()
    {
        var temporary = PidsPath + ".tmp";
        File.WriteAllLines(temporary, _pids.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value} - {p.Key}")));
        File.Move(temporary, PidsPath, overwrite: true);
    }

    private static string Url(int port) => "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
}

internal static class RunServicesExtensions
{
    /// <summary>What the AppHost runs beside Aspire: <see cref="CrashRestarter"/> and <see cref="RunInfo"/>.</summary>
    public static IDistributedApplicationBuilder AddRcmdRunServices(this IDistributedApplicationBuilder builder, RcmdRun run)
    {
        builder.Services.AddSingleton(run);
        builder.Services.AddSingleton(_ => run.Data); // disposed with the app (RunInfo resolves it): the lock is let go
        builder.Services.AddHostedService<CrashRestarter>();
        builder.Services.AddHostedService<RunInfo>();
        return builder;
    }
}

using Rcmd.Testing;

namespace Rcmd.Worker.Tests.Infrastructure;

/// <summary>
/// The built Rcmd.Worker run as a real process (<c>dotnet Rcmd.Worker.dll</c>) with the environment the AppHost gives
/// it: Redis, rcd and its credentials, a free loopback port for /health and /alive, plus any <c>Worker__*</c> settings.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly ChildProcess _process;
    private int _disposed;

    private WorkerProcess(string workerId, ChildProcess process, Uri url)
    {
        WorkerId = workerId;
        _process = process;
        Url = url;
    }

    public string WorkerId { get; }

    public Uri Url { get; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the Worker has exited; null while it runs.</summary>
    public int? ExitCode => _process.ExitCode;

    /// <summary>Starts a Worker; waits for /alive unless <paramref name="waitUntilAlive"/> is false.</summary>
    public static async Task<WorkerProcess> StartAsync(string workerId, string redisConnectionString, RcloneServer? rclone,
        IReadOnlyDictionary<string, string>? settings = null, bool waitUntilAlive = true)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = redisConnectionString,
            ["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["OTEL_SERVICE_NAME"] = workerId,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
            ["Worker__WorkerId"] = workerId,
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in rclone?.ServiceEnvironment() ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "Rcmd.Worker.dll");
        var worker = new WorkerProcess(workerId, ChildProcess.Start("dotnet", [dll], environment, AppContext.BaseDirectory), url);
        if (waitUntilAlive)
        {
            try
            {
                await worker.WaitUntilAliveAsync().ConfigureAwait(false);
            }
            catch
            {
                worker.Dispose();
                throw;
            }
        }

        return worker;
    }

    public async Task WaitUntilAliveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("The Worker exited.");
            }

            using var response = await http.GetAsync(new Uri(Url, "alive")).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), $"Worker {WorkerId} to answer /alive", () => Output).ConfigureAwait(false);
    }

    /// <summary>Waits for the Worker to exit with all its output read; false after the timeout.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>SIGKILL: the Worker vanishes mid-job, as in a crash.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: a graceful shutdown.</summary>
    public void Stop() => _process.Stop(TimeSpan.FromSeconds(20));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _process.Dispose();
        }
    }
}

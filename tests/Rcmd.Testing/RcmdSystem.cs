using System.Text.Json;

namespace Rcmd.Testing;

/// <summary>
/// The whole of Rcmd as a user starts it: the built Rcmd.AppHost run as a process with its own data directory
/// and free ports. It writes the endpoints it started to <c>{data}/endpoints.json</c>; tests read URLs from there.
/// Stop and Start again on the same data directory to test what survives a restart.
/// </summary>
public sealed class RcmdSystem : IAsyncDisposable
{
    private ChildProcess? _appHost;

    public RcmdSystem(string dataDirectory)
    {
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    /// <summary>
    /// Extra environment for the AppHost, which its children inherit: rclone reads any flag from <c>RCLONE_&lt;FLAG&gt;</c>,
    /// e.g. <c>RCLONE_BWLIMIT</c> to keep a test's transfer running long enough to act on it.
    /// </summary>
    public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>();

    public Uri ApiUrl { get; private set; } = null!;

    public Uri WebUrl { get; private set; } = null!;

    /// <summary>The Redis connection string the services use.</summary>
    public string RedisConnectionString { get; private set; } = null!;

    /// <summary>Process id of each resource by name (api, worker-1, worker-2, web, redis, rclone).</summary>
    public IReadOnlyDictionary<string, int> ProcessIds { get; private set; } = new Dictionary<string, int>();

    public string Output => _appHost?.Output ?? string.Empty;

    public async Task StartAsync(int webPort, params string[] extraArguments)
    {
        var endpoints = Path.Combine(DataDirectory, "endpoints.json");
        File.Delete(endpoints);
        var appHost = Path.Combine(AppContext.BaseDirectory, "Rcmd.AppHost.dll");
        _appHost = ChildProcess.Start("dotnet", [appHost, "--data-dir", DataDirectory, "--web-port", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extraArguments],
            new Dictionary<string, string?>(Environment) { ["RCLONE_CONFIG"] = Path.Combine(DataDirectory, "rclone.conf") });
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(endpoints) || _appHost.HasExited), TimeSpan.FromSeconds(90),
            "the AppHost to start every resource", () => Output);
        if (_appHost.HasExited)
        {
            throw new InvalidOperationException("The AppHost exited:\n" + Output);
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpoints));
        ApiUrl = new Uri(json.RootElement.GetProperty("api").GetString()!);
        WebUrl = json.RootElement.TryGetProperty("web", out var web) ? new Uri(web.GetString()!) : null!; // absent with --no-web
        RedisConnectionString = json.RootElement.GetProperty("redis").GetString()!;
        ProcessIds = json.RootElement.TryGetProperty("pids", out var pids)
            ? pids.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())
            : new Dictionary<string, int>();
    }

    public void Stop() => _appHost?.Stop(TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync()
    {
        _appHost?.Stop(TimeSpan.FromSeconds(30));
        _appHost?.Dispose();
        return ValueTask.CompletedTask;
    }
}

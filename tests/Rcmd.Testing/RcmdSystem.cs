using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Rcmd.Testing;

/// <summary>
/// The whole of Rcmd as its AppHost declares it (the test project references Rcmd.AppHost), started with Aspire's test host (<c>DistributedApplicationTestingBuilder</c>
/// on the real Rcmd.AppHost: redis-server, rclone rcd, Api, Worker replicas, Web; DCP runs them, no Aspire dashboard)
/// with its own data directory and free ports. The AppHost writes <c>{data}/endpoints.json</c> once the Api (and Web)
/// are healthy, and <c>{data}/rcmd.pids</c>; tests read URLs and pids from there, as scripts do. Every resource's console
/// output is kept in <see cref="Output"/>, one line each as <c>name | line</c>. Stop and Start again on the same data
/// directory to test what survives a restart.
/// </summary>
public sealed class RcmdSystem : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);

    private readonly ConcurrentQueue<string> _output = new();
    private DistributedApplication? _app;
    private CancellationTokenSource? _logs;

    public RcmdSystem(string dataDirectory)
    {
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    /// <summary>
    /// Extra environment for every service and for rclone rcd: rclone reads any flag from <c>RCLONE_&lt;FLAG&gt;</c>, e.g.
    /// <c>RCLONE_BWLIMIT</c> to keep a test's transfer running long enough to act on it.
    /// </summary>
    public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>();

    public Uri ApiUrl { get; private set; } = null!;

    public Uri WebUrl { get; private set; } = null!;

    /// <summary>The Redis connection string the services use.</summary>
    public string RedisConnectionString { get; private set; } = null!;

    /// <summary>
    /// The process running as each resource now, from <c>{data}/rcmd.pids</c> (api, web, redis, rclone, each Worker replica
    /// by its name): read at each call, since the AppHost rewrites it when it starts a process again.
    /// </summary>
    public IReadOnlyDictionary<string, int> ProcessIds
    {
        get
        {
            try
            {
                return File.ReadAllLines(Path.Combine(DataDirectory, "rcmd.pids"))
                    .Select(l => l.Split(' ', 3))
                    .Where(p => p.Length == 3)
                    .ToDictionary(p => p[2], p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                return new Dictionary<string, int>();
            }
        }
    }

    /// <summary>
    /// Aspire's test host while Rcmd runs: its resource notifications and commands are what the Aspire dashboard shows and sends.
    /// </summary>
    public DistributedApplication Application => _app ?? throw new InvalidOperationException("Rcmd is not started.");

    /// <summary>Every resource's console output so far, <c>name | line</c>.</summary>
    public string Output => string.Join('\n', _output);

    public async Task StartAsync(int webPort, params string[] extraArguments)
    {
        var endpoints = Path.Combine(DataDirectory, "endpoints.json");
        File.Delete(endpoints);
        var entryPoint = Type.GetType("Program, Rcmd.AppHost", throwOnError: true)!;
        string[] args = ["--data-dir", DataDirectory, "--web-port", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extraArguments];
        var environment = new Dictionary<string, string?>(Environment) { ["RCLONE_CONFIG"] = Path.Combine(DataDirectory, "rclone.conf") };
        using var start = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(entryPoint, args, (options, _) => options.DisableDashboard = true, start.Token);
        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>())
        {
            builder.CreateResourceBuilder(resource).WithEnvironment(context =>
            {
                foreach (var (name, value) in environment)
                {
                    context.EnvironmentVariables[name] = value ?? string.Empty;
                }
            });
        }

        _app = await builder.BuildAsync(start.Token);
        _logs = new CancellationTokenSource();
        _ = CollectLogsAsync(_app, _logs.Token);
        await _app.StartAsync(start.Token);
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(endpoints)), StartTimeout, "the AppHost to report every service healthy", () => Output);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(endpoints, start.Token));
        ApiUrl = new Uri(json.RootElement.GetProperty("api").GetString()!);
        WebUrl = json.RootElement.TryGetProperty("web", out var web) ? new Uri(web.GetString()!) : null!; // absent with --no-web
        RedisConnectionString = json.RootElement.GetProperty("redis").GetString()!;
    }

    /// <summary>Stops every resource (as Ctrl+C does) and waits for them to end.</summary>
    public void Stop() => StopAsync().GetAwaiter().GetResult();

    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _app = null;
        if (_logs is not null)
        {
            await _logs.CancelAsync();
            _logs.Dispose();
            _logs = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Each resource's console lines as they come (Aspire's resource logger), into <see cref="Output"/>.</summary>
    private async Task CollectLogsAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var logger = app.Services.GetRequiredService<ResourceLoggerService>();
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var watched = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in notifications.WatchAsync(cancellationToken))
            {
                if (watched.Add(change.ResourceId))
                {
                    _ = WatchAsync(logger, change.ResourceId, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WatchAsync(ResourceLoggerService logger, string resourceId, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in logger.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    _output.Enqueue(new StringBuilder(resourceId).Append(" | ").Append(line.Content).ToString());
                    while (_output.Count > 20_000 && _output.TryDequeue(out _))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Worker.Tests.Infrastructure;

/// <summary>
/// A real redis-server and a real rclone rcd on free loopback ports, a scratch directory, and the Worker processes a
/// test starts against them. The test talks to Redis through the same JobStore/JobQueue the Api uses, and to rcd
/// directly through an <see cref="RcloneClient"/>.
/// </summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    private readonly RedisAndRcloneFixture _servers = new();
    private readonly ConcurrentBag<WorkerProcess> _workers = [];
    private RedisConnection? _redis;
    private HttpClient? _rcloneHttp;

    public RedisServer Redis => _servers.Redis;

    public RcloneServer Rclone => _servers.Rclone;

    public TempDirectory Data { get; } = new("worker-tests");

    public JobStore Store { get; private set; } = null!;

    public JobQueue Queue { get; private set; } = null!;

    /// <summary>The fixture's own connection to its Redis (the keys of a Worker with the default prefix).</summary>
    public RedisConnection Connection => _redis ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>A client straight to rcd (no resilience handler), for what the test itself asks rcd.</summary>
    public RcloneClient Rcd { get; private set; } = null!;

    /// <summary>How long rcd keeps a finished job (see <see cref="RcloneServer.JobExpiry"/>); 1 h unless set.</summary>
    public TimeSpan RcdJobExpiry { get; init; } = TimeSpan.FromHours(1);

    public async Task InitializeAsync()
    {
        _servers.Rclone.JobExpiry = RcdJobExpiry;
        await _servers.InitializeAsync();
        _redis = new RedisConnection(Redis.ConnectionString, new RedisKeys());
        Store = new JobStore(_redis);
        Queue = new JobQueue(_redis, TimeProvider.System);
        _rcloneHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Rcd = new RcloneClient(_rcloneHttp, Options.Create(new RcloneOptions { Url = Rclone.Url, User = Rclone.User, Password = Rclone.Password }));
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var worker in _workers)
            {
                worker.Dispose();
            }

            _rcloneHttp?.Dispose();
            _redis?.Dispose();
        }
        finally
        {
            await _servers.DisposeAsync();
            Data.Dispose();
        }
    }

    /// <summary>
    /// Starts a Worker process with short leases and fast checks (so recovery tests take seconds, not minutes);
    /// <paramref name="settings"/> override them. The process is killed when the fixture is disposed, if not before.
    /// </summary>
    public async Task<WorkerProcess> StartWorkerAsync(string name, IReadOnlyDictionary<string, string>? settings = null,
        bool waitUntilAlive = true)
    {
        var all = new Dictionary<string, string>
        {
            ["Worker__LeaseDuration"] = "00:00:03",
            ["Worker__HeartbeatInterval"] = "00:00:01",
            ["Worker__LeaseCheckInterval"] = "00:00:00.250",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var worker = await WorkerProcess.StartAsync($"{name}-{Guid.NewGuid().ToString("N")[..6]}", Redis.ConnectionString, Rclone, all,
            waitUntilAlive);
        _workers.Add(worker);
        return worker;
    }

    public async Task<Job> EnqueueAsync(JobType type, string source, string? destination, JobOptions? options = null)
    {
        var job = JobStateMachine.Create(Guid.NewGuid().ToString("N"), new JobSubmission(type, source, destination, options ?? new JobOptions()),
            TimeProvider.System);
        Assert.True(await Store.EnqueueAsync(job, CancellationToken.None));
        return job;
    }

    /// <summary>Waits until the stored job satisfies <paramref name="condition"/> and returns it.</summary>
    public async Task<Job> WaitForJobAsync(string id, Func<Job, bool> condition, TimeSpan timeout, string what)
    {
        Job? last = null;
        await Wait.UntilAsync(async () =>
        {
            last = await Store.GetAsync(id, CancellationToken.None);
            return last is not null && condition(last);
        }, timeout, what, () => Diagnostics(last));
        return last!;
    }

    public Task<Job> WaitForStateAsync(string id, JobState state, TimeSpan? timeout = null) =>
        WaitForJobAsync(id, j => j.State == state, timeout ?? TimeSpan.FromSeconds(30), $"job {id} to be {state.ToWire()}");

    public Task<JsonElement> RcAsync(string method, JsonObject? parameters = null) => Rcd.CallAsync(method, parameters, CancellationToken.None);

    /// <summary>The rclone runs rcd ever started for a Rcmd job (see <see cref="RcdRunsAsync"/>).</summary>
    public async Task<IReadOnlyList<long>> RcdRunsOfAsync(string jobId) => [.. (await RcdRunsAsync())[jobId]];

    /// <summary>
    /// Every rclone run rcd ever started, by Rcmd job id. rcd lists each RC call as a job (kept an hour here); a run is
    /// one whose stats group is a Rcmd job's (<c>rcmd/{id}/{attempt}</c>).
    /// </summary>
    public async Task<ILookup<string, long>> RcdRunsAsync()
    {
        var list = await RcAsync("job/list");
        var runs = new List<(string JobId, long RcloneJobId)>();
        foreach (var id in list.GetProperty("jobids").EnumerateArray().Select(e => e.GetInt64()))
        {
            var status = await RcAsync("job/status", new JsonObject { ["jobid"] = id });
            if (status.TryGetProperty("group", out var group) && group.GetString() is { } name && name.StartsWith("rcmd/", StringComparison.Ordinal))
            {
                runs.Add((name.Split('/')[1], id));
            }
        }

        return runs.ToLookup(r => r.JobId, r => r.RcloneJobId);
    }

    public string Diagnostics(Job? job = null)
    {
        var text = new System.Text.StringBuilder();
        if (job is not null)
        {
            text.Append("job: ").AppendLine(JsonSerializer.Serialize(job, Serialization.RcmdJsonContext.Default.Job));
        }

        foreach (var worker in _workers)
        {
            text.Append("--- worker ").Append(worker.WorkerId).AppendLine(" ---").AppendLine(worker.Output);
        }

        return text.Append("--- rcd ---\n").Append(Rclone.Output).ToString();
    }

    /// <summary>Writes <paramref name="count"/> files of <paramref name="size"/> bytes (distinct content) under a new directory.</summary>
    public string MakeFiles(string directory, int count, int size)
    {
        var path = Data.Combine(directory);
        Directory.CreateDirectory(path);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[size];
            new Random(i).NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(path, $"file-{i:D3}.bin"), bytes);
        }

        return path;
    }

    /// <summary>A file of zeros of the given length (sparse, so it costs no time to make).</summary>
    public string MakeLargeFile(string directory, string name, long length)
    {
        var path = Data.Combine(directory);
        Directory.CreateDirectory(path);
        using var file = File.Create(Path.Combine(path, name));
        file.SetLength(length);
        return path;
    }
}

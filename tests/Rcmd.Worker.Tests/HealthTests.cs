using Rcmd.Testing;
using Rcmd.Worker.Tests.Infrastructure;

namespace Rcmd.Worker.Tests;

/// <summary>The Worker's probes and start-up checks, on real processes.</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.StartAsync();

    public Task DisposeAsync()
    {
        _redis.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Health_RcdNotListening_NotReadyButAlive()
    {
        var settings = new Dictionary<string, string>
        {
            ["services__rclone__http__0"] = $"http://127.0.0.1:{FreePort.Next()}/",
            ["Rclone__User"] = "u",
            ["Rclone__Password"] = "secret-that-must-not-leak",
        };
        using var worker = await WorkerProcess.StartAsync("health-" + Guid.NewGuid().ToString("N")[..6], _redis.ConnectionString, null, settings);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using var health = await http.GetAsync(new Uri(worker.Url, "health"));
        var body = await health.Content.ReadAsStringAsync();
        using var alive = await http.GetAsync(new Uri(worker.Url, "alive"));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("\"rclone\":\"Unhealthy", body, StringComparison.Ordinal);
        Assert.Contains("\"redis\":\"Healthy", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-that-must-not-leak", body, StringComparison.Ordinal);
        Assert.True(alive.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Start_InvalidWorkerOptions_ExitsNamingTheSetting()
    {
        var settings = new Dictionary<string, string>
        {
            ["services__rclone__http__0"] = "http://127.0.0.1:9/",
            ["Worker__Concurrency"] = "0",
        };
        using var worker = await WorkerProcess.StartAsync("invalid", _redis.ConnectionString, null, settings, waitUntilAlive: false);

        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)), worker.Output);
        Assert.Contains("Concurrency", worker.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RCLONE_RETRY_ATTEMPTS", "three")]
    [InlineData("RCLONE_RETRY_BASE_DELAY", "800")]
    public async Task Start_InvalidRetrySetting_ExitsWithCode2AndOneLineNamingTheVariable(string variable, string value)
    {
        var settings = new Dictionary<string, string>
        {
            ["services__rclone__http__0"] = "http://127.0.0.1:9/",
            [variable] = value,
        };
        using var worker = await WorkerProcess.StartAsync("bad-retry", _redis.ConnectionString, null, settings, waitUntilAlive: false);

        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)), worker.Output);
        Assert.Equal(2, worker.ExitCode);
        var named = worker.Output.Split('\n').Where(line => line.Contains(variable, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(named);
        Assert.Contains($"{variable}='{value}' is not valid", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Worker bad-retry", worker.Output, StringComparison.Ordinal);
    }
}

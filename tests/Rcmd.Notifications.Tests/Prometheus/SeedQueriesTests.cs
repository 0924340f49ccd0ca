using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications.Tests.Infrastructure;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Prometheus;

/// <summary>
/// failure-taxonomy.md's dashboard queries, verbatim, run by a real Prometheus that scrapes a real host's <c>/metrics</c>
/// (ServiceDefaults' exposition) while jobs succeed, fail and retry through the real JobStore against Redis.
/// <para>
/// The workload runs twice: once before Prometheus starts, so that every series exists from its first scrape (rate()
/// sees no increase from a series' first sample), then again while it scrapes. Each series then has the same sample
/// times and a first value equal to its increase, so Prometheus extrapolates every series by the same factor and the
/// queries' ratios come out exactly as the second run's counts.
/// </para>
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SeedQueriesTests(RedisFixture redis) : IAsyncLifetime
{
    private WebApplication? _host;
    private PrometheusServer? _prometheus;
    private JobDriver? _driver;

    private WebApplication Host => _host!;

    private PrometheusServer Prometheus => _prometheus!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.Server.ConnectionString,
            ["Rcmd:RedisPrefix"] = "t" + Guid.NewGuid().ToString("N")[..12],
            ["OTEL_SERVICE_NAME"] = "rcmd-prometheus-test",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        builder.AddRcmdStorage();
        _host = builder.Build();
        _host.MapDefaultEndpoints();
        await _host.StartAsync(TestTimeout.Token);
        var connection = _host.Services.GetRequiredService<RedisConnection>();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _driver = new JobDriver(_host.Services.GetRequiredService<JobStore>(), new JobQueue(connection, time), time);
        _prometheus = new PrometheusServer();
    }

    public async Task DisposeAsync()
    {
        _prometheus?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task SeedQueries_JobsSucceedFailAndRetry_PrometheusComputesWhatWasRun()
    {
        await RunWorkloadAsync();
        await Prometheus.StartAsync(new Uri($"http://127.0.0.1:{new Uri(Host.Urls.Single()).Port}/"));
        await WaitForScrapesAsync(2);
        await RunWorkloadAsync();
        await WaitForScrapesAsync(2);

        // Per run: 10 jobs completed, 4 failed (3 network_error, 1 access_denied); 16 runs started, 6 retried.
        Assert.Equal(20, await Prometheus.ScalarAsync("sum(jobs_completed_total)"));
        Assert.Equal(["rcmd"], (await Prometheus.QueryAsync("up == 1")).Select(r => r.Labels["job"]));

        // The built-in meters come along: ASP.NET Core's request duration, by route (Prometheus' own scrapes of /metrics).
        Assert.NotEmpty(await Prometheus.QueryAsync("""http_server_request_duration_seconds_count{http_route="/metrics"}"""));

        // failure ratio (all)
        AssertClose(40.0, await Prometheus.ScalarAsync(SeedQueries.FailureRatio));

        // failure ratio (by type)
        var byType = await Prometheus.QueryAsync(SeedQueries.FailureRatioByType);
        Assert.Equal(["copy", "sync"], byType.Select(r => r.Labels["type"]).Order());
        AssertClose(100.0 * 3 / 7, byType.Single(r => r.Labels["type"] == "copy").Value);
        AssertClose(100.0 / 3, byType.Single(r => r.Labels["type"] == "sync").Value);

        // top failure codes, top-N
        var top = await Prometheus.QueryAsync(SeedQueries.TopFailureCodes);
        Assert.Equal(["access_denied", "network_error"], top.Select(r => r.Labels["error_code"]).Order());
        AssertClose(3.0, top.Single(r => r.Labels["error_code"] == "network_error").Value / top.Single(r => r.Labels["error_code"] == "access_denied").Value);

        // mean job duration by code
        var mean = await Prometheus.QueryAsync(SeedQueries.MeanDurationByCode);
        AssertClose((5000.0 * 2 + 3000) / 3, mean.Single(r => r.Labels["error_code"] == "network_error").Value);
        AssertClose(100, mean.Single(r => r.Labels["error_code"] == "access_denied").Value);

        // unknown ratio: no job failed with "unknown", so there is no series to divide
        Assert.Empty(await Prometheus.QueryAsync(SeedQueries.UnknownRatio));

        // retry attempts (by type)
        var retries = await Prometheus.QueryAsync(SeedQueries.RetryAttemptsByType);
        AssertClose(5.0, retries.Single(r => r.Labels["type"] == "copy").Value / retries.Single(r => r.Labels["type"] == "sync").Value);

        // retry pressure (%)
        AssertClose(100.0 * 6 / 16, await Prometheus.ScalarAsync(SeedQueries.RetryPressure));

        // retry effectiveness (retries / final failures)
        AssertClose(6.0 / 4, await Prometheus.ScalarAsync(SeedQueries.RetryEffectiveness));
    }

    /// <summary>copy: 4 succeed (one after a retry), 2 fail network_error after 2 retries each, 1 fails access_denied; sync: 2 succeed, 1 fails network_error after a retry.</summary>
    private async Task RunWorkloadAsync()
    {
        var driver = _driver!;
        for (var i = 0; i < 4; i++)
        {
            await driver.RunAsync(JobType.Copy, JobState.Succeeded, durationMs: 2000, retries: i == 0 ? 1 : 0);
        }

        await driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, durationMs: 5000, retries: 2);
        await driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, durationMs: 5000, retries: 2);
        await driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.AccessDenied, durationMs: 100);
        await driver.RunAsync(JobType.Sync, JobState.Succeeded, durationMs: 1000);
        await driver.RunAsync(JobType.Sync, JobState.Succeeded, durationMs: 1000);
        await driver.RunAsync(JobType.Sync, JobState.Failed, ErrorCodes.NetworkError, durationMs: 3000, retries: 1);
    }

    /// <summary>Waits until Prometheus has taken <paramref name="more"/> further scrapes of the host.</summary>
    private async Task WaitForScrapesAsync(int more)
    {
        const string samples = """count_over_time(jobs_started_total{type="copy"}[15m])""";
        var now = (await Prometheus.QueryAsync(samples)).Select(r => r.Value).DefaultIfEmpty(0).Single();
        await Wait.UntilAsync(async () => (await Prometheus.QueryAsync(samples)).Select(r => r.Value).DefaultIfEmpty(0).Single() >= now + more,
            TimeSpan.FromSeconds(60), $"{more} more scrapes", () => Prometheus.Output);
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}

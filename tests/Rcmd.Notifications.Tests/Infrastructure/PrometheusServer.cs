using System.Globalization;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (the Debian package's <c>/usr/bin/prometheus</c>) on a free loopback port, scraping the given
/// targets every second, with its storage in a temporary directory; killed and removed on dispose.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private readonly TempDirectory _directory = new("prometheus");
    private readonly HttpClient _http = new();
    private ChildProcess? _process;

    public PrometheusServer()
    {
        Port = FreePort.Next();
        Url = new Uri($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }

    public Uri Url { get; }

    public string Output => _process?.Output ?? "";

    public async Task StartAsync(params Uri[] targets)
    {
        var config = _directory.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
              evaluation_interval: 1s
            scrape_configs:
              - job_name: rcmd
                metrics_path: /metrics
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t.Host}:{t.Port}'"))}]
            """, TestTimeout.Token);
        _process = ChildProcess.Start("prometheus",
        [
            "--config.file=" + config, "--storage.tsdb.path=" + _directory.Combine("data"),
            $"--web.listen-address=127.0.0.1:{Port}", "--log.level=warn",
        ]);
        await Wait.UntilAsync(async () => (await _http.GetAsync(new Uri(Url, "-/ready"))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), $"prometheus on port {Port}", () => Output);
    }

    /// <summary>An instant query (<c>/api/v1/query</c>): each result's labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync(new Uri(Url, "api/v1/query?query=" + Uri.EscapeDataString(promql)), TestTimeout.Token);
        var text = await response.Content.ReadAsStringAsync(TestTimeout.Token);
        Assert.True(response.IsSuccessStatusCode, $"{promql}: {text}");
        using var document = JsonDocument.Parse(text);
        var data = document.RootElement.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        return [.. data.GetProperty("result").EnumerateArray().Select(r => (
            (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>The one value of a query that yields one series (without labels, as a sum does).</summary>
    public async Task<double> ScalarAsync(string promql) => Assert.Single(await QueryAsync(promql)).Value;

    public void Dispose()
    {
        _process?.Dispose();
        _http.Dispose();
        _directory.Dispose();
    }
}

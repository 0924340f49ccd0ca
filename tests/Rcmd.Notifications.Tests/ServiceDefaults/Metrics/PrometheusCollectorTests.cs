using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.ServiceDefaults.Metrics;

namespace Rcmd.Notifications.Tests.ServiceDefaults.Metrics;

public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Scrape_EveryInstrumentKind_ExactTextExposition()
    {
        using var collector = new PrometheusCollector(Factory, ["Test.Meter"]);
        var meter = Factory.Create("Test.Meter");
        var completed = meter.CreateCounter<long>("jobs_completed_total", description: "Jobs that ended.");
        var started = meter.CreateCounter<int>("jobs.started");
        var duration = meter.CreateHistogram("jobs_duration_ms", unit: null, description: "Duration.\nIn ms.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [100, 1000] });
        var active = meter.CreateUpDownCounter<long>("active_requests", unit: "{request}");
        var latency = meter.CreateHistogram<double>("http.server.request.duration", unit: "s");
        meter.CreateObservableGauge("jobs_queue_depth", () => new Measurement<long>(7, new KeyValuePair<string, object?>("state", "queued")));

        completed.Add(2, Tag("type", "copy"), Tag("status", "succeeded"), Tag("error_code", "none"));
        completed.Add(1, Tag("type", "copy"), Tag("status", "succeeded"), Tag("error_code", "none"));
        completed.Add(1, Tag("status", "failed"), Tag("type", "sync"), Tag("error_code", "network_error"));
        started.Add(3);
        duration.Record(50, Tag("type", "copy"));
        duration.Record(100, Tag("type", "copy"));
        duration.Record(2500.5, Tag("type", "copy"));
        active.Add(5);
        active.Add(-2);
        latency.Record(0.004);

        var text = collector.Scrape();

        Assert.Equal("""
            # TYPE active_requests gauge
            active_requests 3
            # TYPE http_server_request_duration_seconds histogram
            http_server_request_duration_seconds_bucket{le="0"} 0
            http_server_request_duration_seconds_bucket{le="5"} 1
            http_server_request_duration_seconds_bucket{le="10"} 1
            http_server_request_duration_seconds_bucket{le="25"} 1
            http_server_request_duration_seconds_bucket{le="50"} 1
            http_server_request_duration_seconds_bucket{le="75"} 1
            http_server_request_duration_seconds_bucket{le="100"} 1
            http_server_request_duration_seconds_bucket{le="250"} 1
            http_server_request_duration_seconds_bucket{le="500"} 1
            http_server_request_duration_seconds_bucket{le="750"} 1
            http_server_request_duration_seconds_bucket{le="1000"} 1
            http_server_request_duration_seconds_bucket{le="2500"} 1
            http_server_request_duration_seconds_bucket{le="5000"} 1
            http_server_request_duration_seconds_bucket{le="7500"} 1
            http_server_request_duration_seconds_bucket{le="10000"} 1
            http_server_request_duration_seconds_bucket{le="+Inf"} 1
            http_server_request_duration_seconds_sum 0.004
            http_server_request_duration_seconds_count 1
            # HELP jobs_completed_total Jobs that ended.
            # TYPE jobs_completed_total counter
            jobs_completed_total{error_code="network_error",status="failed",type="sync"} 1
            jobs_completed_total{error_code="none",status="succeeded",type="copy"} 3
            # HELP jobs_duration_ms Duration.\nIn ms.
            # TYPE jobs_duration_ms histogram
            jobs_duration_ms_bucket{type="copy",le="100"} 2
            jobs_duration_ms_bucket{type="copy",le="1000"} 2
            jobs_duration_ms_bucket{type="copy",le="+Inf"} 3
            jobs_duration_ms_sum{type="copy"} 2650.5
            jobs_duration_ms_count{type="copy"} 3
            # TYPE jobs_queue_depth gauge
            jobs_queue_depth{state="queued"} 7
            # TYPE jobs_started_total counter
            jobs_started_total 3

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Record_SameLabelsInAnotherOrderOrType_OneSeries()
    {
        using var collector = new PrometheusCollector(Factory, ["Test.Order"]);
        var counter = Factory.Create("Test.Order").CreateCounter<long>("calls_total");

        counter.Add(1, Tag("a", "x"), Tag("b", "y"));
        counter.Add(2, Tag("b", "y"), Tag("a", "x"));
        counter.Add(4, Tag("a", "x"), Tag("b", 1));
        counter.Add(8, Tag("a", "x"), Tag("b", "1"));
        counter.Add(16, Tag("b", 1), Tag("a", "x"));

        Assert.Equal("""
            # TYPE calls_total counter
            calls_total{a="x",b="1"} 28
            calls_total{a="x",b="y"} 3

            """.ReplaceLineEndings("\n"), collector.Scrape());
    }

    [Fact]
    public void Scrape_LabelValues_Escaped()
    {
        using var collector = new PrometheusCollector(Factory, ["Test.Escape"]);
        var counter = Factory.Create("Test.Escape").CreateCounter<long>("events_total");

        counter.Add(1, Tag("path", "C:\\dir \"x\"\nnext"), Tag("odd.label-name", "v"));

        Assert.Equal("""
            # TYPE events_total counter
            events_total{odd_label_name="v",path="C:\\dir \"x\"\nnext"} 1

            """.ReplaceLineEndings("\n"), collector.Scrape());
    }

    [Fact]
    public void Scrape_MeterOfAnotherHostOrName_NotCollected()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var collector = new PrometheusCollector(Factory, ["Test.Scope"]);
        other.GetRequiredService<IMeterFactory>().Create("Test.Scope").CreateCounter<long>("theirs_total").Add(1);
        Factory.Create("Test.Unlisted").CreateCounter<long>("unlisted_total").Add(1);
        Factory.Create("Test.Scope").CreateCounter<long>("ours_total").Add(1);

        Assert.Equal("# TYPE ours_total counter\nours_total 1\n", collector.Scrape());
    }

    [Fact]
    public void Scrape_ObservableSeriesGone_DroppedFromNextScrape()
    {
        using var collector = new PrometheusCollector(Factory, ["Test.Observable"]);
        var remotes = new List<string> { "a", "b" };
        Factory.Create("Test.Observable").CreateObservableGauge("remote_up", () => remotes.Select(r => new Measurement<int>(1, Tag("remote", r))));

        var first = collector.Scrape();
        remotes.Remove("a");
        var second = collector.Scrape();

        Assert.Contains("remote_up{remote=\"a\"} 1", first, StringComparison.Ordinal);
        Assert.DoesNotContain("remote=\"a\"", second, StringComparison.Ordinal);
        Assert.Contains("remote_up{remote=\"b\"} 1", second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    [InlineData(-3.0, "-3")]
    public void Format_SpecialAndPlainValues(double value, string expected)
    {
        Assert.Equal(expected, PrometheusCollector.Format(value));
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}

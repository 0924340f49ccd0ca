using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Rcmd.Notifications.Tests.ServiceDefaults;

public sealed class MetricStreamTests
{
    [Fact]
    public void FrameworkInstruments_HoldFewerLabelSets_RcmdsOwnKeepTheDefault()
    {
        using var framework = new Meter("Microsoft.AspNetCore.Hosting");
        using var rcmd = new Meter(Extensions.TelemetryName);

        var request = Extensions.FrameworkStream(framework.CreateHistogram<double>("http.server.request.duration"));
        var jobs = Extensions.FrameworkStream(rcmd.CreateCounter<long>("jobs_completed_total"));

        Assert.Equal(Extensions.FrameworkCardinalityLimit, request?.CardinalityLimit);
        Assert.Null(jobs);
    }

    [Theory]
    [InlineData(null, Extensions.FrameworkCardinalityLimit)]
    [InlineData("", Extensions.FrameworkCardinalityLimit)]
    [InlineData("200", 200)]
    public void FrameworkCardinality_FromConfiguration(string? value, int expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [Extensions.FrameworkCardinalityLimitKey] = value })
            .Build();
        using var framework = new Meter("Microsoft.AspNetCore.Components.Lifecycle");

        var limit = Extensions.FrameworkCardinality(configuration);

        Assert.Equal(expected, limit);
        Assert.Equal(expected, Extensions.FrameworkStream(framework.CreateHistogram<double>("x"), limit)?.CardinalityLimit);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("2.5")]
    public void FrameworkCardinality_NotAWholeNumberAboveZero_SaysWhichSetting(string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [Extensions.FrameworkCardinalityLimitKey] = value })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => Extensions.FrameworkCardinality(configuration));

        Assert.Contains(Extensions.FrameworkCardinalityLimitKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }
}

using System.Diagnostics.Metrics;
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
}

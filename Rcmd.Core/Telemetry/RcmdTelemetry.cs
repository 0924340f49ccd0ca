using System.Diagnostics;
using Rcmd.Jobs;

namespace Rcmd.Telemetry;

/// <summary>
/// The one Meter (and ActivitySource) name of Rcmd, and the metric tag keys. The instrument names are failure-taxonomy.md's,
/// so its PromQL works unchanged on the <c>/metrics</c> exposition: counters already end in <c>_total</c> (the
/// exposition does not add a second), the histogram is <c>jobs_duration_ms</c> (→ <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).
/// </summary>
public static class RcmdTelemetry
{
    public const string MeterName = "Rcmd";

    /// <summary>Rcmd's spans (ServiceDefaults listens to it when traces are exported).</summary>
    public static readonly ActivitySource Source = new(MeterName);

    /// <summary>
    /// A job's run in a Worker, as a child of the request that submitted it (<see cref="Jobs.Job.TraceParent"/>): the
    /// Api's POST, this span and the Worker's calls to rcd are one trace. Null (no cost) when no one listens.
    /// </summary>
    public static Activity? StartJobRun(Jobs.Job job)
    {
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        var activity = Source.StartActivity("job run", ActivityKind.Consumer, parent);
        activity?.SetTag("rcmd.job.id", job.Id);
        activity?.SetTag("rcmd.job.type", job.Type.ToWire());
        activity?.SetTag("rcmd.job.attempt", job.Attempt + 1);
        return activity;
    }

    public const string TypeTag = "type";
    public const string StatusTag = "status";
    public const string ErrorCodeTag = "error_code";
    public const string RemoteTag = "remote";
    public const string StateTag = "state";
    public const string ChannelTag = "channel";
    public const string EventTag = "event";
}

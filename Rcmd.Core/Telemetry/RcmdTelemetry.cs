namespace Rcmd.Telemetry;

/// <summary>
/// The one Meter (and ActivitySource) name of Rcmd, and the metric tag keys. The instrument names are failure-taxonomy.md's,
/// so its PromQL works unchanged on the <c>/metrics</c> exposition: counters already end in <c>_total</c> (the
/// exposition does not add a second), the histogram is <c>jobs_duration_ms</c> (→ <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).
/// </summary>
public static class RcmdTelemetry
{
    public const string MeterName = "Rcmd";

    public const string TypeTag = "type";
    public const string StatusTag = "status";
    public const string ErrorCodeTag = "error_code";
    public const string RemoteTag = "remote";
    public const string StateTag = "state";
    public const string ChannelTag = "channel";
    public const string EventTag = "event";
}

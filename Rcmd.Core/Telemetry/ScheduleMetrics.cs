using System.Diagnostics.Metrics;

namespace Rcmd.Telemetry;

/// <summary>
/// The schedule metrics, counted by the scheduler that claimed each fire time (one per fire time, whatever the number
/// of schedulers, so sums over processes count each once):
/// <code>
///   schedule_runs_total{schedule,outcome}   started | skipped (overlap) | queued (queue_one) | missed (dropped after downtime)
///   schedule_fire_lag_ms                    histogram, due time (fire time + jitter) → the job created
/// </code>
/// </summary>
public sealed class ScheduleMetrics
{
    public const string ScheduleTag = "schedule";
    public const string OutcomeTag = "outcome";

    /// <summary>Lag from a few milliseconds (a scheduler on time) to minutes (a scheduler that was down).</summary>
    public static readonly IReadOnlyList<double> LagBuckets = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000];

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _lag;

    public ScheduleMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RcmdTelemetry.MeterName);
        _runs = meter.CreateCounter<long>("schedule_runs_total",
            description: "Fire times of each schedule by outcome: started, skipped (overlap), queued (queue_one) or missed (downtime).");
        _lag = meter.CreateHistogram("schedule_fire_lag_ms", unit: null,
            description: "Milliseconds from a fire time's due time (fire time plus jitter) to its job's creation.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
    }

    public void RecordRun(string scheduleId, string outcome) =>
        _runs.Add(1, new KeyValuePair<string, object?>(ScheduleTag, scheduleId), new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void RecordLag(TimeSpan lag) => _lag.Record(Math.Max(0, lag.TotalMilliseconds));
}

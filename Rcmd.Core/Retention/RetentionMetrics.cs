using System.Diagnostics.Metrics;
using Rcmd.Telemetry;

namespace Rcmd.Retention;

/// <summary>
/// The sweep's metrics, in the <c>Rcmd</c> meter:
/// <code>
///   retention_jobs_archived_total              jobs written to the archive and verified
///   retention_jobs_deleted_total               jobs deleted from Redis after that (a job changed meanwhile is kept)
///   retention_batch_items_archived_total       batches whose item results were archived and dropped (the job stays)
///   retention_archive_failures_total           archive writes that failed (nothing deleted; ARCHIVE_FAILED raised)
///   retention_last_sweep_timestamp_seconds     when this process last completed a sweep (Unix seconds)
/// </code>
/// </summary>
public sealed class RetentionMetrics
{
    private readonly Counter<long> _archived;
    private readonly Counter<long> _deleted;
    private readonly Counter<long> _batchItems;
    private readonly Counter<long> _failures;
    private long _lastSweepUnixSeconds;

    public RetentionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RcmdTelemetry.MeterName);
        _archived = meter.CreateCounter<long>("retention_jobs_archived_total", description: "Finished jobs written to the archive and verified.");
        _deleted = meter.CreateCounter<long>("retention_jobs_deleted_total", description: "Archived jobs deleted from Redis.");
        _batchItems = meter.CreateCounter<long>("retention_batch_items_archived_total",
            description: "Batches whose item results were archived and dropped from Redis (the job stays).");
        _failures = meter.CreateCounter<long>("retention_archive_failures_total", description: "Archive writes that failed; nothing was deleted.");
        meter.CreateObservableGauge("retention_last_sweep_timestamp_seconds", () => Interlocked.Read(ref _lastSweepUnixSeconds),
            description: "When this process last completed a retention sweep (Unix time, seconds); 0 before its first.");
    }

    public void Archived(long jobs) => _archived.Add(jobs);

    public void Deleted(long jobs) => _deleted.Add(jobs);

    public void BatchItemsArchived(long batches) => _batchItems.Add(batches);

    public void ArchiveFailed() => _failures.Add(1);

    public void SweepCompleted(DateTimeOffset at) => Interlocked.Exchange(ref _lastSweepUnixSeconds, at.ToUnixTimeSeconds());
}

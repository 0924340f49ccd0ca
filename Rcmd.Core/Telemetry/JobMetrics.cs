using System.Diagnostics.Metrics;
using Rcmd.Breakers;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Telemetry;

/// <summary>
/// The job metrics of failure-taxonomy.md, counted by the process that made each change (an
/// <see cref="IJobTransitionObserver"/> of <see cref="JobStore"/>: every change is won by one process, so summing over
/// processes counts each once):
/// <code>
///   jobs_started_total{type}                           Queued → Running (each run, retries included)
///   jobs_completed_total{type,status,error_code}       → succeeded | failed | canceled; error_code "none" unless failed
///   jobs_duration_ms{type,status,error_code}           histogram, first start → end (0 for a job that never ran)
///   jobs_retried_total{type}                           → waiting with reason "retry"
///   jobs_queue_depth{state}                            queued (the queue list) and waiting (the retry/breaker set)
///   remote_breaker_state{remote,state}                 1 for each remote's current breaker state, 0 for the others
/// </code>
/// The two gauges are the whole system's (read from Redis, at most every <see cref="GaugeRefreshInterval"/>, when
/// observed): every process reports the same value, so aggregate them with <c>max</c>, not <c>sum</c>.
/// </summary>
public sealed class JobMetrics : IJobTransitionObserver
{
    /// <summary>How stale the gauges may be.</summary>
    public static readonly TimeSpan GaugeRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>Job durations run from milliseconds (a failed start) to hours (a big sync).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 86_400_000];

    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retried;
    private readonly RedisConnection? _redis;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private GaugeSnapshot _gauges = GaugeSnapshot.Empty;
    private int _refreshing;

    public JobMetrics(IMeterFactory meterFactory, RedisConnection? redis = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _redis = redis;
        _time = time ?? TimeProvider.System;
        var meter = meterFactory.Create(RcmdTelemetry.MeterName);
        _started = meter.CreateCounter<long>("jobs_started_total", description: "Job runs begun (queued → running), retries included.");
        _completed = meter.CreateCounter<long>("jobs_completed_total",
            description: "Jobs that reached a terminal state, by type, status and error code (\"none\" unless failed).");
        _duration = meter.CreateHistogram("jobs_duration_ms", unit: null,
            description: "Job duration in milliseconds from the first start to the end, retries included.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _retried = meter.CreateCounter<long>("jobs_retried_total", description: "Runs that failed retryably and were scheduled again.");
        if (redis is not null)
        {
            meter.CreateObservableGauge("jobs_queue_depth", ObserveQueue, description: "Jobs waiting to run: queued (in the queue) and waiting (retry or breaker).");
            meter.CreateObservableGauge("remote_breaker_state", ObserveBreakers,
                description: "1 for each remote's current circuit breaker state (closed, open, half_open, isolated), 0 for the others.");
        }
    }

    public void OnTransition(JobState previous, Job job)
    {
        var type = new KeyValuePair<string, object?>(RcmdTelemetry.TypeTag, job.Type.ToWire());
        switch (JobTransitions.Classify(previous, job))
        {
            case JobTransitionKind.Started:
                _started.Add(1, type);
                break;
            case JobTransitionKind.Retried:
                _retried.Add(1, type);
                break;
            case JobTransitionKind.Completed:
                var status = new KeyValuePair<string, object?>(RcmdTelemetry.StatusTag, job.State.ToWire());
                var code = new KeyValuePair<string, object?>(RcmdTelemetry.ErrorCodeTag, JobTransitions.ErrorCode(job));
                _completed.Add(1, type, status, code);
                _duration.Record(JobTransitions.DurationMs(job), type, status, code);
                break;
        }
    }

    /// <summary>Reads the gauges' values from Redis now (observers otherwise refresh them in the background).</summary>
    public async Task RefreshGaugesAsync(CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return;
        }

        var database = _redis.Database;
        var keys = _redis.Keys;
        var queued = database.ListLengthAsync(keys.Queue);
        var waiting = database.SortedSetLengthAsync(keys.Waiting);
        var remotes = database.SetMembersAsync(keys.Breakers);
        await Task.WhenAll(queued, waiting, remotes).WaitAsync(cancellationToken).ConfigureAwait(false);
        var names = remotes.Result.Select(r => (string)r!).Order(StringComparer.Ordinal).ToArray();
        var states = await Task.WhenAll(names.Select(n => database.HashGetAsync(keys.Breaker(n), "state"))).WaitAsync(cancellationToken).ConfigureAwait(false);
        var breakers = names.Zip(states, (name, state) => (name, BreakerStates.TryParse(state, out var parsed) ? parsed : BreakerState.Closed)).ToArray();
        lock (_gate)
        {
            _gauges = new GaugeSnapshot(queued.Result, waiting.Result, breakers, _time.GetUtcNow());
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueue()
    {
        var gauges = Current();
        if (gauges.At is null)
        {
            return [];
        }

        return
        [
            new(gauges.Queued, new KeyValuePair<string, object?>(RcmdTelemetry.StateTag, "queued")),
            new(gauges.Waiting, new KeyValuePair<string, object?>(RcmdTelemetry.StateTag, "waiting")),
        ];
    }

    private IEnumerable<Measurement<int>> ObserveBreakers() =>
        Current().Breakers.SelectMany(b => BreakerStates.All.Select(state => new Measurement<int>(state == b.State ? 1 : 0,
            new KeyValuePair<string, object?>(RcmdTelemetry.RemoteTag, b.Remote),
            new KeyValuePair<string, object?>(RcmdTelemetry.StateTag, state.ToWire()))));

    /// <summary>The last values read; starts a background refresh when they are older than <see cref="GaugeRefreshInterval"/>.</summary>
    private GaugeSnapshot Current()
    {
        GaugeSnapshot gauges;
        lock (_gate)
        {
            gauges = _gauges;
        }

        if ((gauges.At is null || _time.GetUtcNow() - gauges.At >= GaugeRefreshInterval) && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await RefreshGaugesAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException)
                {
                    // Redis away: the gauges keep their last values (or stay absent) until it is back.
                }
                finally
                {
                    Volatile.Write(ref _refreshing, 0);
                }
            });
        }

        return gauges;
    }

    private sealed record GaugeSnapshot(long Queued, long Waiting, IReadOnlyList<(string Remote, BreakerState State)> Breakers, DateTimeOffset? At)
    {
        public static GaugeSnapshot Empty { get; } = new(0, 0, [], null);
    }
}

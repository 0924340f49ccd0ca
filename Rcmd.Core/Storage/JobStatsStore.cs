using System.Globalization;
using Rcmd.Jobs;

namespace Rcmd.Storage;

/// <summary>
/// Job outcomes per minute, for the dashboard's Failures page. JobStore's guarded saves count each won transition into
/// the hash of its UTC minute (<c>rcmd:stats:{yyyyMMddHHmm}</c>, kept <see cref="Retention"/>), in the same script
/// as the write, so every outcome is counted once whatever the number of Workers. Fields:
/// <code>
///   started|{type}                  runs begun (Queued → Running)
///   done|{type}|{status}|{code}     jobs completed (succeeded, failed, canceled); code "none" unless failed
///   ms|{type}|{status}|{code}       the sum of their durations (first start → end), whole milliseconds
///   retried|{type}                  runs that failed retryably and wait for their retry
/// </code>
/// A query reads only the minute hashes of its window (no key scans).
/// </summary>
public sealed class JobStatsStore(RedisConnection redis, TimeProvider time)
{
    /// <summary>How long a minute's hash is kept (the longest window a query may ask for).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(8);

    /// <summary>
    /// Totals over the last <paramref name="window"/> (whole minutes, the current one included; 1 minute to
    /// <see cref="Retention"/>).
    /// </summary>
    public async Task<JobStats> QueryAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.FromMinutes(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(window, Retention);
        var now = time.GetUtcNow();
        var lastMinute = new DateTimeOffset(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var minutes = (int)Math.Ceiling(window.TotalMinutes);
        var firstMinute = lastMinute.AddMinutes(-(minutes - 1));

        var batch = redis.Database.CreateBatch();
        var reads = Enumerable.Range(0, minutes)
            .Select(i => batch.HashGetAllAsync(redis.Keys.Stats(firstMinute.AddMinutes(i))))
            .ToArray();
        batch.Execute();
        var hashes = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);

        var outcomes = new Dictionary<(string Type, string Status, string Code), (long Count, long Ms)>();
        var started = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var retried = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in hashes.SelectMany(h => h))
        {
            var parts = ((string)entry.Name!).Split('|');
            var value = (long)entry.Value;
            switch (parts)
            {
                case ["started", var type]:
                    started[type] = started.GetValueOrDefault(type) + value;
                    break;
                case ["retried", var type]:
                    retried[type] = retried.GetValueOrDefault(type) + value;
                    break;
                case ["done", var type, var status, var code]:
                    var done = outcomes.GetValueOrDefault((type, status, code));
                    outcomes[(type, status, code)] = (done.Count + value, done.Ms);
                    break;
                case ["ms", var type, var status, var code]:
                    var sum = outcomes.GetValueOrDefault((type, status, code));
                    outcomes[(type, status, code)] = (sum.Count, sum.Ms + value);
                    break;
            }
        }

        return new JobStats(firstMinute, lastMinute.AddMinutes(1),
            [.. outcomes.OrderBy(o => o.Key.Type, StringComparer.Ordinal).ThenBy(o => o.Key.Status, StringComparer.Ordinal)
                .ThenBy(o => o.Key.Code, StringComparer.Ordinal)
                .Select(o => new JobOutcomeCount(o.Key.Type, o.Key.Status, o.Key.Code, o.Value.Count, o.Value.Ms))],
            started, retried);
    }

    /// <summary>The field/increment pairs one won transition adds to its minute's hash (none for most transitions).</summary>
    internal static IEnumerable<(string Field, long By)> Increments(JobState previous, Job next)
    {
        var type = next.Type.ToWire();
        switch (JobTransitions.Classify(previous, next))
        {
            case JobTransitionKind.Started:
                yield return ($"started|{type}", 1);
                break;
            case JobTransitionKind.Retried:
                yield return ($"retried|{type}", 1);
                break;
            case JobTransitionKind.Completed:
                var key = $"{type}|{next.State.ToWire()}|{JobTransitions.ErrorCode(next)}";
                yield return ($"done|{key}", 1);
                yield return ($"ms|{key}", (long)Math.Round(JobTransitions.DurationMs(next), MidpointRounding.AwayFromZero));
                break;
        }
    }

    internal static string RetentionSeconds => ((long)Retention.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}

/// <summary>Job outcomes over a window of whole minutes [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="From">The window's first minute.</param>
/// <param name="To">The minute after the window's last.</param>
/// <param name="Outcomes">Completed jobs by type, status and error code, with the sum of their durations.</param>
/// <param name="Started">Runs begun, by job type.</param>
/// <param name="Retried">Runs that failed retryably and were scheduled again, by job type.</param>
public sealed record JobStats(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<JobOutcomeCount> Outcomes,
    IReadOnlyDictionary<string, long> Started,
    IReadOnlyDictionary<string, long> Retried)
{
    public long Completed => Outcomes.Sum(o => o.Count);

    public long Failed => Outcomes.Where(o => o.Status == "failed").Sum(o => o.Count);

    /// <summary>Failed / completed in percent (0 when nothing completed): the seed's failure ratio.</summary>
    public double FailureRatioPercent => Completed == 0 ? 0 : 100.0 * Failed / Completed;

    /// <summary>Retries / runs begun in percent (0 when nothing started): the seed's retry pressure.</summary>
    public double RetryPressurePercent => Started.Values.Sum() is var s and > 0 ? 100.0 * Retried.Values.Sum() / s : 0;

    /// <summary>Failures by error code, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> FailuresByCode =>
        [.. Outcomes.Where(o => o.Status == "failed").GroupBy(o => o.ErrorCode)
            .Select(g => KeyValuePair.Create(g.Key, g.Sum(o => o.Count)))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];
}

/// <summary>Completed jobs of one type, status and error code in a window.</summary>
public sealed record JobOutcomeCount(string Type, string Status, string ErrorCode, long Count, long DurationMsSum)
{
    public double MeanDurationMs => Count == 0 ? 0 : (double)DurationMsSum / Count;
}

using Rcmd.Storage;

namespace Rcmd.Failures;

/// <summary>
/// <c>GET /api/stats/failures</c>: the seed's failure panels (failure-taxonomy.md) computed from Rcmd's own per-minute
/// job outcomes (<see cref="JobStatsStore"/>) over a window.
/// </summary>
public sealed record FailureStats
{
    /// <summary>The window as asked: <c>15m</c>, <c>1h</c> or <c>24h</c>.</summary>
    public required string Window { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }

    public long Completed { get; init; }
    public long Failed { get; init; }

    /// <summary>100 × failed / completed (0 when nothing completed).</summary>
    public double FailureRatioPercent { get; init; }

    /// <summary>Failure ratio by job type, for the types that completed jobs in the window.</summary>
    public IReadOnlyList<TypeFailureStats> ByType { get; init; } = [];

    /// <summary>The five most frequent failure codes, most frequent first.</summary>
    public IReadOnlyList<CodeFailureStats> TopCodes { get; init; } = [];

    /// <summary>Every failure code of the window with its count and mean duration (first start → end).</summary>
    public IReadOnlyList<CodeFailureStats> ByCode { get; init; } = [];

    /// <summary>100 × failures coded <c>unknown</c> / failures.</summary>
    public double UnknownRatioPercent { get; init; }

    public long Started { get; init; }
    public long Retried { get; init; }

    /// <summary>100 × retries / runs begun.</summary>
    public double RetryPressurePercent { get; init; }

    /// <summary>Retries per final failure (retries / failed; the seed's panel, 0.001 floor on the divisor).</summary>
    public double RetryEffectiveness { get; init; }

    /// <summary>The panels of <paramref name="stats"/>, the divisors floored as the seed's PromQL does (clamp_min 0.001).</summary>
    public static FailureStats Compute(string window, JobStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var failed = stats.Failed;
        var byCode = stats.Outcomes.Where(o => o.Status == "failed").GroupBy(o => o.ErrorCode, StringComparer.Ordinal)
            .Select(g => new CodeFailureStats(g.Key, g.Sum(o => o.Count),
                g.Sum(o => o.Count) is var n and > 0 ? (double)g.Sum(o => o.DurationMsSum) / n : 0))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Code, StringComparer.Ordinal)
            .ToList();
        var byType = stats.Outcomes.GroupBy(o => o.Type, StringComparer.Ordinal)
            .Select(g =>
            {
                var completed = g.Sum(o => o.Count);
                var typeFailed = g.Where(o => o.Status == "failed").Sum(o => o.Count);
                return new TypeFailureStats(g.Key, completed, typeFailed, completed == 0 ? 0 : 100.0 * typeFailed / completed);
            })
            .OrderBy(t => t.Type, StringComparer.Ordinal)
            .ToList();
        var retried = stats.Retried.Values.Sum();
        var unknown = byCode.Where(c => c.Code == ErrorCodes.Unknown).Sum(c => c.Count);
        return new FailureStats
        {
            Window = window,
            From = stats.From,
            To = stats.To,
            Completed = stats.Completed,
            Failed = failed,
            FailureRatioPercent = stats.FailureRatioPercent,
            ByType = byType,
            TopCodes = [.. byCode.Take(5)],
            ByCode = byCode,
            UnknownRatioPercent = 100.0 * unknown / Math.Max(failed, 0.001),
            Started = stats.Started.Values.Sum(),
            Retried = retried,
            RetryPressurePercent = stats.RetryPressurePercent,
            RetryEffectiveness = retried / Math.Max(failed, 0.001),
        };
    }
}

public sealed record TypeFailureStats(string Type, long Completed, long Failed, double FailureRatioPercent);

public sealed record CodeFailureStats(string Code, long Count, double MeanDurationMs);

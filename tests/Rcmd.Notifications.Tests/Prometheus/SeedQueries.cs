namespace Rcmd.Notifications.Tests.Prometheus;

/// <summary>failure-taxonomy.md's "Dashboard plan", verbatim: the queries the dashboard and the Prometheus test use.</summary>
public static class SeedQueries
{
    public const string FailureRatio = """100 * sum(rate(jobs_completed_total{status="failed"}[15m])) / clamp_min(sum(rate(jobs_completed_total[15m])), 0.001)""";
    public const string FailureRatioByType = """100 * sum(rate(jobs_completed_total{status="failed"}[15m])) by (type) / clamp_min(sum(rate(jobs_completed_total[15m])) by (type), 0.001)""";
    public const string TopFailureCodes = """topk(5, sum(rate(jobs_completed_total{status="failed"}[15m])) by (error_code))""";
    public const string MeanDurationByCode = """sum(rate(jobs_duration_ms_sum{status="failed"}[15m])) by (error_code) / sum(rate(jobs_duration_ms_count{status="failed"}[15m])) by (error_code)""";
    public const string UnknownRatio = """100 * sum(rate(jobs_completed_total{status="failed",error_code="unknown"}[15m])) / clamp_min(sum(rate(jobs_completed_total{status="failed"}[15m])), 0.001)""";
    public const string RetryAttemptsByType = "sum(rate(jobs_retried_total[15m])) by (type)";
    public const string RetryPressure = "100 * sum(rate(jobs_retried_total[15m])) / clamp_min(sum(rate(jobs_started_total[15m])), 0.001)";
    public const string RetryEffectiveness = """sum(rate(jobs_retried_total[15m])) / clamp_min(sum(rate(jobs_completed_total{status="failed"}[15m])), 0.001)""";

    public static IReadOnlyList<string> All { get; } =
        [FailureRatio, FailureRatioByType, TopFailureCodes, MeanDurationByCode, UnknownRatio, RetryAttemptsByType, RetryPressure, RetryEffectiveness];

    /// <summary>The repository root (where Rcmd.Aspire.sln is).</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rcmd.Aspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Rcmd.Aspire.sln not found above " + AppContext.BaseDirectory);
    }
}

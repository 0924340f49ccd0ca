using Rcmd.Jobs;

namespace Rcmd.Rclone;

/// <summary>
/// Something Rcmd asks of rcd that older rclone versions do not have, and the first version that has it.
/// </summary>
/// <param name="Name">How the feature is named in messages (the RC parameter or method).</param>
/// <param name="MinimumVersion">The first rclone release that has it.</param>
/// <param name="UsedFor">What Rcmd needs it for.</param>
public sealed record RcloneFeature(string Name, Version MinimumVersion, string UsedFor);

/// <summary>
/// Which rclone a job needs (issue 3 §1, <c>transfer_engine_incompatible</c>). A Worker reads rcd's version
/// (<c>core/version</c>) once and refuses, before starting anything, a job that needs a feature the running rclone lacks.
/// Versions come from rclone's own history (docs/content/changelog.md and the source at each release tag):
/// <list type="bullet">
/// <item><c>_async</c> and every RC method Rcmd calls (<c>sync/copy|sync|move</c>, <c>operations/copyfile|movefile|delete</c>,
/// <c>job/status</c>, <c>core/stats</c>, <c>core/pid</c>, <c>core/version</c>) exist since v1.45, the first rclone with
/// <c>rcd</c>: no check needed.</item>
/// <item><c>_group</c> (a stats group per run, fs/rc/jobs/job.go) and <c>job/stop</c>: v1.49.0 ("rc: Add ability to stop
/// async jobs").</item>
/// <item><c>_config</c> (per-call global options; Rcmd sends <c>{"DryRun": true}</c> for dry runs): v1.55.0 ("Add
/// <c>_config</c> parameter to set global config for just this rc call").</item>
/// </list>
/// <c>core/stats-delete</c> (v1.51.0) is only used to free memory after a run and its failure is ignored, so it is not
/// required.
/// </summary>
public static class RcloneFeatures
{
    /// <summary><c>_group</c>: each run's progress is read from its own stats group.</summary>
    public static RcloneFeature StatsGroups { get; } =
        new("_group (per-job stats groups)", new Version(1, 49, 0), "progress of each run");

    /// <summary><c>job/stop</c>: canceling a running job.</summary>
    public static RcloneFeature JobStop { get; } = new("job/stop", new Version(1, 49, 0), "canceling a running job");

    /// <summary><c>_config</c>: per-call options, used for dry runs.</summary>
    public static RcloneFeature CallConfig { get; } =
        new("_config (per-call options, dry run)", new Version(1, 55, 0), "dry runs");

    /// <summary>Every feature in the table, oldest first.</summary>
    public static IReadOnlyList<RcloneFeature> All { get; } = [StatsGroups, JobStop, CallConfig];

    /// <summary>What running <paramref name="job"/> needs from rcd.</summary>
    public static IReadOnlyList<RcloneFeature> RequiredBy(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Options.DryRun ? [StatsGroups, JobStop, CallConfig] : [StatsGroups, JobStop];
    }

    /// <summary>
    /// The first feature <paramref name="job"/> needs that <paramref name="version"/> lacks; null when it has them all
    /// or when the version is unknown (0.0.0: rcd did not say — refusing then would stop every job for no reason).
    /// </summary>
    public static RcloneFeature? MissingFor(Job job, RcloneVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (ToVersion(version) is not { } running)
        {
            return null;
        }

        return RequiredBy(job).FirstOrDefault(feature => running < feature.MinimumVersion);
    }

    /// <summary>The message a refused job carries: names the feature, the version it needs and the running one.</summary>
    public static string Describe(RcloneFeature feature, RcloneVersion version)
    {
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(version);
        var running = string.IsNullOrWhiteSpace(version.Version) ? $"v{version.Major}.{version.Minor}.{version.Patch}" : version.Version;
        return $"This job needs {feature.Name} for {feature.UsedFor}, which requires rclone v{Format(feature.MinimumVersion)} or later; "
            + $"the running rclone is {running}. Upgrade rclone.";
    }

    /// <summary><c>1.60.1</c> from core/version's decomposed numbers; null when rcd gave none.</summary>
    public static Version? ToVersion(RcloneVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version is { Major: 0, Minor: 0, Patch: 0 } || version.Major < 0 || version.Minor < 0 || version.Patch < 0)
        {
            return null;
        }

        return new Version(version.Major, version.Minor, version.Patch);
    }

    private static string Format(Version version) => $"{version.Major}.{version.Minor}.{version.Build}";
}

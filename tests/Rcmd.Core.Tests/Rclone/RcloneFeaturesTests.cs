using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;

namespace Rcmd.Core.Tests.Rclone;

public sealed class RcloneFeaturesTests
{
    [Theory]
    // Every job uses _group (per-run stats) and job/stop (cancel): rclone v1.49.0 and later.
    [InlineData(1, 48, 0, false, "_group")]
    [InlineData(1, 48, 9, true, "_group")]
    [InlineData(1, 49, 0, false, null)]
    // Dry runs send _config: rclone v1.55.0 and later.
    [InlineData(1, 54, 1, true, "_config")]
    [InlineData(1, 54, 1, false, null)]
    [InlineData(1, 55, 0, true, null)]
    [InlineData(1, 60, 1, true, null)]
    [InlineData(2, 0, 0, true, null)]
    // core/version without its decomposed numbers: the version is unknown, nothing is refused.
    [InlineData(0, 0, 0, true, null)]
    public void MissingFor_FakeVersions_NamesTheFirstMissingFeature(int major, int minor, int patch, bool dryRun, string? missing)
    {
        var job = Job(dryRun);
        var version = new RcloneVersion($"v{major}.{minor}.{patch}", major, minor, patch);

        var feature = RcloneFeatures.MissingFor(job, version);

        if (missing is null)
        {
            Assert.Null(feature);
        }
        else
        {
            Assert.NotNull(feature);
            Assert.StartsWith(missing, feature.Name, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Table_MinimumVersions_AsInRclonesHistory()
    {
        Assert.Equal(new Version(1, 49, 0), RcloneFeatures.StatsGroups.MinimumVersion);
        Assert.Equal(new Version(1, 49, 0), RcloneFeatures.JobStop.MinimumVersion);
        Assert.Equal(new Version(1, 55, 0), RcloneFeatures.CallConfig.MinimumVersion);
        Assert.Equal(RcloneFeatures.All.OrderBy(f => f.MinimumVersion), RcloneFeatures.All);
    }

    [Fact]
    public void RequiredBy_DryRunJob_AddsCallConfigToWhatEveryJobNeeds()
    {
        Assert.DoesNotContain(RcloneFeatures.CallConfig, RcloneFeatures.RequiredBy(Job(dryRun: false)));
        Assert.Contains(RcloneFeatures.CallConfig, RcloneFeatures.RequiredBy(Job(dryRun: true)));
        Assert.All(RcloneFeatures.RequiredBy(Job(dryRun: false)), f => Assert.Contains(f, RcloneFeatures.RequiredBy(Job(dryRun: true))));
    }

    [Fact]
    public void Describe_NamesFeatureBothVersionsAndClassifiesAsIncompatible()
    {
        var version = new RcloneVersion("v1.54.1", 1, 54, 1);

        var message = RcloneFeatures.Describe(RcloneFeatures.CallConfig, version);

        Assert.Contains("_config", message, StringComparison.Ordinal);
        Assert.Contains("v1.55.0", message, StringComparison.Ordinal);
        Assert.Contains("v1.54.1", message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.TransferEngineIncompatible, FailureClassifier.Default.Classify(message).Code);
        Assert.False(FailureClassifier.Default.Classify(message).Retryable);
    }

    private static Job Job(bool dryRun) => JobStateMachine.Create("j", new JobSubmission(JobType.Copy, "/in", "/out", new JobOptions { DryRun = dryRun }),
        TimeProvider.System);
}

using Microsoft.Extensions.Options;
using Rcmd.Jobs;
using Rcmd.Notifications;
using Rcmd.Rclone;
using Rcmd.Retention;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Retention;

/// <summary>The archive on an rclone remote, through a real rcd (an inline <c>:local:</c> remote stands for S3 and the like).</summary>
public sealed class RcloneArchiveTargetTests(RedisAndRcloneFixture fixture) : IClassFixture<RedisAndRcloneFixture>, IDisposable
{
    private readonly HttpClient _http = new();
    private readonly TempDirectory _remote = new("remote");
    private readonly TempDirectory _staging = new("staging");

    private static CancellationToken Ct => RetentionScope.Ct;

    public void Dispose()
    {
        _http.Dispose();
        _remote.Dispose();
        _staging.Dispose();
    }

    [Fact]
    public async Task Sweep_ToRemote_FilesCopiedVerifiedAndJobsDeleted()
    {
        using var s = Scope(":local:" + _remote.Path);
        var now = s.Time.GetUtcNow();
        await s.AddAsync("a", JobState.Succeeded, now - TimeSpan.FromDays(20));
        await s.AddAsync("b", JobState.Succeeded, now - TimeSpan.FromDays(19));

        var result = await s.Sweeper.SweepAsync("r", Ct);

        Assert.True(result.Completed, result.Error);
        var file = Path.Combine(_remote.Path, RetentionRules.ArchiveFileName(now));
        Assert.Equal(["a", "b"], ArchiveFormat.ReadFile(file).Select(r => r.JobId).Order(StringComparer.Ordinal));
        Assert.Null(await s.Store.GetAsync("a", Ct));

        // Another replica (no staging copy) appends to the same day's file without losing what is there.
        File.Delete(Path.Combine(_staging.Path, RetentionRules.ArchiveFileName(now)));
        await s.AddAsync("c", JobState.Succeeded, now - TimeSpan.FromDays(18));
        Assert.True((await s.Sweeper.SweepAsync("r2", Ct)).Completed);
        Assert.Equal(["a", "b", "c"], ArchiveFormat.ReadFile(file).Select(r => r.JobId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sweep_RemoteRefuses_NothingDeletedAndEventRaised()
    {
        var blocked = Path.Combine(_remote.Path, "not-a-dir");
        await File.WriteAllTextAsync(blocked, "a file where the archive directory should be", Ct);
        using var s = Scope(":local:" + blocked + "/history");
        var now = s.Time.GetUtcNow();
        await s.AddAsync("a", JobState.Succeeded, now - TimeSpan.FromDays(20));

        var result = await s.Sweeper.SweepAsync("r", Ct);

        Assert.False(result.Completed);
        Assert.NotNull(await s.Store.GetAsync("a", Ct));
        await s.AssertIndexesMatchRecountAsync(["a"]);
        var entries = (await s.Notifications.RangeAsync(10_000, Ct)).Select(e => e.Parse()!).ToList();
        Assert.Contains(entries, e => e.Event == NotificationTypes.ArchiveFailed);
        Assert.DoesNotContain(fixture.Rclone.Password, string.Join('\n', entries.Select(e => e.Data.GetRawText())), StringComparison.Ordinal);
    }

    private RetentionScope Scope(string root)
    {
        var client = new RcloneClient(_http, Options.Create(new RcloneOptions { Url = fixture.Rclone.Url, User = fixture.Rclone.User, Password = fixture.Rclone.Password }));
        var scope = new RetentionScope(fixture.Redis, target: store => new RcloneArchiveTarget(root, _staging.Path, client, store));
        scope.Options.ArchiveTo = root;
        return scope;
    }
}

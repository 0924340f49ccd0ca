using Rcmd.Rclone;

namespace Rcmd.Worker.Rclone;

/// <summary>
/// The version of the rcd this Worker talks to (<c>core/version</c>), read once — at start when rcd answers, else on
/// the first job — and read again only when rcd's process id changes (a restarted rcd may be another rclone binary).
/// Jobs are checked against it with <see cref="RcloneFeatures"/>.
/// </summary>
public sealed class RcloneVersionCache(RcloneClient rclone, RclonePidCache pids)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entry? _entry;

    /// <summary>The running rcd's version; throws when rcd cannot be asked (the caller treats the version as unknown).</summary>
    public async Task<RcloneVersion> GetAsync(CancellationToken cancellationToken)
    {
        var pid = await pids.GetAsync(cancellationToken).ConfigureAwait(false);
        if (_entry is { } cached && cached.Pid == pid)
        {
            return cached.Version;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_entry is { } again && again.Pid == pid)
            {
                return again.Version;
            }

            var version = await rclone.VersionAsync(cancellationToken).ConfigureAwait(false);
            _entry = new Entry(pid, version);
            return version;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The version read last, without asking rcd; null before the first read.</summary>
    public RcloneVersion? Current => _entry?.Version;

    private sealed record Entry(long Pid, RcloneVersion Version);
}

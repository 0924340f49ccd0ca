using Rcmd.Rclone;

namespace Rcmd.Worker.Rclone;

/// <summary>
/// rcd's process id, which tells one rcd from the next: rclone job ids start at 1 again in a restarted rcd, so a
/// job id means something only together with the pid it was launched under. Read with <c>core/pid</c>, kept for a
/// second (every running job checks it on each poll), and dropped as soon as a call to rcd fails.
/// </summary>
public sealed class RclonePidCache(RcloneClient rclone, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entry? _entry;

    public async Task<long> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            var pid = await rclone.PidAsync(cancellationToken).ConfigureAwait(false);
            _entry = new Entry(pid, time.GetTimestamp());
            return pid;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the pid: rcd may have restarted.</summary>
    public void Invalidate() => _entry = null;

    private long? Fresh() => _entry is { } entry && time.GetElapsedTime(entry.ReadAt) < MaxAge ? entry.Pid : null;

    private sealed record Entry(long Pid, long ReadAt);
}

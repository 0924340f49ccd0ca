using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Rclone;

namespace Rcmd.Retention;

/// <summary>
/// An archive on an rclone remote (<c>s3archive:rcmd/history</c>): the day's file is assembled in a staging directory
/// (as <see cref="DirectoryArchiveTarget"/> does, verified), copied by rcd (<c>operations/copyfile</c>), and counts only
/// when the remote reports the copy at the expected size (<c>operations/stat</c>). Object stores cannot append, so each
/// step uploads the day's file whole; a replica without the staging copy first fetches the remote's.
/// </summary>
public sealed class RcloneArchiveTarget(string root, string stagingDirectory, RcloneClient rclone, RetentionStore store) : IArchiveTarget
{
    public string Root { get; } = root.TrimEnd('/');

    public string Locate(string file) => Root.EndsWith(':') ? Root + file : Root + "/" + file;

    public async Task<ArchiveWrite> AppendAsync(string file, IReadOnlyList<ArchiveRecord> records, CancellationToken cancellationToken)
    {
        var staging = Path.GetFullPath(stagingDirectory);
        Directory.CreateDirectory(staging);
        var local = Path.Combine(staging, file);
        var verified = await store.VerifiedLengthAsync(file, cancellationToken).ConfigureAwait(false);
        if (verified > 0 && (!File.Exists(local) || new FileInfo(local).Length < verified))
        {
            // Another replica wrote the earlier parts: start from the remote's copy, never overwrite it with less.
            await CopyAsync(Root, file, staging, file, cancellationToken).ConfigureAwait(false);
            if (new FileInfo(local).Length < verified)
            {
                throw new IOException($"Archive file {Locate(file)} is shorter than its verified length {verified}.");
            }
        }

        var write = await DirectoryArchiveTarget.AppendAtAsync(local, file, verified, records, cancellationToken).ConfigureAwait(false);
        await CopyAsync(staging, file, Root, file, cancellationToken).ConfigureAwait(false);
        var stat = await rclone.CallAsync("operations/stat", new JsonObject { ["fs"] = Root, ["remote"] = file }, cancellationToken).ConfigureAwait(false);
        var size = stat.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object && item.TryGetProperty("Size", out var s)
            ? s.GetInt64()
            : -1;
        if (size != write.VerifiedLength)
        {
            throw new IOException($"Archive file {Locate(file)}: the remote holds {size} bytes after the copy, {write.VerifiedLength} expected.");
        }

        return write;
    }

    private Task CopyAsync(string srcFs, string srcRemote, string dstFs, string dstRemote, CancellationToken cancellationToken) =>
        rclone.TransferAsync("operations/copyfile", new JsonObject
        {
            ["srcFs"] = srcFs, ["srcRemote"] = srcRemote, ["dstFs"] = dstFs, ["dstRemote"] = dstRemote,
        }, cancellationToken);
}

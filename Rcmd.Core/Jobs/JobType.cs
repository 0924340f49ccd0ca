using System.Text.Json.Serialization;
using Rcmd.Serialization;

namespace Rcmd.Jobs;

/// <summary>What a job asks rclone to do. The JSON names are the ones the API and the UI use.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<JobType>))]
public enum JobType
{
    /// <summary>Copy a directory tree: rclone <c>sync/copy</c>.</summary>
    Copy,

    /// <summary>Make the destination identical to the source, deleting extra files: rclone <c>sync/sync</c>.</summary>
    Sync,

    /// <summary>Move a directory tree: rclone <c>sync/move</c>.</summary>
    Move,

    /// <summary>Copy one file: rclone <c>operations/copyfile</c>.</summary>
    [JsonStringEnumMemberName("copyfile")]
    CopyFile,

    /// <summary>Move one file: rclone <c>operations/movefile</c>.</summary>
    [JsonStringEnumMemberName("movefile")]
    MoveFile,

    /// <summary>Delete the files under a path (directories stay): rclone <c>operations/delete</c>.</summary>
    Delete,

    /// <summary>
    /// Many file operations (copyfile/movefile/deletefile items) run as one job, with per-item results, checkpoints and
    /// resume (<see cref="Batches"/>). Submitted through <c>/api/batches</c>, never <c>/api/jobs</c>.
    /// </summary>
    Batch,

    /// <summary>Delete one file: rclone <c>operations/deletefile</c>.</summary>
    [JsonStringEnumMemberName("deletefile")]
    DeleteFile,

    /// <summary>Delete a directory and everything under it: rclone <c>operations/purge</c>.</summary>
    Purge,
}

public static class JobTypes
{
    /// <summary>The wire names of the types a single job may have (<c>POST /api/jobs</c>), in the order the UI offers them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["copy", "sync", "move", "copyfile", "movefile", "delete", "deletefile", "purge"];

    /// <summary>Every type's wire name, batches included (list filters).</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. Names, "batch"];

    public static string ToWire(this JobType type) => type switch
    {
        JobType.Copy => "copy",
        JobType.Sync => "sync",
        JobType.Move => "move",
        JobType.CopyFile => "copyfile",
        JobType.MoveFile => "movefile",
        JobType.Delete => "delete",
        JobType.Batch => "batch",
        JobType.DeleteFile => "deletefile",
        JobType.Purge => "purge",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string? value, out JobType type)
    {
        foreach (var candidate in Enum.GetValues<JobType>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>Whether the job needs a destination.</summary>
    public static bool HasDestination(this JobType type) => type is not (JobType.Delete or JobType.DeleteFile or JobType.Purge or JobType.Batch);

    /// <summary>
    /// Whether running the job twice leaves the same result as running it once, so a job orphaned by a crash
    /// can simply run again. A move or a delete that ran half-way must not be replayed blindly.
    /// </summary>
    public static bool IsIdempotent(this JobType type) => type is JobType.Copy or JobType.Sync or JobType.CopyFile;
}

namespace Rcmd.Rclone;

/// <summary>What <c>job/status</c> says of an async job.</summary>
public sealed record RcloneJobStatus(long Id, bool Finished, bool Success, string? Error, double DurationSeconds);

/// <summary>What <c>core/stats</c> says of one stats group.</summary>
public sealed record RcloneStats(
    long Bytes, long TotalBytes, double Speed, double? Eta, long Transfers, long TotalTransfers, long Errors,
    string? LastError, IReadOnlyList<string> Transferring);

/// <summary>A remote from rclone's config: its name and backend type only — never its parameters.</summary>
public sealed record RcloneRemote(string Name, string Type);

/// <summary>What <c>core/version</c> says.</summary>
public sealed record RcloneVersion(string Version, int Major, int Minor, int Patch);

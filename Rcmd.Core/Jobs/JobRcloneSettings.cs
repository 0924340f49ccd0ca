using System.Text.Json;

namespace Rcmd.Jobs;

/// <summary>
/// The rclone settings a job may carry (<see cref="JobOptions.Config"/>, <see cref="JobOptions.Filter"/>; rclone's RC
/// <c>_config</c> and <c>_filter</c>): names from rclone's <c>options/get</c> blocks <c>main</c> and <c>filter</c>, limited
/// to what shapes one transfer. Process-wide or host-reaching settings (PasswordCommand, headers, TLS files, filter
/// files on rcd's host, logging) are refused, as is any name holding pass/secret/token/key — a job's settings are shown
/// with it and never hold credentials. A name is matched as rclone's Go JSON does (any case) and also in snake_case
/// (<c>dry_run</c>), and kept in rclone's own spelling, which every rcd version reads.
/// </summary>
public static class JobRcloneSettings
{
    /// <summary>Allowed <c>_config</c> names (rclone's ConfigInfo).</summary>
    public static IReadOnlyList<string> Config { get; } =
    [
        "BackupDir", "BufferSize", "BwLimit", "CheckFirst", "CheckSum", "Checkers", "CompareDest", "ConnectTimeout", "CopyDest",
        "CutoffMode", "DeleteMode", "DryRun", "ErrorOnNoTransfer", "IgnoreCaseSync", "IgnoreChecksum", "IgnoreErrors",
        "IgnoreExisting", "IgnoreSize", "IgnoreTimes", "Immutable", "LowLevelRetries", "MaxBacklog", "MaxDelete", "MaxDepth",
        "MaxDuration", "MaxTransfer", "Metadata", "ModifyWindow", "MultiThreadCutoff", "MultiThreadStreams", "NoCheckDest",
        "NoTraverse", "NoUpdateModTime", "OrderBy", "RefreshTimes", "ServerSideAcrossConfigs", "SizeOnly", "StreamingUploadCutoff",
        "Suffix", "SuffixKeepExtension", "TPSLimit", "TPSLimitBurst", "Timeout", "TrackRenames", "TrackRenamesStrategy",
        "Transfers", "UpdateOlder", "UseListR", "UseServerModTime",
    ];

    /// <summary>Allowed <c>_filter</c> names (rclone's filter options, without the ones that read files on rcd's host).</summary>
    public static IReadOnlyList<string> Filter { get; } =
    [
        "DeleteExcluded", "ExcludeFile", "ExcludeRule", "FilesFromRaw", "FilterRule", "IgnoreCase", "IncludeRule", "MaxAge",
        "MaxSize", "MinAge", "MinSize",
    ];

    private static readonly string[] SecretWords = ["pass", "secret", "token", "key"];

    /// <summary>
    /// Checks <paramref name="values"/> against <paramref name="allowed"/>: returns them under rclone's names (null when
    /// none), or adds an error under <paramref name="field"/> for each name not allowed and each value that is not a
    /// string, number, boolean or list of strings.
    /// </summary>
    public static IReadOnlyDictionary<string, JsonElement>? Check(IReadOnlyDictionary<string, JsonElement>? values, IReadOnlyList<string> allowed,
        string field, Dictionary<string, List<string>> errors)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (values is null || values.Count == 0)
        {
            return null;
        }

        var named = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            var canonical = allowed.FirstOrDefault(a => Matches(a, name));
            if (canonical is null || SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                JobValidator.Add(errors, field, $"Unknown or not allowed setting '{Shorten(name)}': use one of {string.Join(", ", allowed)}.");
            }
            else if (!IsPlain(value))
            {
                JobValidator.Add(errors, field, $"'{canonical}' must be a string, a number, true/false or a list of strings.");
            }
            else
            {
                named[canonical] = value.Clone();
            }
        }

        return named;
    }

    /// <summary>Names whose letters are equal in any case, ignoring underscores and dashes (<c>dry_run</c> = <c>DryRun</c>).</summary>
    private static bool Matches(string canonical, string name) =>
        string.Equals(canonical, name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    private static bool IsPlain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => true,
        JsonValueKind.Array => value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String),
        _ => false,
    };

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

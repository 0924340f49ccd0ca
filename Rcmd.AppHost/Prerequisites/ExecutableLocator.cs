namespace Rcmd.AppHost.Prerequisites;

/// <summary>Finds a program: the path in an override variable (e.g. <c>RCLONE_PATH</c>) when set, otherwise on <c>PATH</c>.</summary>
internal static class ExecutableLocator
{
    /// <summary>The program's full path, or null when the override (if set) or <c>PATH</c> has no executable file of that name.</summary>
    public static string? Find(string program, string? overridePath, string? searchPath)
    {
        if (!string.IsNullOrEmpty(overridePath))
        {
            return IsExecutable(overridePath) ? Path.GetFullPath(overridePath) : null;
        }

        foreach (var directory in (searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (IsExecutable(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    public static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}

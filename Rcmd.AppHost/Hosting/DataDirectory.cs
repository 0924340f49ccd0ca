using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost;

/// <summary>
/// The data directory of one run (default <c>.data/</c>): Redis's AOF under <c>redis/</c>, rcd's empty working directory
/// <c>rclone/</c>, and <c>run/</c> (mode 700) for what lives only while Rcmd runs — the rcd credentials files,
/// <c>endpoints.json</c>'s companions. One run per directory: <c>rcmd.lock</c> is held open for the process's life (a
/// second Redis on the same AOF would corrupt it), and the OS lets go of it however the process ends.
/// </summary>
internal sealed class DataDirectory : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
        Directory.CreateDirectory(RedisDirectory);
        Directory.CreateDirectory(RcloneWorkingDirectory);
        Directory.CreateDirectory(RunDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; }

    public string RedisDirectory => System.IO.Path.Combine(Path, "redis");

    /// <summary>rcd's working directory, kept empty: a relative path given to rclone resolves to nothing of Rcmd's.</summary>
    public string RcloneWorkingDirectory => System.IO.Path.Combine(Path, "rclone");

    public string RunDirectory => System.IO.Path.Combine(Path, "run");

    public static DataDirectory Acquire(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            var lockFile = new FileStream(System.IO.Path.Combine(full, "rcmd.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataDirectory(full, lockFile);
        }
        catch (IOException) when (Directory.Exists(full))
        {
            throw new PrerequisiteException($"another Rcmd is running on {full} — stop it first, or give this one --data-dir <another directory>");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PrerequisiteException($"cannot use {full} as the data directory: {e.Message} (give --data-dir <a writable directory>)");
        }
    }

    public void Dispose() => _lock.Dispose();
}

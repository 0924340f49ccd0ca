using System.Diagnostics;

namespace Rcmd.AppHost.Prerequisites;

/// <summary>
/// Checks, before anything starts, that the programs the topology runs are there: <c>redis-server</c> and <c>rclone</c>
/// ≥ 1.60 (Aspire builds and runs the projects itself). Each problem is one line saying what to install.
/// </summary>
internal sealed class PrerequisiteChecker(Func<string, string?> environment)
{
    public const string RedisServerPathVariable = "REDIS_SERVER_PATH";
    public const string RclonePathVariable = "RCLONE_PATH";

    /// <summary>Finds both programs; throws <see cref="PrerequisiteException"/> listing every problem, one per line.</summary>
    public Toolchain Check()
    {
        var problems = new List<string>();
        var redis = FindProgram("redis-server", RedisServerPathVariable, "redis-server", problems);
        var rclone = FindProgram("rclone", RclonePathVariable, "rclone", problems);
        if (rclone is not null && CheckRcloneVersion(rclone) is { } problem)
        {
            problems.Add(problem);
        }

        if (problems.Count > 0)
        {
            throw new PrerequisiteException(string.Join(Environment.NewLine + "rcmd: ", problems.Distinct()));
        }

        return new Toolchain(redis!, rclone!);
    }

    private string? FindProgram(string program, string variable, string package, List<string> problems)
    {
        var overridePath = environment(variable);
        var path = ExecutableLocator.Find(program, overridePath, environment("PATH"));
        if (path is null)
        {
            problems.Add(string.IsNullOrEmpty(overridePath)
                ? $"{program} not found — install it with: sudo apt-get install -y {package} (or set {variable})"
                : $"{program} not found at {variable}={overridePath} — install it with: sudo apt-get install -y {package} (or fix {variable})");
        }

        return path;
    }

    /// <summary>Runs <c>rclone version</c>; null when it is new enough, otherwise what is wrong.</summary>
    private static string? CheckRcloneVersion(string rclone)
    {
        string output;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(rclone, ["version"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            })!;
            process.StandardInput.Close();
            var read = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(15_000))
            {
                process.Kill(entireProcessTree: true);
                return $"'{rclone} version' did not answer within 15 s — is it rclone? (set {RclonePathVariable})";
            }

            output = read.GetAwaiter().GetResult();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run {rclone}: {e.Message} (set {RclonePathVariable})";
        }

        var version = RcloneVersion.Parse(output);
        if (version is null)
        {
            return $"cannot read rclone's version from '{rclone} version' — is it rclone? (set {RclonePathVariable})";
        }

        return version < RcloneVersion.Minimum
            ? $"rclone v{version} is too old, Rcmd needs v{RcloneVersion.Minimum} or newer — install it with: sudo apt-get install -y rclone "
              + $"(Debian 12+) or from https://rclone.org/downloads/ (or set {RclonePathVariable})"
            : null;
    }
}

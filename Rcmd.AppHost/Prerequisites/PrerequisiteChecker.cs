using System.Diagnostics;
using System.Text.Json;
using Rcmd.AppHost.Model;

namespace Rcmd.AppHost.Prerequisites;

/// <summary>
/// Checks, before anything starts, that the programs and builds the app model needs are there: <c>redis-server</c>,
/// <c>rclone</c> ≥ 1.60, <c>dotnet</c> and each project's build. Each problem is one line saying what to install.
/// </summary>
internal sealed class PrerequisiteChecker(Func<string, string?> environment, ProjectCatalog catalog)
{
    public const string RedisServerPathVariable = "REDIS_SERVER_PATH";
    public const string RclonePathVariable = "RCLONE_PATH";

    /// <summary>Finds everything <paramref name="model"/> needs; throws <see cref="PrerequisiteException"/> listing every problem, one per line.</summary>
    public Toolchain Check(DistributedApplicationModel model)
    {
        var problems = new List<string>();
        string? redis = null, rclone = null, dotnet = null;
        var projects = new Dictionary<string, ProjectBuild>(StringComparer.OrdinalIgnoreCase);

        if (model.Resources.OfType<RedisResource>().Any())
        {
            redis = FindProgram("redis-server", RedisServerPathVariable, "redis-server", problems);
        }

        if (model.Resources.OfType<RcloneRcdResource>().Any())
        {
            rclone = FindProgram("rclone", RclonePathVariable, "rclone", problems);
            if (rclone is not null && CheckRcloneVersion(rclone) is { } problem)
            {
                problems.Add(problem);
            }
        }

        foreach (var project in model.Resources.OfType<ProjectResource>().Where(p => p.Replicas > 0))
        {
            if (CheckBuild(project.ProjectName, problems) is { } build)
            {
                projects[project.ProjectName] = build;
                dotnet ??= build.SelfContainedExecutable is null ? FindDotnet(problems) : null;
            }
        }

        if (problems.Count > 0)
        {
            throw new PrerequisiteException(string.Join(Environment.NewLine + "rcmd: ", problems.Distinct()));
        }

        return new Toolchain(redis, rclone, dotnet, projects);
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

    private ProjectBuild? CheckBuild(string projectName, List<string> problems)
    {
        var metadata = catalog.Find(projectName);
        if (metadata is null)
        {
            problems.Add($"{projectName} is not a project Rcmd.AppHost references — add a ProjectReference to it in Rcmd.AppHost.csproj");
            return null;
        }

        if (!File.Exists(metadata.TargetPath))
        {
            problems.Add($"{projectName} is not built (no {metadata.TargetPath}) — build it with: dotnet build Rcmd.Aspire.sln (./rcmd run builds it)");
            return null;
        }

        var directory = metadata.ProjectDirectory ?? Path.GetDirectoryName(metadata.TargetPath)!;
        if (!IsSelfContained(metadata.TargetPath))
        {
            return new ProjectBuild(projectName, metadata.TargetPath, directory, null);
        }

        var executable = Path.ChangeExtension(metadata.TargetPath, null);
        if (!ExecutableLocator.IsExecutable(executable))
        {
            problems.Add($"{projectName} is self-contained but its executable {executable} is missing — rebuild it with: dotnet build Rcmd.Aspire.sln");
            return null;
        }

        return new ProjectBuild(projectName, metadata.TargetPath, directory, executable);
    }

    /// <summary>A self-contained build's runtimeconfig.json lists <c>includedFrameworks</c> instead of <c>frameworks</c>.</summary>
    private static bool IsSelfContained(string targetPath)
    {
        var runtimeConfig = Path.ChangeExtension(targetPath, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            return false;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        return document.RootElement.TryGetProperty("runtimeOptions", out var options) && options.TryGetProperty("includedFrameworks", out _);
    }

    /// <summary>The <c>dotnet</c> host: the one running the AppHost when it can tell, otherwise the first on <c>PATH</c>.</summary>
    private string? FindDotnet(List<string> problems)
    {
        var candidates = new[]
        {
            environment("DOTNET_HOST_PATH"),
            Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : null,
            Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        };
        var found = candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && ExecutableLocator.IsExecutable(c))
            ?? ExecutableLocator.Find("dotnet", null, environment("PATH"));
        if (found is null)
        {
            problems.Add("dotnet not found — install the .NET 10 SDK (https://dot.net) or put dotnet on PATH");
        }

        return found;
    }
}

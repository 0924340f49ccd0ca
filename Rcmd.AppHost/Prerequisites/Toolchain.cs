namespace Rcmd.AppHost.Prerequisites;

/// <summary>The programs and builds the app model needs, found and checked by <see cref="PrerequisiteChecker"/>.</summary>
internal sealed record Toolchain(
    string? RedisServer,
    string? Rclone,
    string? Dotnet,
    IReadOnlyDictionary<string, ProjectBuild> Projects);

/// <summary>
/// How to start a project's build: <c>dotnet &lt;dll&gt;</c> for a framework-dependent one, its own executable for a
/// self-contained one (Rcmd.Web on net9.0, whose runtime is not installed on this machine).
/// </summary>
internal sealed record ProjectBuild(string ProjectName, string TargetPath, string ProjectDirectory, string? SelfContainedExecutable);

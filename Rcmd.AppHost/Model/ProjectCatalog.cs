using System.Reflection;

namespace Rcmd.AppHost.Model;

/// <summary>
/// Where this repository's projects and their builds are, as MSBuild recorded it in the AppHost assembly
/// (<c>[AssemblyMetadata("RcmdProject:Rcmd.Api", "…/bin/Debug/net10.0/Rcmd.Api.dll")]</c>, see Rcmd.AppHost.csproj).
/// Aspire generates a <c>Projects</c> class for the same purpose.
/// </summary>
internal sealed class ProjectCatalog
{
    private const string ProjectPrefix = "RcmdProject:";
    private const string ProjectFilePrefix = "RcmdProjectFile:";
    private readonly Dictionary<string, ProjectMetadata> _projects;

    public ProjectCatalog(string? repositoryRoot, IEnumerable<ProjectMetadata> projects)
    {
        RepositoryRoot = repositoryRoot;
        _projects = projects.ToDictionary(p => p.ProjectName, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The repository's root directory (where Rcmd.Aspire.sln is), or null when unknown.</summary>
    public string? RepositoryRoot { get; }

    public IEnumerable<ProjectMetadata> Projects => _projects.Values;

    public static ProjectCatalog FromAssembly(Assembly assembly)
    {
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Where(a => a.Value is not null).ToList();
        var files = metadata.Where(a => a.Key.StartsWith(ProjectFilePrefix, StringComparison.Ordinal))
            .ToDictionary(a => a.Key[ProjectFilePrefix.Length..], a => a.Value!, StringComparer.OrdinalIgnoreCase);
        var projects = metadata.Where(a => a.Key.StartsWith(ProjectPrefix, StringComparison.Ordinal)).Select(a =>
        {
            var name = a.Key[ProjectPrefix.Length..];
            var projectDirectory = files.TryGetValue(name, out var file) ? Path.GetDirectoryName(file)! : null;
            return new ProjectMetadata(name, a.Value!, projectDirectory);
        });
        var root = metadata.FirstOrDefault(a => a.Key == "RcmdRepositoryRoot")?.Value ?? FindRepositoryRoot(AppContext.BaseDirectory);
        return new ProjectCatalog(root, projects);
    }

    public ProjectMetadata? Find(string projectName) => _projects.GetValueOrDefault(projectName);

    /// <summary>Walks up from <paramref name="start"/> to the directory holding Rcmd.Aspire.sln.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rcmd.Aspire.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}

/// <summary>A project and where its build puts the main assembly (<c>TargetPath</c>).</summary>
internal sealed record ProjectMetadata(string ProjectName, string TargetPath, string? ProjectDirectory);

using System.Reflection;
using System.Runtime.Versioning;

namespace Rcmd.AppHost;

/// <summary>
/// Runs a project's built output (<c>dotnet bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;Project&gt;.dll</c>) instead of Aspire's
/// default <c>dotnet run --project &lt;csproj&gt; --no-build</c>, which evaluates the project with MSBuild before every
/// start of every instance (seconds each on two busy cores) and stays alive as the service's parent (~150 MiB a
/// service). The build is already there: building the AppHost builds every project it references, which is what
/// <c>./rcmd run</c>, <c>dotnet run --project Rcmd.AppHost</c> and the tests do before they start anything.
/// </summary>
/// <remarks>
/// Aspire 13.6.5 has no setting for this; what it has is <see cref="ExecutableAnnotation"/> on a project resource: DCP then
/// starts that command in place of <c>dotnet run</c> and adds no arguments of its own (<c>ProjectExecutableLaunchRecipe</c>),
/// while the resource stays a project for everything else — endpoints and <c>ASPNETCORE_URLS</c>, service discovery,
/// OTLP, replicas, health checks, the dashboard's view and its start/stop commands.
/// </remarks>
internal static class BuiltOutput
{
    /// <summary>Starts <paramref name="project"/> as <c>dotnet &lt;its built dll&gt;</c> in its project directory (as <c>dotnet run</c> did).</summary>
    public static IResourceBuilder<ProjectResource> WithBuiltOutput(this IResourceBuilder<ProjectResource> project)
    {
        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var appHost = project.ApplicationBuilder.AppHostAssembly;
        var dll = DllOf(projectPath, Configuration(appHost), TargetFramework(appHost));
        if (!File.Exists(dll))
        {
            throw new DistributedApplicationException($"{dll} is missing: build the solution (or Rcmd.AppHost) first");
        }

        return project
            .WithAnnotation(new ExecutableAnnotation { Command = "dotnet", WorkingDirectory = Path.GetDirectoryName(projectPath)! },
                ResourceAnnotationMutationBehavior.Replace)
            .WithArgs(dll);
    }

    /// <summary><c>&lt;project dir&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;project name&gt;.dll</c>: every Rcmd project targets the AppHost's framework.</summary>
    internal static string DllOf(string projectPath, string configuration, string targetFramework) =>
        Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", configuration, targetFramework, Path.GetFileNameWithoutExtension(projectPath) + ".dll");

    /// <summary>The AppHost's build configuration (Debug, Release): the one its referenced projects were built in.</summary>
    private static string Configuration(Assembly? appHost) =>
        appHost?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } configuration ? configuration : "Debug";

    /// <summary>
    /// <c>net10.0</c> from the AppHost assembly's <c>.NETCoreApp,Version=v10.0</c> (not the process's: under
    /// <c>Aspire.Hosting.Testing</c> the process is the test host, which targets an older framework).
    /// </summary>
    private static string TargetFramework(Assembly? appHost)
    {
        var name = appHost?.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName ?? ".NETCoreApp,Version=v10.0";
        var version = new FrameworkName(name).Version;
        return $"net{version.Major}.{version.Minor}";
    }
}

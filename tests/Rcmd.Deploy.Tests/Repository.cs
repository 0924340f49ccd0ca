namespace Rcmd.Deploy.Tests;

/// <summary>The repository's root: the directory above the test's output that holds Rcmd.Aspire.sln.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    /// <summary>The Web's gen0 budget as the AppHost gives it (<c>ProjectDefaults.DashboardGen0Budget</c>): the manifests must agree.</summary>
    public static string DashboardGen0Budget { get; } = System.Text.RegularExpressions.Regex.Match(
        File.ReadAllText(Path.Combine(Root, "Rcmd.AppHost", "Hosting", "ProjectDefaults.cs")),
        "DashboardGen0Budget = \"(?<value>[^\"]+)\"").Groups["value"].Value;

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rcmd.Aspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Rcmd.Aspire.sln above {AppContext.BaseDirectory}.");
    }
}

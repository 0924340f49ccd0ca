namespace Rcmd.Deploy.Tests;

/// <summary>The repository's root: the directory above the test's output that holds Rcmd.Aspire.sln.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

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

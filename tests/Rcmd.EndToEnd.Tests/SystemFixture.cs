using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>One running Rcmd (AppHost + everything it starts) shared by the end-to-end tests, and a folder of files to copy.</summary>
public sealed class SystemFixture : IAsyncLifetime
{
    private readonly TempDirectory _root = new("e2e");

    public SystemFixture()
    {
        System = new RcmdSystem(_root.Combine("data"));
        Directory.CreateDirectory(System.DataDirectory);
        File.WriteAllText(Path.Combine(System.DataDirectory, "rclone.conf"), string.Empty);
        WebPort = FreePort.Next();

        // 40 MB/s: the cancel test's 400 MB copy runs ~10 s even on a fast idle machine; the other tests copy KiBs.
        System.Environment["RCLONE_BWLIMIT"] = "40M";
    }

    public RcmdSystem System { get; }

    public int WebPort { get; }

    /// <summary>Where tests make their source and destination folders.</summary>
    public string Files => _root.Combine("files");

    /// <summary>Screenshots and other artifacts kept after the run (tests/artifacts, ignored by git).</summary>
    public static string Artifacts
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
            var repo = FindRepoRoot();
            if (repo is not null)
            {
                dir = Path.Combine(repo, "artifacts", "screenshots");
            }

            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Files);
        await System.StartAsync(WebPort);
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        _root.Dispose();
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rcmd.Aspire.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

[CollectionDefinition(Name)]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>
{
    public const string Name = "Rcmd system";
}

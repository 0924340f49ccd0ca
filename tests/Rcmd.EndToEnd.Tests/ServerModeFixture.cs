using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// One Rcmd in server mode (<c>--auth</c>, one Worker) with the bootstrap admin, shared by the sign-in tests; its own
/// data directory and ports, beside the local-mode <see cref="SystemFixture"/>.
/// </summary>
public sealed class ServerModeFixture : IAsyncLifetime
{
    public const string AdminPassword = "e2e-admin-password";

    private readonly TempDirectory _root = new("e2e-auth");

    public ServerModeFixture()
    {
        System = new RcmdSystem(_root.Combine("data"));
        Directory.CreateDirectory(System.DataDirectory);
        File.WriteAllText(Path.Combine(System.DataDirectory, "rclone.conf"), string.Empty);
        // The Api seeds the admin from this; the AppHost of a test host reads its own process's environment, not this.
        System.Environment["Rcmd__Auth__BootstrapAdminPassword"] = AdminPassword;
    }

    public RcmdSystem System { get; }

    public async Task InitializeAsync() => await System.StartAsync(FreePort.Next(), "--auth", "--workers", "1");

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        _root.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerModeCollection : ICollectionFixture<ServerModeFixture>
{
    public const string Name = "Rcmd system in server mode";
}

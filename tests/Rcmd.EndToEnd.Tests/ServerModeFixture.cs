using Rcmd.EndToEnd.Tests.Oidc;
using Rcmd.Testing;

namespace Rcmd.EndToEnd.Tests;

/// <summary>
/// One Rcmd in server mode (<c>--auth</c>, one Worker) with the bootstrap admin and OpenID Connect sign-in against a real
/// provider on loopback (<see cref="OidcProvider"/>: OpenIddict, started first, stopped last), shared by the sign-in
/// tests; its own data directory and ports, beside the local-mode <see cref="SystemFixture"/>.
/// </summary>
public sealed class ServerModeFixture : IAsyncLifetime
{
    public const string AdminPassword = "e2e-admin-password";

    private readonly TempDirectory _root = new("e2e-auth");
    private readonly int _webPort = FreePort.Next();
    private readonly int _providerPort = FreePort.Next();

    public ServerModeFixture()
    {
        System = new RcmdSystem(_root.Combine("data"));
        Directory.CreateDirectory(System.DataDirectory);
        File.WriteAllText(Path.Combine(System.DataDirectory, "rclone.conf"), string.Empty);
        // The Api seeds the admin from this; the AppHost of a test host reads its own process's environment, not this.
        System.Environment["Rcmd__Auth__BootstrapAdminPassword"] = AdminPassword;
        // Jobs may read and write under Files (server mode admits no local path outside the allow-list).
        System.Environment["Rcmd__Paths__LocalRoots__0"] = Files;
        System.Environment["Rcmd__Auth__Oidc__Authority"] = ProviderIssuer.ToString();
        System.Environment["Rcmd__Auth__Oidc__ClientId"] = OidcProvider.ClientId;
        System.Environment["Rcmd__Auth__Oidc__ClientSecret"] = OidcProvider.ClientSecret;
        System.Environment["Rcmd__Auth__Oidc__DisplayName"] = OidcProvider.DisplayName;
        System.Environment["Rcmd__Auth__Oidc__Scopes"] = OidcProvider.GroupsClaim;
        System.Environment["Rcmd__Auth__Oidc__RoleClaim"] = OidcProvider.GroupsClaim;
        System.Environment["Rcmd__Auth__Oidc__RoleMap__rcmd-operators"] = "operator";
    }

    public RcmdSystem System { get; }

    public OidcProvider Provider { get; private set; } = null!;

    /// <summary>Where tests make their source and destination folders (the one local root jobs may use).</summary>
    public string Files => _root.Combine("files");

    public Uri ProviderIssuer => new($"http://127.0.0.1:{_providerPort}/");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Files);
        Provider = await OidcProvider.StartAsync(_providerPort,
            [new Uri($"http://127.0.0.1:{_webPort}/signin-oidc"), new Uri($"http://localhost:{_webPort}/signin-oidc")]);
        await System.StartAsync(_webPort, "--auth", "--workers", "1");
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }

        _root.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerModeCollection : ICollectionFixture<ServerModeFixture>
{
    public const string Name = "Rcmd system in server mode";
}

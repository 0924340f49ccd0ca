using System.Globalization;
using Rcmd.AppHost.Prerequisites;
using Rcmd.Core.Networking;

namespace Rcmd.AppHost;

/// <summary>
/// What one <c>./rcmd run</c> decided before Aspire starts: the command line, the programs found, the data directory
/// (held by this run alone), the ports, the rcd credentials, and the settings the Aspire dashboard needs without a
/// launch profile. <see cref="Prepare"/> says why it cannot run in one line (<c>rcmd: …</c>) and returns null; the
/// entry point then exits with <see cref="ExitCode"/>.
/// </summary>
internal sealed class RcmdRun
{
    /// <summary>The Aspire dashboard's port when it is free (stable across runs), else any free port.</summary>
    public const int DefaultDashboardPort = 18888;

    private RcmdRun(AppHostOptions options, Toolchain toolchain, DataDirectory data, IReadOnlyList<string> aspireArgs)
    {
        Options = options;
        Toolchain = toolchain;
        Data = data;
        AspireArgs = [.. aspireArgs];
    }

    /// <summary>The exit code after <see cref="Prepare"/> returned null: 0 for <c>--help</c>, 2 for a problem.</summary>
    public static int ExitCode { get; private set; }

    public AppHostOptions Options { get; }

    public Toolchain Toolchain { get; }

    public DataDirectory Data { get; }

    /// <summary>Configuration for Aspire itself (dashboard and OTLP addresses), as command-line settings.</summary>
    public string[] AspireArgs { get; }

    public int RedisPort { get; } = FreePort();

    public int RclonePort { get; } = FreePort();

    public int ApiPort { get; } = FreePort();

    /// <summary><c>--web-port</c> exactly, else 5080 when free, else any free port.</summary>
    public int WebPort => Options.WebPort ?? PreferredOrFree(AppHostOptions.DefaultWebPort);

    public RcdCredentials Rcd => field ??= RcdCredentials.Create(Data.RunDirectory);

    /// <summary>The first admin's password for the Api in server mode, from this process's environment; null when not given.</summary>
    public string? BootstrapAdminPassword { get; } = NullIfEmpty(Environment.GetEnvironmentVariable("Rcmd__Auth__BootstrapAdminPassword"));

    /// <summary>
    /// In server mode without a bootstrap password: a one-time token (256 bits) the Api accepts on <c>POST /api/auth/setup</c>
    /// to set the first admin's password while no admin exists; printed once with the run's summary. Null otherwise.
    /// </summary>
    public string? SetupToken => Options.Auth && BootstrapAdminPassword is null
        ? field ??= Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
        : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static RcmdRun? Prepare(string[] args)
    {
        var options = AppHostOptions.Parse(args, Environment.GetEnvironmentVariable);
        if (options.ShowHelp)
        {
            Console.Out.WriteLine(AppHostOptions.Usage);
            return null;
        }

        try
        {
            if (options.Error is { } error)
            {
                throw new PrerequisiteException(error);
            }

            var toolchain = new PrerequisiteChecker(Environment.GetEnvironmentVariable).Check();
            var data = DataDirectory.Acquire(options.DataDirectory ?? Path.Combine(RepositoryRoot(), ".data"));
            return new RcmdRun(options, toolchain, data, DashboardSettings());
        }
        catch (PrerequisiteException e)
        {
            Console.Error.WriteLine("rcmd: " + e.Message);
            ExitCode = PrerequisiteException.ExitCode;
            return null;
        }
    }

    /// <summary>
    /// The dashboard on loopback over http (no developer certificate is needed) and its OTLP endpoint, unless the
    /// environment (a launch profile, a user) already names them.
    /// </summary>
    private static List<string> DashboardSettings()
    {
        var settings = new List<string>();
        void Default(string name, Func<string> value)
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
            {
                settings.Add($"--{name}={value()}");
            }
        }

        Default("ASPNETCORE_URLS", () => $"http://127.0.0.1:{PreferredOrFree(DefaultDashboardPort)}");
        Default("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", () => $"http://127.0.0.1:{FreePort()}");
        Default("ASPIRE_ALLOW_UNSECURED_TRANSPORT", () => "true");
        return settings;
    }

    /// <summary>The repository root (where Rcmd.Aspire.sln is), for the default data directory.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rcmd.Aspire.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static int PreferredOrFree(int port) => FreeLoopbackPort.IsFree(port) ? port : FreePort();

    /// <summary>
    /// A free port for one of the services (27000–32767: below the kernel's ephemeral range, which outgoing connections
    /// draw from while the services start, and apart from the range tests pick their own ports from).
    /// </summary>
    private static int FreePort() => FreeLoopbackPort.Pick(27000, 32767);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"rcmd run on {Data.Path}");
}

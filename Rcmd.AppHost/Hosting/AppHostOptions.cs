using System.Globalization;

namespace Rcmd.AppHost;

/// <summary>
/// The AppHost's command line (<c>./rcmd run [options]</c>). Parsing never throws: a bad argument is kept in
/// <see cref="Error"/> and reported as one line by <see cref="RcmdRun.Prepare"/>, exit code 2.
/// </summary>
internal sealed class AppHostOptions
{
    public const string DataDirectoryVariable = "RCMD_DATA_DIR";

    /// <summary>The Web port used when <c>--web-port</c> is not given and it is free.</summary>
    public const int DefaultWebPort = 5080;

    /// <summary>Worker replicas when <c>--workers</c> is not given.</summary>
    public const int DefaultWorkers = 2;

    public const int MaxWorkers = 16;

    public const string Usage = """
        Usage: ./rcmd run [options]   (or: dotnet run --project Rcmd.AppHost -- [options])

        Starts Rcmd through its Aspire AppHost: redis-server, rclone rcd, Rcmd.Api, Rcmd.Worker (replicas) and Rcmd.Web on
        loopback, and the Aspire developer dashboard; prints their URLs and stops them all on Ctrl+C.

        Options:
          --data-dir <path>   where Redis keeps its AOF (default: .data/ in the repository; env RCMD_DATA_DIR)
          --web-port <port>   the dashboard's port (default: 5080 if free, else any free port)
          --workers <n>       worker replicas, 0-16 (default: 2)
          --no-web            do not start the dashboard
          --auth              server mode: sign-in required on the Api (Rcmd__Auth__Mode=server for api, worker, web);
                              the first admin's password from Rcmd__Auth__BootstrapAdminPassword, else a one-time setup
                              command is printed; OpenID Connect sign-in from Rcmd__Auth__Oidc__* (README, Security)
          -h, --help          this text

        Environment: REDIS_SERVER_PATH, RCLONE_PATH (programs to use), RCLONE_CONFIG (rclone config file),
        RCMD_REDIS_MAXMEMORY (default 1gb), RCMD_RCLONE_JOB_EXPIRE (how long rcd keeps finished jobs, default 2m),
        ASPNETCORE_ENVIRONMENT (default: Development).
        """;

    /// <summary>The data directory as given (relative to the current directory), or null for the default.</summary>
    public string? DataDirectory { get; private set; }

    /// <summary>The exact Web port from <c>--web-port</c>, or null (then <see cref="DefaultWebPort"/> if free).</summary>
    public int? WebPort { get; private set; }

    /// <summary>Worker replicas. Default: <see cref="DefaultWorkers"/>.</summary>
    public int Workers { get; private set; } = DefaultWorkers;

    /// <summary>Whether to start Rcmd.Web. Default: true; <c>--no-web</c> turns it off.</summary>
    public bool Web { get; private set; } = true;

    /// <summary>Server mode (<c>--auth</c>): every service gets <c>Rcmd__Auth__Mode=server</c>. Default: local mode.</summary>
    public bool Auth { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>What was wrong with the command line, or null.</summary>
    public string? Error { get; private set; }

    public static AppHostOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var options = new AppHostOptions { DataDirectory = NullIfEmpty(environment(DataDirectoryVariable)) };
        for (var i = 0; i < args.Count && options.Error is null; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            string? Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 < args.Count)
                {
                    return args[++i];
                }

                options.Error = $"{name} needs a value (see --help)";
                return null;
            }

            switch (name)
            {
                case "--data-dir":
                    if (Value() is { } dir)
                    {
                        options.DataDirectory = dir.Length > 0 ? dir : null;
                        options.Error ??= dir.Length == 0 ? "--data-dir needs a path" : null;
                    }

                    break;
                case "--web-port":
                    if (Value() is { } port)
                    {
                        if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535)
                        {
                            options.WebPort = p;
                        }
                        else
                        {
                            options.Error = $"--web-port must be a port number from 1 to 65535, not '{port}'";
                        }
                    }

                    break;
                case "--workers":
                    if (Value() is { } workers)
                    {
                        if (int.TryParse(workers, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxWorkers)
                        {
                            options.Workers = n;
                        }
                        else
                        {
                            options.Error = $"--workers must be a number from 0 to {MaxWorkers}, not '{workers}'";
                        }
                    }

                    break;
                case "--no-web" when inlineValue is null:
                    options.Web = false;
                    break;
                case "--auth" when inlineValue is null:
                    options.Auth = true;
                    break;
                case "-h" or "--help" when inlineValue is null:
                    options.ShowHelp = true;
                    break;
                default:
                    options.Error = $"unknown option '{args[i]}' (see --help)";
                    break;
            }
        }

        return options;
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

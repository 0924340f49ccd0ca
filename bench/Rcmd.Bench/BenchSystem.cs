using System.Globalization;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>A started Rcmd (through the AppHost) with a scratch folder, for one bench.</summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private readonly TempDirectory _root = new("bench");

    private BenchSystem()
    {
        Directory.CreateDirectory(_root.Combine("data"));
        File.WriteAllText(_root.Combine("data", "rclone.conf"), string.Empty);
        System = new RcmdSystem(_root.Combine("data"));
    }

    public RcmdSystem System { get; }

    public string Combine(params string[] parts) => _root.Combine(parts);

    private static readonly string[] PassedOn = ["DOTNET_GC", "DOTNET_Tiered", "DOTNET_TC_", "DOTNET_EnableWriteXorExecute", "DOTNET_SYSTEM_BUFFERS_", "Rcmd__"];

    /// <summary>
    /// Starts Rcmd; <paramref name="configure"/> may set the services' environment first (Worker concurrency, bwlimit).
    /// Settings to try without a rebuild: the bench's own runtime knobs (<c>DOTNET_GC…</c>, <c>DOTNET_Tiered…</c>,
    /// <c>DOTNET_TC_…</c>, <c>DOTNET_EnableWriteXorExecute</c>, the shared array pool's <c>DOTNET_SYSTEM_BUFFERS_…</c>) and
    /// <c>Rcmd__…</c> variables (e.g.
    /// <c>Rcmd__Web__Prerender=true</c>) reach every service, and are printed.
    /// </summary>
    public static async Task<BenchSystem> StartAsync(Action<RcmdSystem>? configure = null)
    {
        var bench = new BenchSystem();
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(n => PassedOn.Any(prefix => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).Order())
        {
            bench.System.Environment[name] = Environment.GetEnvironmentVariable(name);
            Console.WriteLine($"{name}={bench.System.Environment[name]}");
        }

        configure?.Invoke(bench.System);
        await bench.System.StartAsync(FreePort.Next());
        return bench;
    }

    /// <summary>Makes <paramref name="count"/> files of <paramref name="size"/> bytes in a new folder.</summary>
    public string MakeFiles(string name, int count, int size)
    {
        var dir = Combine(name);
        Directory.CreateDirectory(dir);
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        for (var i = 0; i < count; i++)
        {
            File.WriteAllBytes(Path.Combine(dir, $"f{i:D6}.bin"), content);
        }

        return dir;
    }

    public static long ResidentKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>User + system CPU seconds of each of the system's processes so far (from /proc).</summary>
    public static Dictionary<string, double> CpuSeconds(IReadOnlyDictionary<string, int> processIds)
    {
        var result = new Dictionary<string, double>();
        foreach (var (name, pid) in processIds)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // fields[11] = utime, fields[12] = stime (clock ticks; 100 per second on Linux)
                result[name] = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
            }
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await System.DisposeAsync();
        _root.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Start-up of Rcmd as a user runs it, built (<c>dotnet Rcmd.AppHost.dll --workers 2</c>, what <c>./rcmd run</c> runs
/// once <c>dotnet run</c> has found the build up to date), to "all healthy": the launcher's ready line (the old one's
/// "all resources are running", the Aspire AppHost's "Ctrl+C stops everything", each printed once its health checks
/// pass), then the Api's and the Web's <c>/health</c> answer 200. Before (<c>--old &lt;Rcmd.AppHost.dll&gt;</c>, the
/// home-made launcher) and after (this repository's Release build) alternate, in pairs: cold (a new data directory and
/// the files the run reads — our builds, the .NET runtime, DCP and the dashboard, redis-server, rclone — evicted from the
/// page cache with posix_fadvise) then warm (the same again at once). Also: the stop (SIGTERM to every process gone) and,
/// for the after runs, the resident memory of the AppHost, DCP (its processes), the Aspire dashboard, the services, and
/// the <c>dotnet run</c> parents Aspire starts them with by default (none once they run from their build).
/// </summary>
public static class StartupBench
{
    public static async Task RunAsync(BenchOptions options)
    {
        var root = RepositoryRoot();
        var after = Path.Combine(root, "Rcmd.AppHost", "bin", "Release", "net10.0", "Rcmd.AppHost.dll");
        var runs = new List<(string Launcher, string Kind, Run Run)>();
        using var scratch = new TempDirectory("startup");
        for (var pair = 1; pair <= options.Pairs; pair++)
        {
            foreach (var (launcher, dll) in new[] { ("before", options.OldAppHost), ("after", after) })
            {
                if (dll is null)
                {
                    continue;
                }

                var data = scratch.Combine($"{launcher}-{pair}");
                Directory.CreateDirectory(data);
                await File.WriteAllTextAsync(Path.Combine(data, "rclone.conf"), "");
                Evict([Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(dll)!)!)!)!)!,
                    Path.GetDirectoryName(typeof(object).Assembly.Location)!, Path.Combine(NuGetRoot(), "aspire.hosting.orchestration.linux-x64"),
                    Path.Combine(NuGetRoot(), "aspire.dashboard.sdk.linux-x64"), "/usr/bin/redis-server", "/usr/bin/rclone"]);
                foreach (var kind in new[] { "cold", "warm" })
                {
                    var run = await StartAsync(dll, data);
                    runs.Add((launcher, kind, run));
                    Console.WriteLine($"pair {pair} {launcher,-6} {kind}: healthy {run.Healthy.TotalSeconds:0.0} s, stopped {run.Stopped.TotalSeconds:0.0} s"
                        + (run.Memory.Count > 0 ? ", RSS " + string.Join(", ", run.Memory.Select(m => $"{m.Key} {m.Value:0} MiB")) : ""));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"launcher",-10}{"kind",-6}{"healthy s (median)",20}{"min",8}{"max",8}{"stop s",8}   (n = {options.Pairs} each, load {Load()})");
        foreach (var group in runs.GroupBy(r => (r.Launcher, r.Kind)))
        {
            var healthy = group.Select(r => r.Run.Healthy.TotalSeconds).Order().ToList();
            var stopped = group.Select(r => r.Run.Stopped.TotalSeconds).Order().ToList();
            Console.WriteLine($"{group.Key.Launcher,-10}{group.Key.Kind,-6}{Median(healthy),20:0.0}{healthy[0],8:0.0}{healthy[^1],8:0.0}{Median(stopped),8:0.0}");
        }

        foreach (var (launcher, name) in runs.SelectMany(r => r.Run.Memory.Keys.Select(k => (r.Launcher, k))).Distinct())
        {
            var values = runs.Where(r => r.Launcher == launcher && r.Run.Memory.ContainsKey(name)).Select(r => r.Run.Memory[name]).Order().ToList();
            Console.WriteLine($"RSS {launcher,-7}{name,-28}{Median(values),8:0} MiB (median of {values.Count}; {values[0]:0}–{values[^1]:0})");
        }
    }

    private sealed record Run(TimeSpan Healthy, TimeSpan Stopped, Dictionary<string, double> Memory);

    private static async Task<Run> StartAsync(string dll, string data)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "--data-dir", data, "--web-port", FreePort.Next().ToString(CultureInfo.InvariantCulture), "--workers", "2" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RCLONE_CONFIG"] = Path.Combine(data, "rclone.conf");
        info.Environment["NO_COLOR"] = "1";
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Output() { lock (output) { return output.ToString(); } }
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(process.HasExited || Output().Contains("Ctrl+C stops everything", StringComparison.Ordinal)
                || Output().Contains("all resources are running", StringComparison.Ordinal)), TimeSpan.FromMinutes(4), "the launcher's ready line", Output);
            using var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "endpoints.json")));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var name in new[] { "api", "web" })
            {
                var url = new Uri(new Uri(endpoints.RootElement.GetProperty(name).GetString()!), "health");
                await Wait.UntilAsync(async () =>
                {
                    try
                    {
                        using var response = await http.GetAsync(url);
                        return response.IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromMinutes(2), $"{name} healthy", Output);
            }

            var healthy = watch.Elapsed;
            var tree = Tree(process.Id);
            var memory = Memory(process.Id, tree);
            var stop = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
            await Wait.UntilAsync(() => Task.FromResult(tree.All(p => !Directory.Exists($"/proc/{p}"))), TimeSpan.FromMinutes(1), "every process to end");
            return new Run(healthy, stop.Elapsed, memory);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>RSS of the launcher itself and, under Aspire, of DCP's processes (found by <c>--monitor &lt;pid&gt;</c>) and the dashboard.</summary>
    private static Dictionary<string, double> Memory(int launcher, IReadOnlySet<int> tree)
    {
        var dcp = tree.Where(p => CommandLine(p).StartsWith(Path.Combine("dcp"), StringComparison.Ordinal) || CommandLine(p).Contains("/dcp ", StringComparison.Ordinal)
            || CommandLine(p).Contains("/dcpctrl", StringComparison.Ordinal) || CommandLine(p).Contains("/dcpproc", StringComparison.Ordinal)).ToList();
        var dashboard = tree.Where(p => CommandLine(p).Contains("Aspire.Dashboard", StringComparison.Ordinal)).ToList();
        var memory = new Dictionary<string, double> { ["launcher (AppHost)"] = BenchSystem.ResidentKiB(launcher) / 1024.0 };
        if (dcp.Count > 0)
        {
            memory[$"DCP ({dcp.Count} processes)"] = dcp.Sum(p => BenchSystem.ResidentKiB(p)) / 1024.0;
        }

        if (dashboard.Count > 0)
        {
            memory["Aspire dashboard"] = dashboard.Sum(p => BenchSystem.ResidentKiB(p)) / 1024.0;
        }

        // Aspire's default way to start a project: a `dotnet run --project … --no-build` parent per service instance.
        var wrappers = tree.Where(p => CommandLine(p).Contains("dotnet run ", StringComparison.Ordinal)).ToList();
        if (wrappers.Count > 0)
        {
            memory[$"dotnet run wrappers ({wrappers.Count})"] = wrappers.Sum(p => BenchSystem.ResidentKiB(p)) / 1024.0;
        }

        var services = tree.Where(p => CommandLine(p) is var line && !line.Contains("dotnet run ", StringComparison.Ordinal)
            && (line.Contains("Rcmd.Api", StringComparison.Ordinal) || line.Contains("Rcmd.Worker", StringComparison.Ordinal) || line.Contains("Rcmd.Web", StringComparison.Ordinal))).ToList();
        if (services.Count > 0)
        {
            memory[$"services ({services.Count})"] = services.Sum(p => BenchSystem.ResidentKiB(p)) / 1024.0;
        }

        return memory;
    }

    /// <summary>The launcher, its descendants, and DCP's tree (DCP detaches; it watches the AppHost with <c>--monitor &lt;pid&gt;</c>).</summary>
    private static HashSet<int> Tree(int launcher)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }

        var tree = new HashSet<int> { launcher };
        tree.UnionWith(parents.Keys.Where(p => CommandLine(p).Contains($"--monitor {launcher} ", StringComparison.Ordinal)));
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }

        return tree;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Drops these files (and folders' files) from the page cache, for a cold start that does not touch the rest of the machine.</summary>
    private static void Evict(IEnumerable<string> paths)
    {
        var script = "import os,sys\nfor root in sys.argv[1:]:\n  files=[root] if os.path.isfile(root) else [os.path.join(d,f) for d,_,fs in os.walk(root) for f in fs]\n"
            + "  for p in files:\n    try:\n      fd=os.open(p,os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)\n    except OSError: pass\n";
        var info = new ProcessStartInfo("python3") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var path in paths)
        {
            info.ArgumentList.Add(path);
        }

        using var python = Process.Start(info)!;
        python.WaitForExit();
    }

    private static string NuGetRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rcmd.Aspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Rcmd.Aspire.sln not found above the bench");
    }

    private static double Median(List<double> sorted) => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}

namespace Rcmd.AppHost.Tests.Support;

/// <summary>What /proc says about processes: alive or not, their parent, environment and command line.</summary>
internal static class Processes
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static IReadOnlyDictionary<string, string> Environment(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);

    public static IReadOnlyList<string> CommandLine(int pid) =>
        File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every process whose parent chain leads to <paramref name="ancestor"/>.</summary>
    public static IReadOnlySet<int> DescendantsOf(int ancestor)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }

        var result = new HashSet<int>();
        var added = true;
        while (added)
        {
            added = false;
            foreach (var (pid, parent) in parents)
            {
                if ((parent == ancestor || result.Contains(parent)) && result.Add(pid))
                {
                    added = true;
                }
            }
        }

        return result;
    }

    /// <summary><c>pgrep -f</c>: the pids whose command line contains <paramref name="pattern"/> (a fixed string here).</summary>
    public static IReadOnlyList<int> Pgrep(string pattern)
    {
        using var pgrep = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pgrep", ["-f", "--", pattern])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var output = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid => pid != System.Environment.ProcessId).ToList();
    }
}

using System.Globalization;

namespace Rcmd.Bench;

public sealed record BenchOptions(string Command, int Jobs, int Concurrency, int Changes, int StoredJobs)
{
    public static BenchOptions Parse(string[] args)
    {
        var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        // 2 Workers × 4 concurrent jobs each is the AppHost's default: the raw loop gets the same concurrency.
        return new BenchOptions(command, Int("--jobs", 1000), Int("--concurrency", 8), Int("--changes", 200), Int("--stored", 100_000));
    }
}
